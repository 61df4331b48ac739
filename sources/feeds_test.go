package sources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// newSourceWith builds one source of typ with YAML options.
func newSourceWith(t *testing.T, typ, loc, opts string) Source {
	t.Helper()
	srcs, err := New([]Spec{{Name: "src", Type: typ, Location: loc, Options: optionsFunc(func(v any) error {
		return yaml.Unmarshal([]byte(opts), v)
	})}})
	require.NoError(t, err)
	return srcs[0]
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// recorder serves one handler and keeps every request URL.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.reqs = append(r.reqs, req.Clone(req.Context()))
		r.mu.Unlock()
		h(w, req)
	}
}

// ------------------------------------------------------------------- FRED

// Both fredgraph header variants pass the check and land unchanged: the old
// DATE header with "." (the real file) and the current observation_date
// header with blank cells (the same rows rewritten that way).
func TestFREDBothHeaders(t *testing.T) {
	old := readShared(t, "api_samples/fred/fredgraph_DEXUSUK_sample_2022-03.csv")
	require.True(t, strings.HasPrefix(string(old), "DATE,DEXUSUK\n"))
	current := []byte(strings.Replace(strings.ReplaceAll(string(old), ",.\n", ",\n"), "DATE,", "observation_date,", 1))
	full := readShared(t, "fx/fred_DEXUSUK_1971-2023.csv")
	require.Contains(t, string(full), ",.\n", "the real file marks holidays with '.'")

	srv := newUAServer(t, map[string]http.HandlerFunc{
		"GET /graph/fredgraph.csv": func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("id") == "NEW" {
				_, _ = w.Write(current)
				return
			}
			_, _ = w.Write(old)
		},
	})
	for name, tc := range map[string]struct {
		loc  string
		want []byte
	}{
		"old header over http":     {srv.URL + "/graph/fredgraph.csv?id=DEXUSUK", old},
		"current header over http": {srv.URL + "/graph/fredgraph.csv?id=NEW", current},
		"real full file":           {sharedPath(t, "fx/fred_DEXUSUK_1971-2023.csv"), full},
	} {
		t.Run(name, func(t *testing.T) {
			files, err := newSource(t, "fred_fredgraph", tc.loc).Fetch(t.Context(), testClient())
			require.NoError(t, err)
			require.Len(t, files, 1)
			require.Equal(t, "fred_fredgraph", files[0].Format)
			require.True(t, strings.HasSuffix(files[0].Name, ".csv"), files[0].Name)
			require.Equal(t, tc.want, files[0].Data)
		})
	}

	for _, bad := range []struct{ header, want string }{
		{"Date,DEXUSUK", "first column must be observation_date or DATE"},
		{"DATE,DEXUSUK,EXTRA", "want 2 columns"},
		{"DATE,dexusuk rate", "not a FRED series id"},
	} {
		require.ErrorContains(t, checkFREDGraph([]byte(bad.header+"\n2022-03-01,1.3\n")), bad.want)
	}
}

// --------------------------------------------------------------- ECB API

func TestECBDataAPIVariants(t *testing.T) {
	for _, name := range []string{"ecb_data_api/full.csv", "ecb_data_api/short_quoted.csv"} {
		require.NoError(t, checkECBDataAPI(readTestdata(t, name)), name)
	}
	full := readTestdata(t, "ecb_data_api/full.csv")
	withoutValue := bytes.Replace(full, []byte(",OBS_VALUE,"), []byte(",OBS_VAL,"), 1)
	require.ErrorContains(t, checkECBDataAPI(withoutValue), `required column "OBS_VALUE" is missing`)
	// The hist CSV is a different feed: naming it here must fail, not load.
	require.Error(t, checkECBDataAPI(readTestdata(t, "ecb/eurofxref-hist.csv")))

	srv := newUAServer(t, map[string]http.HandlerFunc{
		"GET /service/data/EXR/D.USD+GBP.EUR.SP00.A": serveBytes(full),
	})
	files, err := newSource(t, "ecb_data_api", srv.URL+"/service/data/EXR/D.USD+GBP.EUR.SP00.A?format=csvdata").Fetch(t.Context(), testClient())
	require.NoError(t, err)
	require.Equal(t, []File{{Name: "D.USD+GBP.EUR.SP00.A.csv", Format: "ecb_data_api", Data: full}}, files)
}

