package sources

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// YFinancePrices reads daily OHLCV CSVs as written by yfinance: three header
// rows (Price/Ticker/Date), then Date,Close,High,Low,Open,Volume in UTC days.
type YFinancePrices struct {
	base
	pattern string
}

// patternOptions are the options of a source read from a folder of files.
type patternOptions struct {
	// Pattern selects files when the location is a folder.
	Pattern string `yaml:"pattern"`
}

func newYFinancePrices(s Spec) (Source, error) {
	if err := requireLocation(s); err != nil {
		return nil, err
	}
	o := patternOptions{Pattern: "*-USD.csv"}
	if err := decodeOptions(s, &o); err != nil {
		return nil, err
	}
	return &YFinancePrices{base{s.Name, s.Type, s.Location}, o.Pattern}, nil
}

func (y *YFinancePrices) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	return fetchChecked(ctx, hc, y.location, y.pattern, "prices_yfinance", checkYFinance)
}

func (y *YFinancePrices) Bundled() []File { return []File{bundledFile("prices.csv", "bundled_prices")} }

// checkYFinance pins the three-row header layout; the raw model reads columns
// by position, so a reordered or renamed column must fail here.
func checkYFinance(b []byte) error {
	lines := firstLines(b, 3)
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

// CoinMarketCapPrices reads the Kaggle "Cryptocurrency Historical Prices"
// CSVs (CoinMarketCap data): SNo,Name,Symbol,Date,High,Low,Open,Close,Volume,Marketcap.
type CoinMarketCapPrices struct {
	base
	pattern string
}

func newCoinMarketCapPrices(s Spec) (Source, error) {
	if err := requireLocation(s); err != nil {
		return nil, err
	}
	o := patternOptions{Pattern: "coin_*.csv"}
	if err := decodeOptions(s, &o); err != nil {
		return nil, err
	}
	return &CoinMarketCapPrices{base{s.Name, s.Type, s.Location}, o.Pattern}, nil
}

const coinMarketCapHeader = "SNo,Name,Symbol,Date,High,Low,Open,Close,Volume,Marketcap"

func (c *CoinMarketCapPrices) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	return fetchChecked(ctx, hc, c.location, c.pattern, "prices_coinmarketcap", func(b []byte) error {
		return checkHeader(b, coinMarketCapHeader)
	})
}

func (c *CoinMarketCapPrices) Bundled() []File {
	return []File{bundledFile("prices.csv", "bundled_prices")}
}

// fetchChecked reads a location and checks every file with check. A local
// file unchanged since it was landed was checked then, and is not read again.
func fetchChecked(ctx context.Context, hc *http.Client, loc, pattern, format string, check func([]byte) error) ([]File, error) {
	nbs, err := readLocationReusing(ctx, hc, loc, pattern)
	if err != nil {
		return nil, err
	}
	out := make([]File, 0, len(nbs))
	for _, nb := range nbs {
		if nb.sum == "" {
			if err := check(nb.data); err != nil {
				return nil, fmt.Errorf("%s: %w", nb.name, err)
			}
		}
		out = append(out, File{Name: nb.name, Format: format, Data: nb.data, SHA256: nb.sum, Stat: nb.stat})
	}
	return out, nil
}
