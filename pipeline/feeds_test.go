package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// warehouseQuery runs q on the warehouse a finished run left in dir/data,
// with the models rebuilt over its raw tables: they are TEMP, gone with the
// run's connection.
func warehouseQuery(t *testing.T, cfg *Config, dir, q string, args ...any) [][]string {
	t.Helper()
	db, err := warehouse.Open(filepath.Join(dir, "data", "warehouse.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	conn, err := db.Conn(t.Context())
	require.NoError(t, err)
	defer conn.Close()
	s := cfg.buildSettings()
	s.TmpDir = t.TempDir()
	require.NoError(t, warehouse.Rebuild(t.Context(), quietLog, conn, s))
	rows, err := conn.QueryContext(t.Context(), q, args...)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		row := make([]string, len(cols))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				row[i] = "NULL"
			case time.Time:
				row[i] = v.Format(time.DateOnly)
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	require.NoError(t, rows.Err())
	return out
}

func manifestSources(t *testing.T, res *Result) map[string]output.ManifestSource {
	t.Helper()
	out := map[string]output.ManifestSource{}
	for _, s := range res.Manifest.Sources {
		out[s.Name] = s
	}
	return out
}

// The OFAC XML is parsed in Go, registered into DuckDB as an Arrow view and
// read out through stg_ofac__sdn_advanced in the shared stg_ofac__* layout.
func TestOFACAdvancedThroughArrow(t *testing.T) {
	dir := t.TempDir()
	cfg := parse(t, `
sources:
  - {name: ofac_sdn, type: ofac_sdn_advanced, location: ../sources/ofac/testdata/sdn_advanced.xml}
  - {name: curated_dprk, type: curated_incidents, location: embedded}
  - {name: ecb_fx, type: ecb_eurofxref, location: does-not-exist.csv}
`, ".")
	res, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	require.Equal(t, "live", manifestSources(t, res)["ofac_sdn"].Freshness)

	cols := warehouseQuery(t, cfg, dir, `SELECT column_name FROM duckdb_columns() WHERE table_name = 'stg_ofac__sdn_advanced' ORDER BY column_index LIMIT 5`)
	require.Equal(t, [][]string{{"address"}, {"asset"}, {"entity"}, {"program"}, {"_source"}}, cols)
	require.Equal(t, [][]string{
		{"0x098b716b8aaf21512996dc57eb0615e2383e2f96", "ETH", "LAZARUS GROUP", "DPRK3", "ofac_sdn"},
		{"0x8589427373d6d84e98730d7795d8f6f8731fda16", "USDT", "TORNADO CASH", "CYBER2", "ofac_sdn"},
		{"0x8589427373d6d84e98730d7795d8f6f8731fda16", "USDT", "TORNADO CASH", "DPRK3", "ofac_sdn"},
		{"0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b", "ETH", "LAZARUS GROUP", "DPRK3", "ofac_sdn"},
		{"bc1qexampletestaddressxxxxxxxxxxxxxxxxxxxx", "XBT", "LAZARUS GROUP", "DPRK3", "ofac_sdn"},
	}, warehouseQuery(t, cfg, dir, `SELECT address, asset, entity, program, _source FROM stg_ofac__sdn_advanced WHERE reject_reason IS NULL ORDER BY ALL`))
	require.Equal(t, [][]string{{"0xNOTAHEXADDRESS", "malformed EVM address (want 0x and 40 hex digits)"}},
		warehouseQuery(t, cfg, dir, `SELECT address, reject_reason FROM stg_ofac__sdn_advanced WHERE reject_reason IS NOT NULL`))
	require.Equal(t, []output.RowCount{{Feed: "ofac_sdn_advanced", RowsIn: 6, Accepted: 5, Rejected: 1}}, manifestSources(t, res)["ofac_sdn"].Rows)
}

// coinsAPI answers DeFiLlama batchHistorical: every requested (coin, time)
// gets a price of 1000 + the day of the month, one minute after the time asked.
type coinsAPI struct {
	mu   sync.Mutex
	reqs []string
}

func (c *coinsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.reqs = append(c.reqs, r.URL.Query().Get("coins"))
	c.mu.Unlock()
	var req map[string][]int64
	if err := json.Unmarshal([]byte(r.URL.Query().Get("coins")), &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp := map[string]any{}
	for id, tss := range req {
		var ps []map[string]any
		for _, ts := range tss {
			ps = append(ps, map[string]any{"timestamp": ts + 60, "price": 1000 + time.Unix(ts, 0).UTC().Day(), "confidence": 0.99})
		}
		resp[id] = map[string]any{"symbol": "X", "prices": ps}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"coins": resp})
}

// binanceAPI answers /api/v3/klines with daily BTC candles from 2024-01-01 to
// today, 1000 a page; today's candle is still open.
func binanceAPI(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, _ := strconv.ParseInt(q.Get("startTime"), 10, 64)
	var rows []string
	for d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); !d.After(time.Now()) && len(rows) < 1000; d = d.AddDate(0, 0, 1) {
		if d.UnixMilli() >= start {
			rows = append(rows, fmt.Sprintf(`[%d,"1","1","1","%d.5","1",%d,"1",1,"1","1","0"]`, d.UnixMilli(), 40000+d.YearDay(), d.UnixMilli()+86399999))
		}
	}
	_, _ = fmt.Fprintf(w, "[%s]", strings.Join(rows, ","))
}

// Prices come from the demand: the incidents' (asset, day) pairs that no
// feed covers are fetched from DeFiLlama coins in batches; Binance covers BTC
// from 2024 on, so those days are not asked for.
func TestDemandDrivenPrices(t *testing.T) {
	requireSharedData(t)
	coins := &coinsAPI{}
	mux := http.NewServeMux()
	mux.Handle("GET /batchHistorical", coins)
	mux.HandleFunc("GET /api/v3/klines", binanceAPI)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	cfg := parse(t, fmt.Sprintf(`
sources:
  - {name: ecb_fx, type: ecb_eurofxref, location: %s/fx/eurofxref-hist.csv}
  - {name: curated_dprk, type: curated_incidents, location: embedded}
  - {name: coins, type: defillama_coins, location: %q, options: {batch_size: 10}}
  - {name: binance, type: binance_klines, location: %q, options: {symbols: [BTCUSDT], start: "2024-01-01"}}
`, sharedData, srv.URL, srv.URL), ".")
	res, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	require.Equal(t, warehouse.StatusOK, res.Status)

	needs := warehouseQuery(t, cfg, dir, `SELECT count(*), count(*) FILTER (WHERE asset = 'BTC' AND need_date >= DATE '2024-01-01') FROM int_price_needs`)
	// The final build sees the fetched prices, so nothing is left to ask for.
	require.Equal(t, [][]string{{"0", "0"}}, needs)
	var asked int
	for _, q := range coins.reqs {
		var m map[string][]int64
		require.NoError(t, json.Unmarshal([]byte(q), &m))
		for id, tss := range m {
			asked += len(tss)
			if id == "coingecko:bitcoin" {
				for _, ts := range tss {
					require.True(t, time.Unix(ts, 0).Before(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)), "BTC from 2024 is Binance's")
				}
			}
		}
	}
	require.Greater(t, asked, 10)
	require.Equal(t, (asked+9)/10, len(coins.reqs), "batches of 10 pairs")

	// Ronin (2022-03-23) lost ETH and USDC: both priced by the coins feed at
	// 1000 + 23; Bybit (2025-02-21) ETH likewise.
	require.Equal(t, [][]string{{"ETH", "1023", "coins"}, {"USDC", "1023", "coins"}},
		warehouseQuery(t, cfg, dir, `SELECT asset, close_usd, source FROM fct_prices_daily WHERE price_date = DATE '2022-03-23' ORDER BY asset`))
	// Binance: closes from pages 1 and 2; today's open candle is rejected.
	binanceRows := warehouseQuery(t, cfg, dir, `SELECT count(*), count(*) FILTER (WHERE reject_reason = 'candle not closed when fetched') FROM stg_prices__binance`)
	days := int(time.Since(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)).Hours()/24) + 1
	require.Equal(t, [][]string{{strconv.Itoa(days), "1"}}, binanceRows)
	require.Len(t, manifestSources(t, res)["binance"].Files, 2)

	// The same demand lands the same bytes.
	first := manifestSources(t, res)["coins"].Files
	again, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	require.Equal(t, first, manifestSources(t, again)["coins"].Files)

	// Fetching the price feed alone (heiststat fetch coins, or its own
	// schedule) asks for the same pairs: the incidents come from the other
	// sources' archives and the embedded list.
	c := *cfg
	c.DataDir = filepath.Join(dir, "data")
	before := len(coins.reqs) // two runs, each asked for the same batches
	fetched, err := Fetch(t.Context(), &c, quietLog, FetchOptions{Sources: []string{"coins"}})
	require.NoError(t, err)
	require.Len(t, fetched, 1)
	require.Equal(t, landing.Live, fetched[0].Freshness)
	require.Equal(t, coins.reqs[:before/2], coins.reqs[before:], "the same batches as a run's")
}