// ---------------------------------------------------------------- Binance

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

func TestBinancePaginates(t *testing.T) {
	first, now := day("2020-01-01"), day("2022-12-31").Add(13*time.Hour)
	var rec recorder
	srv := newUAServer(t, map[string]http.HandlerFunc{"GET /api/v3/klines": rec.wrap(klines(t, first, now))})
	src := newSourceWith(t, "binance_klines", srv.URL, "symbols: [BTCUSDT, ETHUSDT]\nstart: 2020-01-01").(*BinanceKlines)
	src.now = func() time.Time { return now }

	files, err := src.Fetch(t.Context(), testClient())
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
	require.Len(t, rec.reqs, 4)
	for _, r := range rec.reqs {
		require.Equal(t, "1000", r.URL.Query().Get("limit"))
	}
}

func TestBinanceOptionsAndShape(t *testing.T) {
	for opts, want := range map[string]string{
		"symbols: []":                        "at least one symbol",
		"symbols: [btcusdt]":                 "not an upper-case USDT pair",
		"symbols: [BTCUSD]":                  "not an upper-case USDT pair",
		"symbols: [BTCUSDT]\nstart: 2020-13": "not a YYYY-MM-DD date",
	} {
		_, err := New([]Spec{{Name: "b", Type: "binance_klines", Location: "https://data-api.binance.vision",
			Options: optionsFunc(func(v any) error { return yaml.Unmarshal([]byte(opts), v) })}})
		require.ErrorContains(t, err, want, opts)
	}
	_, err := checkBinancePage([]byte(`{"code":-1121,"msg":"Invalid symbol."}`))
	require.ErrorContains(t, err, "not an array of klines")
	_, err = checkBinancePage([]byte(`[[1624559520000,"1","2"]]`))
	require.ErrorContains(t, err, "has 3 fields")
	_, err = checkBinancePage([]byte(`[["x","1","2","3","4","5",1,"6",7,"8","9","0"]]`))
	require.ErrorContains(t, err, "openTime")
}

// -------------------------------------------------------------- CoinGecko

const testKeyEnv = "HEISTSTAT_TEST_COINGECKO_KEY"

func TestCoinGeckoKeyInHeaderOnly(t *testing.T) {
	const key = "CG-secret-test-key-123"
	t.Setenv(testKeyEnv, key)
	chart := readTestdata(t, "coingecko/ethereum.json")
	var rec recorder
	srv := newUAServer(t, map[string]http.HandlerFunc{
		"GET /api/v3/coins/{id}/market_chart/range": rec.wrap(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("x-cg-demo-api-key") != key {
				http.Error(w, "missing key", http.StatusUnauthorized)
				return
			}
			if r.PathValue("id") == "bitcoin" {
				http.Error(w, "upstream down", http.StatusInternalServerError)
				return
			}
			_, _ = w.Write(chart)
		}),
	})
	src := coinGecko(t, srv.URL+"/api/v3")
	src.now = func() time.Time { return day("2022-06-01") }
	src.SetDemand([]PriceNeed{
		{Asset: "ETH", CoinID: "ethereum", Date: day("2022-03-24")},
		{Asset: "ETH", CoinID: "ethereum", Date: day("2022-03-23")},
		{Asset: "ETH", CoinID: "ethereum", Date: day("2020-01-01")}, // older than 365 days: not requested
	})
	files, err := src.Fetch(t.Context(), testClient())
	require.NoError(t, err)
	require.Equal(t, []File{{Name: "ethereum.json", Format: "coingecko_market_chart", Data: chart}}, files)
	require.Len(t, rec.reqs, 1)
	q := rec.reqs[0].URL.Query()
	require.Equal(t, strconv.FormatInt(day("2022-03-23").Unix(), 10), q.Get("from"))
	require.Equal(t, strconv.FormatInt(day("2022-03-25").Unix(), 10), q.Get("to"), "the 00:00 point after the last day closes it")
	require.NotContains(t, rec.reqs[0].URL.String(), key)
	notes := src.Notes()
	require.Len(t, notes, 1)
	require.Contains(t, notes[0], "only the last 365 days")
	require.Contains(t, notes[0], "1 older (asset, day) pair(s) are not requested")

	// A failing request names the URL but never the key.
	src.SetDemand([]PriceNeed{{Asset: "BTC", CoinID: "bitcoin", Date: day("2022-03-23")}})
	_, err = src.Fetch(t.Context(), testClient())
	require.ErrorContains(t, err, "500")
	require.NotContains(t, err.Error(), key)
}

