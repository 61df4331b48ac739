package defillama

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

const (
	edgeCasesSample = "api_samples/defillama/hacks_edge_cases_from_2026-05-29.json"
	fullHacksFeed   = "hacks/defillama_hacks_2026-05-29.json"
)

func decodeHacks(t *testing.T, b []byte) []map[string]json.RawMessage {
	t.Helper()
	var recs []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &recs))
	return recs
}

func TestCheckHacksRealSnapshots(t *testing.T) {
	t.Run("edge cases sample", func(t *testing.T) {
		b := feedtest.ReadShared(t, edgeCasesSample)
		recs := decodeHacks(t, b)
		require.Len(t, recs, 13)
		// The sample must really hold the quirks this test is about, or a pass
		// proves nothing.
		quirks := map[string]func(r map[string]json.RawMessage) bool{
			"null amount":         func(r map[string]json.RawMessage) bool { return string(r["amount"]) == "null" },
			"null classification": func(r map[string]json.RawMessage) bool { return string(r["classification"]) == "null" },
			"empty chain":         func(r map[string]json.RawMessage) bool { return string(r["chain"]) == "[]" },
			`"\n\n" in name`:      func(r map[string]json.RawMessage) bool { return strings.Contains(string(r["name"]), `\n\n`) },
			"parentProtocolId":    func(r map[string]json.RawMessage) bool { _, ok := r["parentProtocolId"]; return ok },
		}
		for name, has := range quirks {
			require.True(t, slices.ContainsFunc(recs, has), "sample has no record with %s", name)
		}
		require.NoError(t, checkHacks(b))
	})
	t.Run("full feed 2026-05-29", func(t *testing.T) {
		b := feedtest.ReadShared(t, fullHacksFeed)
		require.Len(t, decodeHacks(t, b), 538)
		require.NoError(t, checkHacks(b))
	})
	t.Run("fetch the full feed", func(t *testing.T) {
		files := feedtest.RequireFetch(t, NewHacks, "defillama_hacks", feedtest.SharedPath(t, fullHacksFeed))
		require.Len(t, files, 1)
		require.Equal(t, "defillama_hacks", files[0].Format)
	})
}

// mutateHacks applies f to every record of a /hacks response.
func mutateHacks(t *testing.T, b []byte, f func(r map[string]json.RawMessage)) []byte {
	t.Helper()
	recs := decodeHacks(t, b)
	for _, r := range recs {
		f(r)
	}
	out, err := json.Marshal(recs)
	require.NoError(t, err)
	return out
}