// ECB data-API rates beat FRED, FRED fills the days the ECB does not publish
// (Good Friday 2022-04-15), and both beat the bundled points.
func TestFXFromECBDataAPIAndFRED(t *testing.T) {
	requireSharedData(t)
	dir := t.TempDir()
	cfg := parse(t, fmt.Sprintf(`
sources:
  - {name: ecb_fx, type: ecb_eurofxref, location: does-not-exist.csv}
  - {name: ecb_api, type: ecb_data_api, location: ../sources/ecb/testdata/data_api/short_quoted.csv}
  - {name: fred, type: fred_fredgraph, location: %s/api_samples/fred/fredgraph_DEXUSUK_sample_2022-03.csv}
  - {name: curated_dprk, type: curated_incidents, location: embedded}
`, sharedData), ".")
	res, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	require.Equal(t, warehouse.StatusDegraded, res.Status, "the ECB history fell back to the bundled points")

	rows := warehouseQuery(t, cfg, dir, `SELECT strftime(rate_date, '%Y-%m-%d'), round(per_usd, 6), source FROM fct_fx_daily
		WHERE currency = 'GBP' AND rate_date IN ('2022-03-23', '2022-03-24', '2022-04-15') ORDER BY rate_date`)
	require.Equal(t, [][]string{
		{"2022-03-23", fmt.Sprint(round6(0.8328 / 1.0985)), "ecb_api"},
		{"2022-03-24", fmt.Sprint(round6(1 / 1.3183)), "fred"},
		{"2022-04-15", fmt.Sprint(round6(1 / 1.3066)), "fred"},
	}, rows)
	ms := manifestSources(t, res)
	require.Equal(t, []output.RowCount{{Feed: "ecb_data_api", RowsIn: 3, Accepted: 2, Rejected: 1}}, ms["ecb_api"].Rows)
	// 25 days in the sample, all with a value.
	require.Equal(t, []output.RowCount{{Feed: "fred_fredgraph", RowsIn: 25, Accepted: 25, Rejected: 0}}, ms["fred"].Rows)
	require.Equal(t, [][]string{{"unparseable OBS_VALUE"}},
		warehouseQuery(t, cfg, dir, `SELECT reason FROM fct_rejects WHERE feed = 'ecb_data_api'`))
}