func coinGecko(t *testing.T, loc string) *CoinGeckoMarketChart {
	t.Helper()
	srcs, err := New([]Spec{{Name: "src", Type: "coingecko_chart", Location: loc, APIKeyEnv: testKeyEnv}})
	require.NoError(t, err)
	return srcs[0].(*CoinGeckoMarketChart)
}

func TestCoinGeckoMissingKey(t *testing.T) {
	t.Setenv(testKeyEnv, "")
	src := Source(coinGecko(t, "http://127.0.0.1:1/api/v3"))
	src.(Demander).SetDemand([]PriceNeed{{Asset: "ETH", CoinID: "ethereum", Date: time.Now().UTC().AddDate(0, 0, -3)}})
	_, err := src.Fetch(t.Context(), testClient())
	require.ErrorContains(t, err, "environment variable "+testKeyEnv+" is not set: source skipped")

	// No demand needs no key: nothing is requested.
	src.(Demander).SetDemand(nil)
	files, err := src.Fetch(t.Context(), testClient())
	require.NoError(t, err)
	require.Empty(t, files)

	_, err = New([]Spec{{Name: "cg", Type: "coingecko_chart", Location: "https://api.coingecko.com/api/v3"}})
	require.ErrorContains(t, err, "api_key_env")
	require.ErrorContains(t, checkCoinGeckoChart([]byte(`{"error":"coin not found"}`)), `"prices" is missing`)
}

// --------------------------------------------------------- DeFiLlama coins

// coinsServer answers batchHistorical with price = day of month + 1000 for
// every requested (coin, timestamp), echoing the timestamps.
func coinsServer(t *testing.T, rec *recorder) *uaServer {
	return newUAServer(t, map[string]http.HandlerFunc{
		"GET /batchHistorical": rec.wrap(func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, "4h", r.URL.Query().Get("searchWidth"))
			var req map[string][]int64
			require.NoError(t, json.Unmarshal([]byte(r.URL.Query().Get("coins")), &req))
			type point struct {
				Timestamp  int64   `json:"timestamp"`
				Price      float64 `json:"price"`
				Confidence float64 `json:"confidence"`
			}
			resp := map[string]map[string]any{}
			for id, tss := range req {
				var ps []point
				for _, ts := range tss {
					ps = append(ps, point{ts + 60, float64(1000 + time.Unix(ts, 0).UTC().Day()), 0.99})
				}
				resp[id] = map[string]any{"symbol": strings.ToUpper(id[10:13]), "prices": ps}
			}
			require.NoError(t, json.NewEncoder(w).Encode(map[string]any{"coins": resp}))
		}),
	})
}

