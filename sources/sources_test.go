package sources

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/sources/bundled"
)

// sharedData is the folder of real snapshots beside the checkout. Tests read
// it in place and skip when it is absent; nothing from it is copied here.
const sharedData = "../../shared/data"

// sharedPath returns the path of a file under ../shared/data, skipping the
// test when the folder is absent. A file missing from a present folder fails.
func sharedPath(t *testing.T, rel string) string {
	t.Helper()
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("../shared/data not found: %v (this test reads the real snapshots in place)", err)
	}
	p := filepath.Join(sharedData, rel)
	_, err := os.Stat(p)
	require.NoError(t, err, "real snapshot %s", rel)
	return p
}

func readShared(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(sharedPath(t, rel))
	require.NoError(t, err)
	return b
}

func readTestdata(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", rel))
	require.NoError(t, err)
	return b
}

// testClient retries like the real client, with millisecond waits.
func testClient() *http.Client { return testClientTimeout(5 * time.Second) }

func testClientTimeout(d time.Duration) *http.Client {
	o := DefaultHTTPOptions()
	o.Timeout, o.ConnectTimeout, o.RetryWaitMin, o.RetryWaitMax = d, time.Second, time.Millisecond, 5*time.Millisecond
	return NewClient(o)
}

// ---------------------------------------------------------------- DeFiLlama

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