func TestCheckHacksDrift(t *testing.T) {
	fixture := feedtest.Testdata(t, "hacks.json")
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	first := true
	for _, tc := range []struct {
		name    string
		mutate  func(r map[string]json.RawMessage)
		wantErr string // empty: must pass
	}{
		{name: "fixture as transcribed", mutate: func(map[string]json.RawMessage) {}},
		{name: "defillamaId as string (2026 change)", mutate: func(r map[string]json.RawMessage) { r["defillamaId"] = raw(`"234"`) }},
		{name: "unknown extra field", mutate: func(r map[string]json.RawMessage) { r["attackerAddresses"] = raw(`["0xabc"]`) }},
		{name: "new classification taxonomy", mutate: func(r map[string]json.RawMessage) { r["classification"] = raw(`"Key Compromise"`) }},
		{name: "chain null in one record", mutate: func(r map[string]json.RawMessage) {
			if string(r["name"]) == `"UPCX"` {
				r["chain"] = raw(`null`)
			}
		}},
		{name: "amount null everywhere", mutate: func(r map[string]json.RawMessage) { r["amount"] = raw(`null`) }, wantErr: `"amount"`},
		{name: "chain null everywhere", mutate: func(r map[string]json.RawMessage) { r["chain"] = raw(`null`) }, wantErr: `"chain"`},
		{
			name: "amount as string in one record only (staging quarantines it)",
			mutate: func(r map[string]json.RawMessage) {
				if first {
					r["amount"] = raw(`"624000000"`)
					first = false
				}
			},
		},
		{
			name:    "date renamed to timestamp",
			mutate:  func(r map[string]json.RawMessage) { r["timestamp"] = r["date"]; delete(r, "date") },
			wantErr: `"date"`,
		},
		{name: "date in milliseconds as string", mutate: func(r map[string]json.RawMessage) { r["date"] = raw(`"1647993600000"`) }, wantErr: `"date"`},
		{name: "amount as string", mutate: func(r map[string]json.RawMessage) { r["amount"] = raw(`"624000000"`) }, wantErr: `"amount"`},
		{name: "name missing", mutate: func(r map[string]json.RawMessage) { delete(r, "name") }, wantErr: `"name"`},
		{name: "chain as comma-joined string", mutate: func(r map[string]json.RawMessage) { r["chain"] = raw(`"Ethereum,BSC"`) }, wantErr: `"chain"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkHacks(mutateHacks(t, fixture, tc.mutate))
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.ErrorContains(t, err, tc.wantErr)
			require.ErrorContains(t, err, "all 3 records")
		})
	}
}

func TestCheckHacksNotAnArray(t *testing.T) {
	for _, tc := range []struct {
		name, body, wantErr string
	}{
		{"wrapped object", `{"hacks":[{"date":1647993600,"name":"Ronin Bridge","amount":624000000,"chain":["Ethereum"]}]}`, "not a JSON array"},
		{"array of numbers", `[1647993600, 624000000]`, "not a JSON array"},
		{"empty array", `[]`, "empty array"},
		{"JSON null", `null`, ""},
		{"empty body", ``, "not a JSON array"},
		{"truncated", `[{"date":1647993600,"name":"Ronin Bridge",`, "not a JSON array"},
		{"trailing garbage", `[{"date":1647993600,"name":"x","amount":1,"chain":[]}]]`, "not a JSON array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkHacks([]byte(tc.body))
			require.Error(t, err)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// FuzzCheckHacks holds the streaming check to what decoding into maps
// accepted: the same inputs pass, and a drifted field fails either way.
func FuzzCheckHacks(f *testing.F) {
	for _, s := range []string{
		`[{"date":1647993600,"name":"Ronin","amount":624000000,"chain":["Ethereum"]}]`,
		`[null,{"date":1,"name":"x","amount":1,"chain":[],"date":"1"}]`,
		`[{"d\u0061te":1,"name":"x","amount":1.5e3,"chain":[],"extra":{"a":[1,{"b":null}]}}]`,
		` [ {"date":1,"name":"\xff","amount":1,"chain":[]} ] `,
		`[{"date":1,"name":"x","amount":1,"chain":[]}]]`,
		`[{"date":1,"name":"x","amount":"1","chain":[]}]`,
		`[1]`, `{}`, `null`, `[]`, ``, `[{"date":1,`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := checkHacks(b)
		var recs []map[string]json.RawMessage
		if err := json.Unmarshal(b, &recs); err != nil {
			require.Error(t, got)
			return
		}
		if len(recs) == 0 {
			require.ErrorContains(t, got, "empty array")
			return
		}
		for _, req := range hacksRequired {
			ok := false
			for _, r := range recs {
				if v, present := r[req.field]; present && feed.JSONKind(v) == req.kind {
					ok = true
				}
			}
			if !ok {
				require.ErrorContains(t, got, `"`+req.field+`"`)
				return
			}
		}
		require.NoError(t, got)
	})
}

func TestHacksFetch(t *testing.T) {
	hacks := feedtest.Testdata(t, "hacks.json")
	drifted := mutateHacks(t, hacks, func(r map[string]json.RawMessage) { r["timestamp"] = r["date"]; delete(r, "date") })
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /hacks":             feedtest.Bytes(hacks),
		"GET /drifted/hacks":     feedtest.Bytes(drifted),
		"GET /maintenance/hacks": feedtest.Bytes([]byte("<!DOCTYPE html><title>Maintenance</title>")),
	})
	want := []feed.File{{Name: "hacks.json", Format: "defillama_hacks", Data: hacks}}
	for _, tc := range []struct {
		name, loc string
		want      []feed.File
		wantErrs  []string
	}{
		{name: "over http", loc: srv.URL + "/hacks", want: want},
		{name: "local file", loc: "testdata/hacks.json", want: want},
		{name: "local folder", loc: "testdata", want: want},
		{name: "drifted feed", loc: srv.URL + "/drifted/hacks", wantErrs: []string{"hacks: ", `"date"`}},
		{name: "maintenance page", loc: srv.URL + "/maintenance/hacks", wantErrs: []string{fetch.ErrHTMLPage.Error()}},
		{name: "unreachable", loc: srv.URL + "/nothing-here", wantErrs: []string{"404"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := feedtest.Must(t, NewHacks, feedtest.Spec("defillama_hacks", tc.loc)).Fetch(t.Context(), feedtest.Client())
			feedtest.RequireFiles(t, feedtest.WithoutStat(files), err, tc.want, tc.wantErrs)
		})
	}
	srv.RequireUserAgent(t, fetch.UserAgent)
	_, bundles := feedtest.Must(t, NewHacks, feedtest.Spec("defillama_hacks", "x")).(feed.Bundler)
	require.False(t, bundles, "DeFiLlama has no bundled facts")
}

// The Pro endpoint's key goes into the path at fetch time and is redacted
// from the recorded response and the location.
func TestHacksProKeyRedacted(t *testing.T) {
	const key = "k3y-Zx81-redact-me"
	t.Setenv("HEISTSTAT_TEST_KEY", key)
	hacks := feedtest.Testdata(t, "hacks.json")
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{"GET /" + key + "/api/hacks": feedtest.Bytes(hacks)})
	src, err := NewHacks(feed.Spec{Name: "pro", Type: "defillama_hacks", Location: srv.URL + "/" + fetch.APIKeyPlaceholder + "/api/hacks", APIKeyEnv: "HEISTSTAT_TEST_KEY"})
	require.NoError(t, err)
	ex := &fetch.Exchange{}
	files, err := src.Fetch(fetch.WithExchange(t.Context(), ex), feedtest.Client())
	require.NoError(t, err)
	require.Equal(t, "hacks.json", files[0].Name)
	require.Equal(t, srv.URL+"/REDACTED/api/hacks", ex.Responses()[0].URL)
	require.NotContains(t, src.Location(), key)

	for _, bad := range []feed.Spec{
		{Name: "pro", Type: "defillama_hacks", Location: "https://pro-api.llama.fi/" + fetch.APIKeyPlaceholder + "/api/hacks"},
		{Name: "pro", Type: "defillama_hacks", Location: "https://api.llama.fi/hacks", APIKeyEnv: "X"},
	} {
		_, err := NewHacks(bad)
		require.ErrorContains(t, err, "api_key_env")
	}
}

// coinsServer answers batchHistorical with price = day of month + 1000 for
// every requested (coin, timestamp), echoing the timestamps.
func coinsServer(t *testing.T) *feedtest.Mux {
	return feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /batchHistorical": func(w http.ResponseWriter, r *http.Request) {
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
		},
	})
}

func TestCoinsBatches(t *testing.T) {
	day := feedtest.Day
	srv := coinsServer(t)
	s := feedtest.Spec("defillama_coins", srv.URL)
	s.Options = feedtest.YAML("batch_size: 2")
	src := feedtest.Must(t, NewCoins, s)
	needs := []feed.PriceNeed{
		{Asset: "ETH", CoinID: "ethereum", Date: day("2022-03-23")},
		{Asset: "BTC", CoinID: "bitcoin", Date: day("2024-02-21")},
		{Asset: "ETH", CoinID: "ethereum", Date: day("2022-03-23")}, // duplicate
		{Asset: "USDT", CoinID: "tether", Date: day("2023-06-03")},
		{Asset: "ETH", CoinID: "ethereum", Date: day("2025-02-21")},
	}
	src.(feed.Demander).SetDemand(needs)
	files, err := src.Fetch(t.Context(), feedtest.Client())
	require.NoError(t, err)
	require.Len(t, files, 2, "4 distinct pairs in batches of 2")
	require.Equal(t, "batch_0001.json", files[0].Name)
	require.Equal(t, "batch_0002.json", files[1].Name)
	var coins []string
	for _, r := range srv.Requests() {
		coins = append(coins, r.URL.Query().Get("coins"))
	}
	noon := func(d string) string { return strconv.FormatInt(day(d).Add(12*time.Hour).Unix(), 10) }
	require.Equal(t, []string{
		`{"coingecko:bitcoin":[` + noon("2024-02-21") + `],"coingecko:ethereum":[` + noon("2022-03-23") + `]}`,
		`{"coingecko:ethereum":[` + noon("2025-02-21") + `],"coingecko:tether":[` + noon("2023-06-03") + `]}`,
	}, coins)
	srv.RequireUserAgent(t, fetch.UserAgent)

	// The same demand in another order sends the same requests and lands the same bytes.
	srv.Take()
	for i, j := 0, len(needs)-1; i < j; i, j = i+1, j-1 {
		needs[i], needs[j] = needs[j], needs[i]
	}
	src.(feed.Demander).SetDemand(needs)
	again, err := src.Fetch(t.Context(), feedtest.Client())
	require.NoError(t, err)
	require.Equal(t, files, again)

	require.ErrorContains(t, checkCoins([]byte(`{"coins":{"coingecko:x":{"symbol":"X"}}}`)), `"prices" is missing`)
	require.ErrorContains(t, checkCoins([]byte(`{"prices":[]}`)), `"coins" is missing`)
	require.NoError(t, checkCoins([]byte(`{"coins":{}}`)))
}