func TestDefiLlamaCoinsBatches(t *testing.T) {
	var rec recorder
	srv := coinsServer(t, &rec)
	src := newSourceWith(t, "defillama_coins", srv.URL, "batch_size: 2")
	needs := []PriceNeed{
		{Asset: "ETH", CoinID: "ethereum", Date: day("2022-03-23")},
		{Asset: "BTC", CoinID: "bitcoin", Date: day("2024-02-21")},
		{Asset: "ETH", CoinID: "ethereum", Date: day("2022-03-23")}, // duplicate
		{Asset: "USDT", CoinID: "tether", Date: day("2023-06-03")},
		{Asset: "ETH", CoinID: "ethereum", Date: day("2025-02-21")},
	}
	src.(Demander).SetDemand(needs)
	files, err := src.Fetch(t.Context(), testClient())
	require.NoError(t, err)
	require.Len(t, files, 2, "4 distinct pairs in batches of 2")
	require.Equal(t, "batch_0001.json", files[0].Name)
	require.Equal(t, "batch_0002.json", files[1].Name)
	var coins []string
	for _, r := range rec.reqs {
		coins = append(coins, r.URL.Query().Get("coins"))
	}
	noon := func(d string) string { return strconv.FormatInt(day(d).Add(12*time.Hour).Unix(), 10) }
	require.Equal(t, []string{
		`{"coingecko:bitcoin":[` + noon("2024-02-21") + `],"coingecko:ethereum":[` + noon("2022-03-23") + `]}`,
		`{"coingecko:ethereum":[` + noon("2025-02-21") + `],"coingecko:tether":[` + noon("2023-06-03") + `]}`,
	}, coins)

	// The same demand in another order sends the same requests and lands the same bytes.
	rec.reqs = nil
	for i, j := 0, len(needs)-1; i < j; i, j = i+1, j-1 {
		needs[i], needs[j] = needs[j], needs[i]
	}
	src.(Demander).SetDemand(needs)
	again, err := src.Fetch(t.Context(), testClient())
	require.NoError(t, err)
	require.Equal(t, files, again)

	require.ErrorContains(t, checkDefiLlamaCoins([]byte(`{"coins":{"coingecko:x":{"symbol":"X"}}}`)), `"prices" is missing`)
	require.ErrorContains(t, checkDefiLlamaCoins([]byte(`{"prices":[]}`)), `"coins" is missing`)
	require.NoError(t, checkDefiLlamaCoins([]byte(`{"coins":{}}`)))
}

// ------------------------------------------------------------------- OFAC