func TestCheckDefiLlamaHacksRealSnapshots(t *testing.T) {
	t.Run("edge cases sample", func(t *testing.T) {
		b := readShared(t, edgeCasesSample)
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
		require.NoError(t, checkDefiLlamaHacks(b))
	})
	t.Run("full feed 2026-05-29", func(t *testing.T) {
		b := readShared(t, fullHacksFeed)
		require.Len(t, decodeHacks(t, b), 538)
		require.NoError(t, checkDefiLlamaHacks(b))
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

func TestCheckDefiLlamaHacksDrift(t *testing.T) {
	fixture := readTestdata(t, "defillama/hacks.json")
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
			err := checkDefiLlamaHacks(mutateHacks(t, fixture, tc.mutate))
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

func TestCheckDefiLlamaHacksNotAnArray(t *testing.T) {
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
			err := checkDefiLlamaHacks([]byte(tc.body))
			require.Error(t, err)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// --------------------------------------------------------------------- ECB

const ecbSample = "api_samples/ecb/eurofxref-hist_sample_2022-03.csv"

// withHeader replaces the first line of a CSV.
func withHeader(b []byte, header string) []byte {
	_, rest, _ := bytes.Cut(b, []byte("\n"))
	return append([]byte(header+"\n"), rest...)
}

func header(b []byte) string { return firstLines(b, 1)[0] }

func TestCheckECBHist(t *testing.T) {
	fixture := readTestdata(t, "ecb/eurofxref-hist.csv")
	h := header(fixture)
	many := "Date," + strings.Repeat("XXX,", 63) + "USD,GBP"
	for _, tc := range []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{name: "fixture", data: fixture},
		{name: "CRLF line ends", data: bytes.ReplaceAll(fixture, []byte("\n"), []byte("\r\n"))},
		{name: "header only", data: []byte(h + "\n")},
		{name: "missing GBP column", data: withHeader(fixture, strings.Replace(h, ",GBP,", ",", 1)), wantErr: `"GBP"`},
		{name: "missing USD column", data: withHeader(fixture, strings.Replace(h, ",USD,", ",", 1)), wantErr: `"USD"`},
		{name: "lower-case date", data: withHeader(fixture, "date"+strings.TrimPrefix(h, "Date")), wantErr: `"Date"`},
		{name: "first column not Date", data: withHeader(fixture, strings.Replace(h, "Date,USD,", "USD,Date,", 1)), wantErr: `"Date"`},
		{
			name:    "ECB data-api csvdata instead of the hist file",
			data:    []byte("KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE\nEXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2024-01-02,1.0956\n"),
			wantErr: `"Date"`,
		},
		{name: "more columns than the raw model reads", data: []byte(many + "\n"), wantErr: "at most 64"},
		{name: "empty", data: nil, wantErr: "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkECBHist(tc.data)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
	t.Run("real sample 2022-03", func(t *testing.T) {
		require.NoError(t, checkECBHist(readShared(t, ecbSample)))
	})
	t.Run("real full history", func(t *testing.T) {
		require.NoError(t, checkECBHist(readShared(t, "fx/eurofxref-hist.csv")))
	})
}

type zipEntry struct {
	name string
	data []byte
}

func buildZip(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		require.NoError(t, err)
		_, err = w.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestECBFilesZip(t *testing.T) {
	t.Run("real sample zipped", func(t *testing.T) {
		csv := readShared(t, ecbSample)
		zb := buildZip(t, zipEntry{"eurofxref-hist.csv", csv})
		files, err := ecbFiles(namedBytes{name: "eurofxref-hist.zip", data: zb})
		require.NoError(t, err)
		require.Equal(t, []File{
			{Name: "eurofxref-hist.zip", Format: "", Data: zb},
			{Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: csv},
		}, files)
	})

	fixture := readTestdata(t, "ecb/eurofxref-hist.csv")
	noGBP := withHeader(fixture, strings.Replace(header(fixture), ",GBP,", ",", 1))
	valid := buildZip(t, zipEntry{"eurofxref-hist.csv", fixture})
	for _, tc := range []struct {
		name     string
		nb       namedBytes
		wantCSV  string // name of the landed CSV
		wantErrs []string
	}{
		{name: "zip from the ECB", nb: namedBytes{name: "eurofxref-hist.zip", data: valid}, wantCSV: "eurofxref-hist.csv"},
		{name: "upper-case .ZIP", nb: namedBytes{name: "EUROFXREF-HIST.ZIP", data: valid}, wantCSV: "eurofxref-hist.csv"},
		{
			name:    "csv in a folder, upper-case name, after a readme",
			nb:      namedBytes{name: "eurofxref-hist.zip", data: buildZip(t, zipEntry{"README.txt", []byte("ECB")}, zipEntry{"data/EUROFXREF-HIST.CSV", fixture})},
			wantCSV: "EUROFXREF-HIST.CSV",
		},
		{
			name:     "zip without a csv",
			nb:       namedBytes{name: "eurofxref-hist.zip", data: buildZip(t, zipEntry{"eurofxref-hist.xml", []byte("<gesmes/>")})},
			wantErrs: []string{"no .csv file"},
		},
		{name: "corrupt zip", nb: namedBytes{name: "eurofxref-hist.zip", data: []byte("PK\x03\x04 this is not a zip")}, wantErrs: []string{"not a zip archive"}},
		{name: "truncated zip", nb: namedBytes{name: "eurofxref-hist.zip", data: valid[:len(valid)-30]}, wantErrs: []string{"not a zip archive"}},
		{name: "HTML saved as zip", nb: namedBytes{name: "eurofxref-hist.zip", data: []byte("<!DOCTYPE html><html></html>")}, wantErrs: []string{"not a zip archive"}},
		{
			name:     "zipped csv without GBP",
			nb:       namedBytes{name: "eurofxref-hist.zip", data: buildZip(t, zipEntry{"eurofxref-hist.csv", noGBP})},
			wantErrs: []string{"eurofxref-hist.csv", `"GBP"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := ecbFiles(tc.nb)
			if tc.wantErrs != nil {
				requireErrorContainsAll(t, err, tc.wantErrs)
				require.Nil(t, files)
				return
			}
			require.NoError(t, err)
			require.Equal(t, []File{
				{Name: tc.nb.name, Format: "", Data: tc.nb.data},
				{Name: tc.wantCSV, Format: "ecb_eurofxref", Data: fixture},
			}, files)
		})
	}
}

func TestECBFilesCSV(t *testing.T) {
	fixture := readTestdata(t, "ecb/eurofxref-hist.csv")
	files, err := ecbFiles(namedBytes{name: "eurofxref-hist.csv", data: fixture})
	require.NoError(t, err)
	require.Equal(t, []File{{Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: fixture}}, files)

	_, err = ecbFiles(namedBytes{name: "eurofxref-hist.csv", data: withHeader(fixture, "TIME_PERIOD,USD,GBP,")})
	require.ErrorContains(t, err, `"Date"`)
}

// ------------------------------------------------------------------ prices

func TestCheckYFinance(t *testing.T) {
	fixture := readTestdata(t, "yfinance/ETH-USD.csv")
	lines := strings.SplitAfter(string(fixture), "\n")
	data := strings.Join(lines[3:], "")
	for _, tc := range []struct {
		name    string
		data    string
		wantErr string
	}{
		{name: "fixture", data: string(fixture)},
		{name: "CRLF line ends", data: strings.ReplaceAll(string(fixture), "\n", "\r\n")},
		{name: "headers only", data: strings.Join(lines[:3], "")},
		{name: "single header row", data: "Date,Close,High,Low,Open,Volume\n" + data, wantErr: "first header row"},
		{name: "single header row, short file", data: "Date,Close,High,Low,Open,Volume\n" + lines[3], wantErr: "want 3 header rows"},
		{name: "reordered first header", data: "Price,Open,High,Low,Close,Volume\n" + strings.Join(lines[1:], ""), wantErr: "first header row"},
		{name: "Adj Close column (older yfinance)", data: "Price,Adj Close,Close,High,Low,Open,Volume\n" + strings.Join(lines[1:], ""), wantErr: "first header row"},
		{name: "no Ticker row", data: lines[0] + lines[2] + data, wantErr: `"Ticker,"`},
		{name: "no Date row", data: lines[0] + lines[1] + data, wantErr: `"Date,"`},
		{name: "empty", data: "", wantErr: "got 0 lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkYFinance([]byte(tc.data))
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
	t.Run("real ETH-USD 2018-2025", func(t *testing.T) {
		require.NoError(t, checkYFinance(readShared(t, "prices/yfinance_2018-2025/ETH-USD.csv")))
	})
}

func TestCheckCoinMarketCapHeader(t *testing.T) {
	t.Run("real coin_Tether", func(t *testing.T) {
		require.NoError(t, checkHeader(readShared(t, "prices/kaggle_coinmarketcap_2013-2021/coin_Tether.csv"), coinMarketCapHeader))
	})
	t.Run("fixture", func(t *testing.T) {
		require.NoError(t, checkHeader(readTestdata(t, "coinmarketcap/coin_Tether.csv"), coinMarketCapHeader))
	})
	t.Run("renamed column", func(t *testing.T) {
		err := checkHeader(readTestdata(t, "coinmarketcap_renamed/coin_Tether.csv"), coinMarketCapHeader)
		require.ErrorContains(t, err, "MarketCap")
		require.ErrorContains(t, err, "unexpected header")
	})
	t.Run("yfinance file given to the coinmarketcap source", func(t *testing.T) {
		require.ErrorContains(t, checkHeader(readTestdata(t, "yfinance/ETH-USD.csv"), coinMarketCapHeader), "Price,Close")
	})
}

// ----------------------------------------------------------------- curated

func TestCheckCuratedHeader(t *testing.T) {
	embedded, err := bundled.FS.ReadFile("dprk_incidents.csv")
	require.NoError(t, err)
	fixture := readTestdata(t, "curated/dprk_incidents.csv")
	for _, tc := range []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{name: "embedded dataset", data: embedded},
		{name: "fixture", data: fixture},
		{name: "BOM and CRLF", data: readTestdata(t, "curated_bom/dprk_incidents.csv")},
		{name: "missing column", data: withHeader(fixture, strings.Replace(CuratedHeader, ",returned_usd", "", 1)), wantErr: "unexpected header"},
		{name: "extra column", data: withHeader(fixture, CuratedHeader+",source"), wantErr: "unexpected header"},
		{name: "reordered columns", data: withHeader(fixture, strings.Replace(CuratedHeader, "victim,victim_type", "victim_type,victim", 1)), wantErr: "unexpected header"},
		{name: "header in quotes", data: withHeader(fixture, `"`+strings.ReplaceAll(CuratedHeader, ",", `","`)+`"`), wantErr: "unexpected header"},
		{name: "BOM only", data: []byte("\xef\xbb\xbf"), wantErr: "empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkHeader(tc.data, CuratedHeader)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// ---------------------------------------------------------------- location

func writeFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644))
	}
}

func names(nbs []namedBytes) []string {
	var out []string
	for _, nb := range nbs {
		out = append(out, nb.name)
	}
	return out
}

func TestReadLocationLocal(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "c.json", "a.json", "b.json", "notes.txt")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "d.json"), 0o755)) // a folder matching the glob is skipped
	empty := t.TempDir()

	for _, tc := range []struct {
		name, loc, glob string
		want            []string
		wantErr         string
	}{
		{name: "folder with glob, sorted", loc: dir, glob: "*.json", want: []string{"a.json", "b.json", "c.json"}},
		{name: "folder, empty glob means all", loc: dir, glob: "", want: []string{"a.json", "b.json", "c.json", "notes.txt"}},
		{name: "single file ignores glob", loc: filepath.Join(dir, "notes.txt"), glob: "*.json", want: []string{"notes.txt"}},
		{name: "folder without matches", loc: empty, glob: "*.json", wantErr: `no files matching "*.json"`},
		{name: "bad glob", loc: dir, glob: "[", wantErr: "bad file pattern"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nbs, err := readLocation(t.Context(), nil, tc.loc, tc.glob)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, names(nbs))
			for _, nb := range nbs {
				require.Equal(t, nb.name, string(nb.data))
			}
		})
	}

	t.Run("missing path", func(t *testing.T) {
		_, err := readLocation(t.Context(), nil, filepath.Join(dir, "missing.json"), "*.json")
		require.ErrorIs(t, err, fs.ErrNotExist)
	})
}

// uaServer serves routes and records the User-Agent of every request.
type uaServer struct {
	*httptest.Server
	mu  sync.Mutex
	uas []string
}

func newUAServer(t *testing.T, routes map[string]http.HandlerFunc) *uaServer {
	t.Helper()
	s := &uaServer{}
	mux := http.NewServeMux()
	for pattern, h := range routes {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.uas = append(s.uas, r.UserAgent())
			s.mu.Unlock()
			if r.UserAgent() != UserAgent {
				http.Error(w, "unexpected User-Agent "+r.UserAgent(), http.StatusBadRequest)
				return
			}
			h(w, r)
		})
	}
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *uaServer) userAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.uas)
}

func serveBytes(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(b) }
}

func TestReadLocationHTTP(t *testing.T) {
	body := readTestdata(t, "defillama/hacks.json")
	srv := newUAServer(t, map[string]http.HandlerFunc{
		"GET /hacks":      serveBytes(body),
		"GET /doctype":    serveBytes([]byte("<!DOCTYPE html>\n<html><head><title>Just a moment...</title></head></html>")),
		"GET /doctype-lc": serveBytes([]byte("\n  <!doctype html><html></html>")),
		"GET /html":       serveBytes([]byte("<html><body>Captive portal</body></html>")),
		"GET /boom": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream down", http.StatusInternalServerError)
		},
		"GET /gone":          func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
		"GET /old":           func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/hacks", http.StatusFound) },
		"GET /eurofxref.csv": serveBytes([]byte("Date,USD,GBP,\n")),
	})
	hc := testClient()

	for _, tc := range []struct {
		name, path string
		wantName   string
		wantData   []byte
		wantIs     error
		wantErr    string
	}{
		{name: "data", path: "/hacks", wantName: "hacks", wantData: body},
		{name: "query is not part of the name", path: "/eurofxref.csv?ts=1", wantName: "eurofxref.csv", wantData: []byte("Date,USD,GBP,\n")},
		{name: "redirect followed with the User-Agent", path: "/old", wantName: "old", wantData: body},
		{name: "HTML doctype with 200", path: "/doctype", wantIs: ErrHTMLPage},
		{name: "lower-case doctype after blank lines", path: "/doctype-lc", wantIs: ErrHTMLPage},
		{name: "html element with 200", path: "/html", wantIs: ErrHTMLPage},
		{name: "HTTP 500", path: "/boom", wantErr: "500"},
		{name: "HTTP 404", path: "/gone", wantErr: "404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nbs, err := readLocation(t.Context(), hc, srv.URL+tc.path, "*.json")
			switch {
			case tc.wantIs != nil:
				require.ErrorIs(t, err, tc.wantIs)
				require.ErrorContains(t, err, srv.URL+tc.path)
			case tc.wantErr != "":
				require.ErrorContains(t, err, tc.wantErr)
				require.ErrorContains(t, err, srv.URL+tc.path)
			default:
				require.NoError(t, err)
				require.Equal(t, []namedBytes{{name: tc.wantName, data: tc.wantData}}, nbs)
			}
		})
	}

	uas := srv.userAgents()
	require.NotEmpty(t, uas)
	for _, ua := range uas {
		require.Equal(t, UserAgent, ua)
	}
}

func TestReadLocationHTTPCancelAndTimeout(t *testing.T) {
	srv := newUAServer(t, map[string]http.HandlerFunc{
		"GET /slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		},
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := readLocation(ctx, testClient(), srv.URL+"/slow", "")
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("client timeout", func(t *testing.T) {
		hc := testClientTimeout(100 * time.Millisecond)
		_, err := readLocation(t.Context(), hc, srv.URL+"/slow", "")
		require.Error(t, err)
		require.Regexp(t, `(?i)timeout|deadline`, err.Error(), "the client's timeout stopped it")
	})
}

// --------------------------------------------------------------------- New

// optionsFunc is an Options backed by a function, as pipeline's YAML node is.
type optionsFunc func(v any) error

func (f optionsFunc) Decode(v any) error { return f(v) }

func TestNew(t *testing.T) {
	srcs, err := New([]Spec{
		{Name: "hacks", Type: "defillama_hacks", Location: "https://api.llama.fi/hacks"},
		{Name: "ecb_fx", Type: "ecb_eurofxref", Location: "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"},
		{Name: "prices_yf", Type: "prices_yfinance", Location: "testdata/yfinance"},
		{Name: "prices_cmc2", Type: "prices_coinmarketcap", Location: "testdata/coinmarketcap"},
		{Name: "dprk", Type: "curated_incidents"},
	})
	require.NoError(t, err)
	var got [][3]string
	for _, s := range srcs {
		got = append(got, [3]string{s.Name(), s.Type(), s.Location()})
	}
	require.Equal(t, [][3]string{
		{"hacks", "defillama_hacks", "https://api.llama.fi/hacks"},
		{"ecb_fx", "ecb_eurofxref", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"},
		{"prices_yf", "prices_yfinance", "testdata/yfinance"},
		{"prices_cmc2", "prices_coinmarketcap", "testdata/coinmarketcap"},
		{"dprk", "curated_incidents", Embedded},
	}, got)
}

func TestTypesMatchConstructors(t *testing.T) {
	require.Len(t, Types(), len(constructors))
	for _, typ := range Types() {
		require.Contains(t, constructors, typ)
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		specs    []Spec
		wantErrs []string
	}{
		{
			name:     "unknown type lists the known types",
			specs:    []Spec{{Name: "coingecko", Type: "coingecko", Location: "https://api.coingecko.com"}},
			wantErrs: append([]string{`source "coingecko": unknown type "coingecko"`}, Types()...),
		},
		{
			name: "duplicate names",
			specs: []Spec{
				{Name: "hacks", Type: "defillama_hacks", Location: "a.json"},
				{Name: "hacks", Type: "ecb_eurofxref", Location: "b.csv"},
			},
			wantErrs: []string{`source "hacks": duplicate name`},
		},
		{name: "name with a dash", specs: []Spec{{Name: "Bad-Name", Type: "defillama_hacks", Location: "a.json"}}, wantErrs: []string{`source "Bad-Name": name must match`}},
		{name: "empty name", specs: []Spec{{Type: "defillama_hacks", Location: "a.json"}}, wantErrs: []string{`source "": name must match`}},
		{name: "name starting with a digit", specs: []Spec{{Name: "1hacks", Type: "defillama_hacks", Location: "a.json"}}, wantErrs: []string{`source "1hacks"`}},
		{name: "location required", specs: []Spec{{Name: "hacks", Type: "defillama_hacks"}}, wantErrs: []string{`source "hacks": location is required`}},
		{
			name: "options error is reported with the source",
			specs: []Spec{{Name: "yf", Type: "prices_yfinance", Location: "x", Options: optionsFunc(func(any) error {
				return errors.New(`line 9: unknown option "x"`)
			})}},
			wantErrs: []string{`source "yf": line 9: unknown option "x"`},
		},
		{
			name: "all errors reported at once",
			specs: []Spec{
				{Name: "Bad-Name", Type: "defillama_hacks", Location: "a.json"},
				{Name: "ok", Type: "defillama_hacks", Location: "a.json"},
				{Name: "ok", Type: "defillama_hacks", Location: "a.json"},
				{Name: "fred", Type: "fred", Location: "b.csv"},
				{Name: "ecb", Type: "ecb_eurofxref"},
			},
			wantErrs: []string{`"Bad-Name"`, `source "ok": duplicate name`, `unknown type "fred"`, `source "ecb": location is required`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.specs)
			require.Error(t, err)
			requireErrorContainsAll(t, err, tc.wantErrs)
		})
	}

	t.Run("joined errors are separate", func(t *testing.T) {
		_, err := New([]Spec{{Name: "A"}, {Name: "b", Type: "nope"}, {Name: "c", Type: "ecb_eurofxref"}})
		var joined interface{ Unwrap() []error }
		require.ErrorAs(t, err, &joined)
		require.Len(t, joined.Unwrap(), 3)
	})
}

func TestPriceOptionsPattern(t *testing.T) {
	srcs, err := New([]Spec{{
		Name: "yf", Type: "prices_yfinance", Location: "testdata/yfinance",
		Options: optionsFunc(func(v any) error {
			v.(*patternOptions).Pattern = "BTC-*.csv"
			return nil
		}),
	}})
	require.NoError(t, err)
	files, err := srcs[0].Fetch(t.Context(), testClient())
	require.NoError(t, err)
	require.Len(t, files, 1)
	require.Equal(t, "BTC-USD.csv", files[0].Name)
}

// ---------------------------------------------------------- Fetch end to end

func newSource(t *testing.T, typ, loc string) Source {
	t.Helper()
	srcs, err := New([]Spec{{Name: "src", Type: typ, Location: loc}})
	require.NoError(t, err)
	return srcs[0]
}

func TestFetchEndToEnd(t *testing.T) {
	hacks := readTestdata(t, "defillama/hacks.json")
	ecbCSV := readTestdata(t, "ecb/eurofxref-hist.csv")
	ecbZip := buildZip(t, zipEntry{"eurofxref-hist.csv", ecbCSV})
	eth := readTestdata(t, "yfinance/ETH-USD.csv")
	btc := readTestdata(t, "yfinance/BTC-USD.csv")
	tether := readTestdata(t, "coinmarketcap/coin_Tether.csv")
	curated := readTestdata(t, "curated/dprk_incidents.csv")
	curatedBOM := readTestdata(t, "curated_bom/dprk_incidents.csv")
	drifted := mutateHacks(t, hacks, func(r map[string]json.RawMessage) { r["timestamp"] = r["date"]; delete(r, "date") })

	srv := newUAServer(t, map[string]http.HandlerFunc{
		"GET /hacks":         serveBytes(hacks),
		"GET /drifted/hacks": serveBytes(drifted),
		"GET /stats/eurofxref/eurofxref-hist.zip": serveBytes(ecbZip),
		"GET /stats/eurofxref/eurofxref-hist.csv": serveBytes(ecbCSV),
		"GET /data/ETH-USD.csv":                   serveBytes(eth),
		"GET /data/coin_Tether.csv":               serveBytes(tether),
		"GET /curated/dprk_incidents.csv":         serveBytes(curated),
		"GET /maintenance/hacks":                  serveBytes([]byte("<!DOCTYPE html><title>Maintenance</title>")),
	})
	hc := testClient()

	for _, tc := range []struct {
		name, typ, loc string
		want           []File
		wantErrs       []string
	}{
		{name: "defillama over http", typ: "defillama_hacks", loc: srv.URL + "/hacks",
			want: []File{{Name: "hacks.json", Format: "defillama_hacks", Data: hacks}}},
		{name: "defillama local file", typ: "defillama_hacks", loc: "testdata/defillama/hacks.json",
			want: []File{{Name: "hacks.json", Format: "defillama_hacks", Data: hacks}}},
		{name: "defillama local folder", typ: "defillama_hacks", loc: "testdata/defillama",
			want: []File{{Name: "hacks.json", Format: "defillama_hacks", Data: hacks}}},
		{name: "defillama drifted feed", typ: "defillama_hacks", loc: srv.URL + "/drifted/hacks", wantErrs: []string{"hacks: ", `"date"`}},
		{name: "defillama maintenance page", typ: "defillama_hacks", loc: srv.URL + "/maintenance/hacks", wantErrs: []string{ErrHTMLPage.Error()}},
		{name: "defillama unreachable", typ: "defillama_hacks", loc: srv.URL + "/nothing-here", wantErrs: []string{"404"}},

		{name: "ecb zip over http", typ: "ecb_eurofxref", loc: srv.URL + "/stats/eurofxref/eurofxref-hist.zip",
			want: []File{{Name: "eurofxref-hist.zip", Data: ecbZip}, {Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: ecbCSV}}},
		{name: "ecb csv over http", typ: "ecb_eurofxref", loc: srv.URL + "/stats/eurofxref/eurofxref-hist.csv",
			want: []File{{Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: ecbCSV}}},
		{name: "ecb local folder", typ: "ecb_eurofxref", loc: "testdata/ecb",
			want: []File{{Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: ecbCSV}}},
		{name: "ecb given the yfinance folder", typ: "ecb_eurofxref", loc: "testdata/yfinance", wantErrs: []string{`no files matching "eurofxref-hist*"`}},

		{name: "yfinance over http", typ: "prices_yfinance", loc: srv.URL + "/data/ETH-USD.csv",
			want: []File{{Name: "ETH-USD.csv", Format: "prices_yfinance", Data: eth}}},
		{name: "yfinance local folder skips non-matching files", typ: "prices_yfinance", loc: "testdata/yfinance",
			want: []File{{Name: "BTC-USD.csv", Format: "prices_yfinance", Data: btc}, {Name: "ETH-USD.csv", Format: "prices_yfinance", Data: eth}}},
		{name: "yfinance given a coinmarketcap file", typ: "prices_yfinance", loc: "testdata/coinmarketcap/coin_Tether.csv",
			wantErrs: []string{"coin_Tether.csv: ", "first header row"}},

		{name: "coinmarketcap over http", typ: "prices_coinmarketcap", loc: srv.URL + "/data/coin_Tether.csv",
			want: []File{{Name: "coin_Tether.csv", Format: "prices_coinmarketcap", Data: tether}}},
		{name: "coinmarketcap local folder", typ: "prices_coinmarketcap", loc: "testdata/coinmarketcap",
			want: []File{{Name: "coin_Tether.csv", Format: "prices_coinmarketcap", Data: tether}}},
		{name: "coinmarketcap renamed column", typ: "prices_coinmarketcap", loc: "testdata/coinmarketcap_renamed",
			wantErrs: []string{"coin_Tether.csv: ", "MarketCap"}},

		{name: "curated over http", typ: "curated_incidents", loc: srv.URL + "/curated/dprk_incidents.csv",
			want: []File{{Name: "dprk_incidents.csv", Format: "curated_incidents", Data: curated}}},
		{name: "curated local folder", typ: "curated_incidents", loc: "testdata/curated",
			want: []File{{Name: "dprk_incidents.csv", Format: "curated_incidents", Data: curated}}},
		{name: "curated with BOM lands the bytes unchanged", typ: "curated_incidents", loc: "testdata/curated_bom/dprk_incidents.csv",
			want: []File{{Name: "dprk_incidents.csv", Format: "curated_incidents", Data: curatedBOM}}},
		{name: "curated given the ECB file", typ: "curated_incidents", loc: "testdata/ecb/eurofxref-hist.csv",
			wantErrs: []string{"eurofxref-hist.csv: ", "unexpected header"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := newSource(t, tc.typ, tc.loc).Fetch(t.Context(), hc)
			if tc.wantErrs != nil {
				requireErrorContainsAll(t, err, tc.wantErrs)
				require.Nil(t, files)
				return
			}
			require.NoError(t, err)
			for i := range files {
				files[i].Stat = nil // local files carry theirs (TestReadLocalReusesUnchangedFiles)
			}
			require.Equal(t, tc.want, files)
		})
	}

	for _, ua := range srv.userAgents() {
		require.Equal(t, UserAgent, ua)
	}
}

func TestFetchRealSnapshots(t *testing.T) {
	for _, tc := range []struct {
		name, typ, rel string
		wantFiles      int
	}{
		{name: "defillama hacks", typ: "defillama_hacks", rel: fullHacksFeed, wantFiles: 1},
		{name: "ecb full history", typ: "ecb_eurofxref", rel: "fx/eurofxref-hist.csv", wantFiles: 1},
		{name: "yfinance folder", typ: "prices_yfinance", rel: "prices/yfinance_2018-2025", wantFiles: 13},
		{name: "coinmarketcap folder", typ: "prices_coinmarketcap", rel: "prices/kaggle_coinmarketcap_2013-2021", wantFiles: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := newSource(t, tc.typ, sharedPath(t, tc.rel)).Fetch(t.Context(), testClient())
			require.NoError(t, err)
			require.Len(t, files, tc.wantFiles)
			for _, f := range files {
				require.Equal(t, tc.typ, f.Format)
				require.NotEmpty(t, f.Data)
			}
		})
	}
}

func TestBundled(t *testing.T) {
	for _, tc := range []struct {
		typ, wantName, wantFormat string
	}{
		{"ecb_eurofxref", "fx.csv", "bundled_fx"},
		{"prices_yfinance", "prices.csv", "bundled_prices"},
		{"prices_coinmarketcap", "prices.csv", "bundled_prices"},
		{"curated_incidents", "dprk_incidents.csv", "curated_incidents"},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			src := newSource(t, tc.typ, "x")
			b, ok := src.(Bundler)
			require.True(t, ok, "%s has no bundled facts", tc.typ)
			files := b.Bundled()
			require.Len(t, files, 1)
			require.Equal(t, tc.wantName, files[0].Name)
			require.Equal(t, tc.wantFormat, files[0].Format)
			require.GreaterOrEqual(t, len(firstLines(files[0].Data, 2)), 2, "bundled %s has no data rows", tc.wantName)
			if tc.wantFormat == "curated_incidents" {
				require.NoError(t, checkHeader(files[0].Data, CuratedHeader))
			}
		})
	}
	t.Run("defillama has none", func(t *testing.T) {
		_, ok := newSource(t, "defillama_hacks", "x").(Bundler)
		require.False(t, ok)
	})
}

// requireErrorContainsAll requires err to mention every one of wants.
func requireErrorContainsAll(t *testing.T, err error, wants []string) {
	t.Helper()
	for _, want := range wants {
		require.ErrorContains(t, err, want)
	}
}
