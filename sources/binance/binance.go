package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Klines is Binance's daily candles for a list of USDT pairs, from the
// public market-data mirror (https://data-api.binance.vision/api/v3/klines;
// keyless; api.binance.com answers 451 in some jurisdictions). Binance returns
// at most 1000 candles a request, so each symbol is paged by startTime; every
// page is landed as its own file, named <SYMBOL>_<startTime ms>.json.
type Klines struct {
	feed.Base
	symbols []string
	start   time.Time
	now     func() time.Time
}

type options struct {
	// Symbols are USDT pairs (BTCUSDT); the asset is the symbol without USDT.
	Symbols []string `yaml:"symbols"`
	// Start is the first day fetched (YYYY-MM-DD); Binance's USDT pairs start in 2017.
	Start string `yaml:"start"`
}

// pageRows is Binance's maximum (and our requested) page size.
const pageRows = 1000

var symbolRE = regexp.MustCompile(`^[A-Z0-9]+USDT$`)

// NewKlines builds a binance_klines source.
func NewKlines(s feed.Spec) (feed.Source, error) {
	o := options{Start: "2017-08-17"}
	b, err := feed.Located(s, &o)
	if err != nil {
		return nil, err
	}
	if len(o.Symbols) == 0 {
		return nil, errors.New("options.symbols: at least one symbol such as BTCUSDT is required")
	}
	for _, sym := range o.Symbols {
		if !symbolRE.MatchString(sym) {
			return nil, fmt.Errorf("options.symbols: %q is not an upper-case USDT pair such as BTCUSDT", sym)
		}
	}
	start, err := time.Parse(time.DateOnly, o.Start)
	if err != nil {
		return nil, fmt.Errorf("options.start: %q is not a YYYY-MM-DD date", o.Start)
	}
	return &Klines{Base: b, symbols: o.Symbols, start: start,
		now: func() time.Time { return time.Now().UTC() }}, nil
}

func (b *Klines) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	if !fetch.IsURL(b.Location()) {
		// A folder of pages landed earlier (or written by hand) in the same layout.
		return feed.Checked(ctx, hc, b.Location(), "*USDT_*.json", "binance_klines", func(d []byte) error {
			_, err := checkPage(d)
			return err
		})
	}
	end := b.now().UnixMilli()
	var out []feed.File
	for _, sym := range b.symbols {
		for start := b.start.UnixMilli(); start <= end; {
			q := url.Values{
				"symbol": {sym}, "interval": {"1d"}, "limit": {strconv.Itoa(pageRows)},
				"startTime": {strconv.FormatInt(start, 10)}, "endTime": {strconv.FormatInt(end, 10)},
			}
			u := fetch.BaseURL(b.Location()) + "/api/v3/klines?" + q.Encode()
			data, err := fetch.Get(ctx, hc, u)
			if err != nil {
				return nil, err
			}
			name := fmt.Sprintf("%s_%d.json", sym, start)
			last, err := checkPage(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if last.rows > 0 {
				out = append(out, feed.File{Name: name, Format: "binance_klines", Data: data})
			}
			if last.rows < pageRows {
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

type page struct {
	rows     int
	openTime int64 // of the last candle
}

// checkPage requires an array of 12-element candles starting with an
// integer open time and the price strings; it returns the row count and the
// last open time, which pages the next request.
func checkPage(b []byte) (page, error) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal(b, &rows); err != nil {
		return page{}, fmt.Errorf("not an array of klines: %w", err)
	}
	p := page{rows: len(rows)}
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
