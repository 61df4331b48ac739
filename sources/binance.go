package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// BinanceKlines is Binance's daily candles for a list of USDT pairs, from the
// public market-data mirror (https://data-api.binance.vision/api/v3/klines;
// keyless; api.binance.com answers 451 in some jurisdictions). Binance returns
// at most 1000 candles a request, so each symbol is paged by startTime; every
// page is landed as its own file, named <SYMBOL>_<startTime ms>.json.
type BinanceKlines struct {
	base
	symbols []string
	start   time.Time
	now     func() time.Time
}

type binanceOptions struct {
	// Symbols are USDT pairs (BTCUSDT); the asset is the symbol without USDT.
	Symbols []string `yaml:"symbols"`
	// Start is the first day fetched (YYYY-MM-DD); Binance's USDT pairs start in 2017.
	Start string `yaml:"start"`
}

// binancePageRows is Binance's maximum (and our requested) page size.
const binancePageRows = 1000

var binanceSymbolRE = regexp.MustCompile(`^[A-Z0-9]+USDT$`)

func newBinanceKlines(s Spec) (Source, error) {
	if err := requireLocation(s); err != nil {
		return nil, err
	}
	o := binanceOptions{Start: "2017-08-17"}
	if err := decodeOptions(s, &o); err != nil {
		return nil, err
	}
	if len(o.Symbols) == 0 {
		return nil, errors.New("options.symbols: at least one symbol such as BTCUSDT is required")
	}
	for _, sym := range o.Symbols {
		if !binanceSymbolRE.MatchString(sym) {
			return nil, fmt.Errorf("options.symbols: %q is not an upper-case USDT pair such as BTCUSDT", sym)
		}
	}
	start, err := time.Parse(time.DateOnly, o.Start)
	if err != nil {
		return nil, fmt.Errorf("options.start: %q is not a YYYY-MM-DD date", o.Start)
	}
	return &BinanceKlines{base: base{s.Name, s.Type, s.Location}, symbols: o.Symbols, start: start,
		now: func() time.Time { return time.Now().UTC() }}, nil
}

func (b *BinanceKlines) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	if !isURL(b.location) {
		// A folder of pages landed earlier (or written by hand) in the same layout.
		return fetchChecked(ctx, hc, b.location, "*USDT_*.json", "binance_klines", func(d []byte) error {
			_, err := checkBinancePage(d)
			return err
		})
	}
	end := b.now().UnixMilli()
	var out []File
	for _, sym := range b.symbols {
		for start := b.start.UnixMilli(); start <= end; {
			q := url.Values{
				"symbol": {sym}, "interval": {"1d"}, "limit": {strconv.Itoa(binancePageRows)},
				"startTime": {strconv.FormatInt(start, 10)}, "endTime": {strconv.FormatInt(end, 10)},
			}
			u := strings.TrimSuffix(b.location, "/") + "/api/v3/klines?" + q.Encode()
			data, err := get(ctx, hc, u)
			if err != nil {
				return nil, err
			}
			name := fmt.Sprintf("%s_%d.json", sym, start)
			last, err := checkBinancePage(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if last.rows > 0 {
				out = append(out, File{Name: name, Format: "binance_klines", Data: data})
			}
			if last.rows < binancePageRows {
				break
			}
			if last.openTime < start {
				return nil, fmt.Errorf("%s: candles go backwards (last open time %d before start %d)", name, last.openTime, start)
			}
			start = last.openTime + 1
		}
	}
	return out, nil
}

type binancePage struct {
	rows     int
	openTime int64 // of the last candle
}

// checkBinancePage requires an array of 12-element candles starting with an
// integer open time and the price strings; it returns the row count and the
// last open time, which pages the next request.
func checkBinancePage(b []byte) (binancePage, error) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal(b, &rows); err != nil {
		return binancePage{}, fmt.Errorf("not an array of klines: %w", err)
	}
	p := binancePage{rows: len(rows)}
	for i, r := range rows {
		if len(r) < 6 {
			return p, fmt.Errorf("kline %d has %d fields, want 12 (openTime, open, high, low, close, volume, ...)", i, len(r))
		}
		if err := json.Unmarshal(r[0], &p.openTime); err != nil {
			return p, fmt.Errorf("kline %d: openTime %s is not an integer", i, r[0])
		}
	}
	return p, nil
}
