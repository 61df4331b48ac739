// Package prices reads daily price histories from files: yfinance CSVs and
// the Kaggle CoinMarketCap export.
package prices

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/heiststat/heiststat/sources/feed"
)

// YFinance reads daily OHLCV CSVs as written by yfinance: three header
// rows (Price/Ticker/Date), then Date,Close,High,Low,Open,Volume in UTC days.
type YFinance struct{ files }

// NewYFinance builds a prices_yfinance source.
func NewYFinance(s feed.Spec) (feed.Source, error) {
	f, err := newFiles(s, "*-USD.csv", checkYFinance)
	if err != nil {
		return nil, err
	}
	return &YFinance{f}, nil
}

// checkYFinance pins the three-row header layout; the raw model reads columns
// by position, so a reordered or renamed column must fail here.
func checkYFinance(b []byte) error {
	lines := feed.FirstLines(b, 3)
	if len(lines) < 3 {
		return fmt.Errorf("want 3 header rows, got %d lines", len(lines))
	}
	if lines[0] != "Price,Close,High,Low,Open,Volume" {
		return fmt.Errorf("unexpected first header row %q, want \"Price,Close,High,Low,Open,Volume\"", lines[0])
	}
	if !strings.HasPrefix(lines[1], "Ticker,") {
		return fmt.Errorf("second header row %q does not start with \"Ticker,\"", lines[1])
	}
	if !strings.HasPrefix(lines[2], "Date,") {
		return fmt.Errorf("third header row %q does not start with \"Date,\"", lines[2])
	}
	return nil
}

// CoinMarketCap reads the Kaggle "Cryptocurrency Historical Prices"
// CSVs (CoinMarketCap data): SNo,Name,Symbol,Date,High,Low,Open,Close,Volume,Marketcap.
type CoinMarketCap struct{ files }

const coinMarketCapHeader = "SNo,Name,Symbol,Date,High,Low,Open,Close,Volume,Marketcap"

// NewCoinMarketCap builds a prices_coinmarketcap source.
func NewCoinMarketCap(s feed.Spec) (feed.Source, error) {
	f, err := newFiles(s, "coin_*.csv", func(b []byte) error { return feed.CheckHeader(b, coinMarketCapHeader) })
	if err != nil {
		return nil, err
	}
	return &CoinMarketCap{f}, nil
}

// files is a folder of price files, each checked, landed as the source's
// type and backed by the bundled prices.
type files struct {
	feed.Base
	pattern string
	check   func([]byte) error
}

func newFiles(s feed.Spec, pattern string, check func([]byte) error) (files, error) {
	o := feed.PatternOptions{Pattern: pattern}
	b, err := feed.Located(s, &o)
	return files{b, o.Pattern, check}, err
}

func (f *files) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	return feed.Checked(ctx, hc, f.Location(), f.pattern, f.Type(), f.check)
}

func (f *files) Bundled() []feed.File {
	return []feed.File{feed.Bundled("prices.csv", "bundled_prices")}
}