func TestParseOFACAdvanced(t *testing.T) {
	rows, err := ParseOFACAdvanced(bytes.NewReader(readTestdata(t, "ofac/sdn_advanced.xml")))
	require.NoError(t, err)
	require.Equal(t, []SanctionedAddress{
		{ProfileID: "27307", Address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", Asset: "ETH", Entity: "LAZARUS GROUP", Program: "DPRK3"},
		{ProfileID: "27307", Address: "0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B", Asset: "ETH", Entity: "LAZARUS GROUP", Program: "DPRK3"},
		{ProfileID: "27307", Address: "bc1qexampletestaddressxxxxxxxxxxxxxxxxxxxx", Asset: "XBT", Entity: "LAZARUS GROUP", Program: "DPRK3"},
		{ProfileID: "27307", Address: "0xNOTAHEXADDRESS", Asset: "ETH", Entity: "LAZARUS GROUP", Program: "DPRK3"},
		{ProfileID: "39796", Address: "0x8589427373D6D84E98730D7795D8f6f8731FDA16", Asset: "USDT", Entity: "TORNADO CASH", Program: "CYBER2"},
		{ProfileID: "39796", Address: "0x8589427373D6D84E98730D7795D8f6f8731FDA16", Asset: "USDT", Entity: "TORNADO CASH", Program: "DPRK3"},
	}, rows)
}

func TestParseOFACAdvancedDrift(t *testing.T) {
	doc := string(readTestdata(t, "ofac/sdn_advanced.xml"))
	for name, tc := range map[string]struct{ doc, want string }{
		"truncated download":    {doc[:len(doc)/2], "XML syntax error"},
		"not the advanced list": {`<?xml version="1.0"?><sdnList><sdnEntry/></sdnList>`, "root element is <sdnList>"},
		"renamed feature type":  {strings.ReplaceAll(doc, "Digital Currency Address - ", "Virtual Currency Address - "), "no \"Digital Currency Address - *\" feature types"},
		"renamed VersionDetail": {strings.ReplaceAll(doc, "VersionDetail", "Detail"), "no digital currency addresses"},
		"no program type":       {strings.Replace(doc, ">Program<", ">Programme<", 1), `no "Program" sanctions type`},
		"empty":                 {"", "empty document"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseOFACAdvanced(strings.NewReader(tc.doc))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestOFACAdvancedFetch(t *testing.T) {
	doc := readTestdata(t, "ofac/sdn_advanced.xml")
	srv := newUAServer(t, map[string]http.HandlerFunc{
		"GET /exports/SDN_ADVANCED.XML": serveBytes(doc),
		"GET /exports/truncated.xml":    serveBytes(doc[:len(doc)-40]),
	})
	files, err := newSource(t, "ofac_sdn_advanced", srv.URL+"/exports/SDN_ADVANCED.XML").Fetch(t.Context(), testClient())
	require.NoError(t, err)
	require.Equal(t, []File{{Name: "sdn_advanced.xml", Format: "ofac_sdn_advanced", Data: doc}}, files)
	_, err = newSource(t, "ofac_sdn_advanced", srv.URL+"/exports/truncated.xml").Fetch(t.Context(), testClient())
	require.ErrorContains(t, err, "XML syntax error")
}

func TestOFACAdvancedBatches(t *testing.T) {
	recs, err := OFACAdvancedBatches(bytes.NewReader(readTestdata(t, "ofac/sdn_advanced.xml")), "/landed/x.xml", 4)
	require.NoError(t, err)
	require.Len(t, recs, 2, "6 rows in batches of 4")
	require.EqualValues(t, 4, recs[0].NumRows())
	require.EqualValues(t, 2, recs[1].NumRows())
	require.True(t, recs[0].Schema().Equal(OFACAdvancedSchema))
	for _, r := range recs {
		r.Release()
	}
}

// largeOFACDocument repeats the fixture's parties n times under fresh ids.
func largeOFACDocument(b *testing.B, n int) []byte {
	doc, err := os.ReadFile("testdata/ofac/sdn_advanced.xml")
	require.NoError(b, err)
	s := string(doc)
	head, rest, _ := strings.Cut(s, "<DistinctParties>")
	parties, rest, _ := strings.Cut(rest, "</DistinctParties>")
	entriesHead, rest, _ := strings.Cut(rest, "<SanctionsEntries>")
	entries, tail, _ := strings.Cut(rest, "</SanctionsEntries>")
	var out strings.Builder
	out.WriteString(head + "<DistinctParties>")
	for i := range n {
		out.WriteString(strings.NewReplacer(`ID="27307"`, fmt.Sprintf(`ID="%d"`, 1000000+i), `ID="39796"`, fmt.Sprintf(`ID="%d"`, 2000000+i)).Replace(parties))
	}
	out.WriteString("</DistinctParties>" + entriesHead + "<SanctionsEntries>")
	for i := range n {
		out.WriteString(strings.NewReplacer(`ProfileID="27307"`, fmt.Sprintf(`ProfileID="%d"`, 1000000+i), `ProfileID="39796"`, fmt.Sprintf(`ProfileID="%d"`, 2000000+i)).Replace(entries))
	}
	out.WriteString("</SanctionsEntries>" + tail)
	return []byte(out.String())
}

// BenchmarkParseOFACAdvanced streams a generated document of about 14 MB
// (2,000 copies of the fixture's parties) through the parser.
func BenchmarkParseOFACAdvanced(b *testing.B) {
	doc := largeOFACDocument(b, 2000)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		rows, err := ParseOFACAdvanced(bytes.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		if len(rows) != 6*2000 {
			b.Fatalf("%d rows", len(rows))
		}
	}
}