func round6(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 6, 64), 64)
	return v
}

// A keyed source with its key set fetches, and the key appears in no landed,
// published or log byte; without the key the run completes, degraded, and
// says which variable to set. (FX comes from the bundled points here.)
func TestCoinGeckoKeyNeverLeaks(t *testing.T) {
	const env, key = "HEISTSTAT_TEST_CG_KEY", "CG-pipeline-secret-987"
	var seen []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("x-cg-pro-api-key"))
		mu.Unlock()
		if r.Header.Get("x-cg-pro-api-key") != key {
			http.Error(w, `{"error":"invalid key"}`, http.StatusUnauthorized)
			return
		}
		from, _ := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
		to, _ := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64)
		var pts []string
		for ts := from; ts <= to; ts += 86400 {
			pts = append(pts, fmt.Sprintf("[%d,%d.25]", ts*1000, 2000+time.Unix(ts, 0).UTC().Day()))
		}
		_, _ = fmt.Fprintf(w, `{"prices":[%s],"market_caps":[],"total_volumes":[]}`, strings.Join(pts, ","))
	}))
	t.Cleanup(srv.Close)
	yaml := fmt.Sprintf(`
sources:
  - {name: curated_dprk, type: curated_incidents, location: embedded}
  - {name: ecb_fx, type: ecb_eurofxref, location: does-not-exist.csv}
  - {name: coingecko, type: coingecko_chart, location: %q, api_key_env: %s, options: {plan: pro}}
`, srv.URL, env)

	t.Setenv(env, key)
	dir := t.TempDir()
	var logs bytes.Buffer
	cfg := parse(t, yaml, dir)
	res, err := Run(t.Context(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)), Options{})
	require.NoError(t, err)
	require.Equal(t, "live", manifestSources(t, res)["coingecko"].Freshness)
	require.NotEmpty(t, seen)
	require.NotEmpty(t, manifestSources(t, res)["coingecko"].Files)
	// Ronin's ETH: the 00:00 UTC point of 2022-03-24 closes 2022-03-23.
	require.Equal(t, [][]string{{"2024.25", "coingecko"}}, warehouseQuery(t, cfg, dir,
		`SELECT close_usd, source FROM fct_prices_daily WHERE asset = 'ETH' AND price_date = DATE '2022-03-23'`))
	require.NotContains(t, logs.String(), key)
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err // current is a symlink to a release walked anyway
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.False(t, bytes.Contains(b, []byte(key)), "key found in %s", p)
		return nil
	}))

	t.Setenv(env, "")
	res, err = runWith(t, parse(t, yaml, "."), "", Options{})
	require.NoError(t, err, "a missing key must not fail the run")
	require.Equal(t, warehouse.StatusDegraded, res.Status)
	cg := manifestSources(t, res)["coingecko"]
	require.Equal(t, "missing", cg.Freshness)
	require.Contains(t, cg.Error, "environment variable "+env+" is not set: source skipped")
}
