package binance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// klines answers /api/v3/klines like Binance: at most limit daily candles
// from startTime, none after endTime, the last one still open at "now".
func klines(t *testing.T, first, now time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		require.Equal(t, "1d", q.Get("interval"))
		start, _ := strconv.ParseInt(q.Get("startTime"), 10, 64)
		end, _ := strconv.ParseInt(q.Get("endTime"), 10, 64)
		limit, _ := strconv.Atoi(q.Get("limit"))
		var rows []string
		for d := first; !d.After(now) && len(rows) < limit; d = d.AddDate(0, 0, 1) {
			ms := d.UnixMilli()
			if ms < start || ms > end {
				continue
			}
			close := 1000 + float64(d.Sub(first)/(24*time.Hour))
			rows = append(rows, fmt.Sprintf(`[%d,"1.0","2.0","0.5","%.8f","10.0",%d,"100.0",5,"1.0","1.0","0"]`, ms, close, ms+86399999))
		}
		_, _ = fmt.Fprintf(w, "[%s]", strings.Join(rows, ","))
	}
}

func TestKlinesPaginates(t *testing.T) {
	first, now := feedtest.Day("2020-01-01"), feedtest.Day("2022-12-31").Add(13*time.Hour)
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{"GET /api/v3/klines": klines(t, first, now)})
	s := feedtest.Spec("binance_klines", srv.URL)
	s.Options = feedtest.YAML("symbols: [BTCUSDT, ETHUSDT]\nstart: 2020-01-01")
	src := feedtest.Must(t, NewKlines, s).(*Klines)
	src.now = func() time.Time { return now }

	files, err := src.Fetch(t.Context(), feedtest.Client())
	require.NoError(t, err)
	// 1096 days per symbol: a full page of 1000 and a page of 96.
	var names []string
	rows := 0
	for _, f := range files {
		names = append(names, f.Name)
		require.Equal(t, "binance_klines", f.Format)
		var page [][]json.RawMessage
		require.NoError(t, json.Unmarshal(f.Data, &page))
		rows += len(page)
	}
	require.Equal(t, []string{
		"BTCUSDT_1577836800000.json", "BTCUSDT_1664150400001.json",
		"ETHUSDT_1577836800000.json", "ETHUSDT_1664150400001.json",
	}, names)
	require.Equal(t, 2*1096, rows)
	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	for _, r := range reqs {
		require.Equal(t, "1000", r.URL.Query().Get("limit"))
	}
	srv.RequireUserAgent(t, fetch.UserAgent)
}

func TestKlinesOptionsAndShape(t *testing.T) {
	for opts, want := range map[string]string{
		"symbols: []":                        "at least one symbol",
		"symbols: [btcusdt]":                 "not an upper-case USDT pair",
		"symbols: [BTCUSD]":                  "not an upper-case USDT pair",
		"symbols: [BTCUSDT]\nstart: 2020-13": "not a YYYY-MM-DD date",
	} {
		_, err := NewKlines(feed.Spec{Name: "b", Type: "binance_klines", Location: "https://data-api.binance.vision", Options: feedtest.YAML(opts)})
		require.ErrorContains(t, err, want, opts)
	}
	_, err := checkPage([]byte(`{"code":-1121,"msg":"Invalid symbol."}`))
	require.ErrorContains(t, err, "not an array of klines")
	_, err = checkPage([]byte(`[[1624559520000,"1","2"]]`))
	require.ErrorContains(t, err, "has 3 fields")
	_, err = checkPage([]byte(`[["x","1","2","3","4","5",1,"6",7,"8","9","0"]]`))
	require.ErrorContains(t, err, "openTime")
}
