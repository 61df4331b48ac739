package pipeline

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
	"github.com/stretchr/testify/require"
)

// badInput is a small clean input set in the feeds' real formats
// (testdata/badinput), copied into dir with poison appended to or
// substituted into the named files.
type badInput struct {
	dir string
}

func newBadInput(t *testing.T) badInput {
	t.Helper()
	b := badInput{dir: filepath.Join(t.TempDir(), "in")}
	require.NoError(t, os.CopyFS(b.dir, os.DirFS("testdata/badinput")))
	return b
}

// edit rewrites one input file.
func (b badInput) edit(t *testing.T, name string, f func(string) string) {
	t.Helper()
	p := filepath.Join(b.dir, name)
	old, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte(f(string(old))), 0o644))
}

func (b badInput) config(t *testing.T) *Config {
	t.Helper()
	p := func(n string) string { return filepath.Join(b.dir, n) }
	return parse(t, `
sources:
  - {name: slowmist, type: slowmist_hacked, location: "`+p("slowmist.csv")+`"}
  - {name: defillama_hacks, type: defillama_hacks, location: "`+p("defillama.json")+`"}
  - {name: ecb_fx, type: ecb_eurofxref, location: "`+p("ecb.csv")+`"}
  - {name: prices_yfinance, type: prices_yfinance, location: "`+p("yfinance")+`"}
`, b.dir)
}

// published reads the figures a reader sees: annual totals and incidents.
func published(t *testing.T, res *Result) string {
	t.Helper()
	var out []string
	for _, f := range []string{"annual.csv", "annual_by_source.csv", "top_incidents.csv"} {
		b, err := os.ReadFile(filepath.Join(res.Current, "csv", f))
		require.NoError(t, err)
		out = append(out, string(b))
	}
	return strings.Join(out, "\n")
}

type reject struct{ source, feed, reason, record, key string }

func rejects(t *testing.T, res *Result) []reject {
	t.Helper()
	var out []reject
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/rejects.csv")) {
		out = append(out, reject{r["source"], r["feed"], r["reason"], r["record"], r["source_record_key"]})
	}
	return out
}

// rejectsBySource are each source's rejects as text(r), sorted.
func rejectsBySource(t *testing.T, res *Result, text func(reject) string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, r := range rejects(t, res) {
		out[r.source] = append(out[r.source], text(r))
	}
	for _, rs := range out {
		slices.Sort(rs)
	}
	return out
}

// rowCounts are each source's rows as "in=accepted+rejected" (of its last feed).
func rowCounts(res *Result) map[string]string {
	out := map[string]string{}
	for _, s := range res.Manifest.Sources {
		for _, r := range s.Rows {
			out[s.Name] = fmt.Sprintf("%d=%d+%d", r.RowsIn, r.Accepted, r.Rejected)
		}
	}
	return out
}

// balanced checks in = accepted + rejected for every source and feed.
func balanced(t *testing.T, res *Result) map[string][3]int64 {
	t.Helper()
	out := map[string][3]int64{}
	for _, s := range res.Manifest.Sources {
		for _, r := range s.Rows {
			require.Equal(t, r.RowsIn, r.Accepted+r.Rejected, "%s %s", s.Name, r.Feed)
			out[s.Name+"/"+r.Feed] = [3]int64{r.RowsIn, r.Accepted, r.Rejected}
		}
	}
	return out
}

func TestBadInputCleanBaseline(t *testing.T) {
	b := newBadInput(t)
	res, err := runWith(t, b.config(t), t.TempDir(), Options{})
	require.NoError(t, err)
	require.Equal(t, warehouse.StatusOK, res.Status)
	require.Empty(t, rejects(t, res))
	rows := balanced(t, res)
	require.Equal(t, [3]int64{3, 3, 0}, rows["slowmist/slowmist_hacked"])
	require.Equal(t, [3]int64{3, 3, 0}, rows["prices_yfinance/prices_yfinance"])
	require.Empty(t, rejects(t, res))
}

// A malformed line in each CSV feed (fields, quoting, line endings,
// encoding) is one reject with its line and reason; the rest loads and the
// figures are the clean run's.
func TestBadLinesQuarantined(t *testing.T) {
	clean := newBadInput(t)
	cleanRes, err := runWith(t, clean.config(t), t.TempDir(), Options{})
	require.NoError(t, err)

	b := newBadInput(t)
	b.edit(t, "slowmist.csv", func(s string) string {
		lines := strings.SplitAfter(s, "\n")
		// Line 3: too many fields; line 4: an unterminated quote; line 6:
		// invalid UTF-8.
		bad := []string{"2022-01-01,Extra,desc,1.0,m,ref,2022,surplus\n", `2022-01-02,"Open quote,desc,1.0,m,ref,2022` + "\n"}
		return strings.Join(slices.Concat(lines[:2], bad, lines[2:3], []string{"2022-01-03,Bad \xff\xfe name,d,1.0,m,ref,2022\n"}, lines[3:]), "")
	})
	// One LF line in a CRLF file, and a row with one field too many.
	b.edit(t, "ecb.csv", func(s string) string {
		return strings.Replace(s, "2022-03-29,1.1091,0.8446,\r\n", "2022-03-29,1.1091,0.8446,\n2022-03-30,1.1,0.84,9,9\r\n", 1)
	})
	b.edit(t, "yfinance/BTC-USD.csv", func(s string) string {
		return s + "2022-03-31,\xff45000.0,1,1,1,1\n2022-04-01,45000.0,1,1,1\n"
	})
	res, err := runWith(t, b.config(t), t.TempDir(), Options{})
	require.NoError(t, err)
	require.Equal(t, published(t, cleanRes), published(t, res), "the figures are the clean run's")

	var got []string
	for _, r := range rejects(t, res) {
		got = append(got, r.source+" "+r.reason+" "+r.record)
	}
	slices.Sort(got)
	require.Equal(t, []string{
		`ecb_fx malformed line: 5 fields, expected 4 {"file":"ecb.csv","line":5,"text":"2022-03-30,1.1,0.84,9,9"}`,
		`prices_yfinance malformed line: 5 fields, expected 6 {"file":"BTC-USD.csv","line":8,"text":"2022-04-01,45000.0,1,1,1"}`,
		`prices_yfinance malformed line: invalid UTF-8 {"file":"BTC-USD.csv","line":7,"text":"2022-03-31,�45000.0,1,1,1,1"}`,
		`slowmist malformed line: 8 fields, expected 7 {"file":"slowmist.csv","line":3,"text":"2022-01-01,Extra,desc,1.0,m,ref,2022,surplus"}`,
		`slowmist malformed line: invalid UTF-8 {"file":"slowmist.csv","line":6,"text":"2022-01-03,Bad � name,d,1.0,m,ref,2022"}`,
		`slowmist malformed line: unterminated quote {"file":"slowmist.csv","line":4,"text":"2022-01-02,\"Open quote,desc,1.0,m,ref,2022"}`,
	}, got)
	rows := balanced(t, res)
	require.Equal(t, [3]int64{6, 3, 3}, rows["slowmist/slowmist_hacked"])
	require.Equal(t, [3]int64{5, 3, 2}, rows["prices_yfinance/prices_yfinance"])
}

// A landed snapshot DuckDB cannot load (a JSON object with a duplicate key
// passes the fetch check) is marked unusable with the reason; the run falls
// back to the previous good snapshot and publishes, degraded, the figures
// of that snapshot.
func TestUnloadableSnapshotFallsBack(t *testing.T) {
	b := newBadInput(t)
	cfg := b.config(t)
	dir := t.TempDir()
	cfg.DataDir, cfg.OutDir = filepath.Join(dir, "data"), filepath.Join(dir, "out")
	first, err := Run(t.Context(), cfg, quietLog, Options{})
	require.NoError(t, err)
	require.Equal(t, warehouse.StatusOK, first.Status)
	want := published(t, first)

	b.edit(t, "defillama.json", func(s string) string {
		return strings.Replace(s, `"name":"Poly Network",`, `"name":"Poly Network","name":"Poly",`, 1)
	})
	res, err := Run(t.Context(), cfg, quietLog, Options{})
	require.NoError(t, err)
	require.Equal(t, warehouse.StatusDegraded, res.Status)
	require.Equal(t, want, published(t, res), "the previous snapshot's figures")
	var dl landing.Extracted
	for _, e := range res.Sources {
		if e.Source.Name() == "defillama_hacks" {
			dl = e
		}
	}
	require.Equal(t, landing.Archived, dl.Freshness)
	require.Equal(t, first.Manifest.Sources[1].FetchedAt, dl.Snapshot.FetchedAt.Format(time.RFC3339))
	require.ErrorContains(t, dl.FetchErr, "is unusable (raw_defillama_hacks cannot load it")
	require.ErrorContains(t, dl.FetchErr, `duplicate key "name"`)

	states, err := Sources(cfg)
	require.NoError(t, err)
	require.Equal(t, "defillama_hacks", states[1].Name)
	require.Equal(t, landing.Archived, states[1].Freshness, "the latest fetch is not the snapshot in use")
	require.Len(t, states[1].Unusable, 1)
	require.Contains(t, states[1].Unusable[0].Reason, `duplicate key "name"`)

	// The next run skips the marked snapshot at once.
	again, err := Run(t.Context(), cfg, quietLog, Options{Offline: true})
	require.NoError(t, err)
	require.Equal(t, want, published(t, again))
}

// Implausible values (a 1900 date, DeFiLlama date 0, 1e308, NaN) and
// duplicates (a second row for an FX date or a price day, an exact copy of
// an incident record) are each rejected with their reason; the figures are
// the clean run's and in = accepted + rejected counts every line.
func TestImplausibleAndDuplicateRecordsRejected(t *testing.T) {
	clean := newBadInput(t)
	cleanRes, err := runWith(t, clean.config(t), t.TempDir(), Options{})
	require.NoError(t, err)

	b := newBadInput(t)
	b.edit(t, "slowmist.csv", func(s string) string {
		ronin := strings.SplitAfter(s, "\n")[2]
		return s + "1900-01-01,Old Exchange,Far too early.,1000000.0,Unknown,https://example.org/old,1900\n" +
			"2022-06-01,Huge,Overflow.,1e308,Unknown,https://example.org/huge,2022\n" +
			"2022-06-02,NotANumber,NaN loss.,NaN,Unknown,https://example.org/nan,2022\n" + ronin
	})
	b.edit(t, "defillama.json", func(s string) string {
		poly := s[strings.Index(s, `{"date":1628553600`) : len(s)-2]
		return s[:len(s)-2] + ",\n" + poly + ",\n" +
			`{"date":0,"name":"Epoch","classification":"Protocol Logic","technique":"x","amount":5000000,"chain":["Ethereum"],"bridgeHack":false,"targetType":"DeFi Protocol","source":"","returnedFunds":null,"defillamaId":null,"language":null},` + "\n" +
			`{"date":1654041600,"name":"Overflow","classification":"Protocol Logic","technique":"x","amount":1e308,"chain":["Ethereum"],"bridgeHack":false,"targetType":"DeFi Protocol","source":"","returnedFunds":null,"defillamaId":null,"language":null}]` + "\n"
	})
	b.edit(t, "ecb.csv", func(s string) string {
		s = strings.Replace(s, "2021-08-09,", "2021-08-11,1e308,0.8470,\r\n2021-08-09,", 1)
		s = strings.Replace(s, "2022-03-28,", "2023-11-19,NaN,0.8770,\r\n2022-03-28,", 1)
		return s + "2022-03-28,2.0,1.5,\r\n"
	})
	b.edit(t, "yfinance/BTC-USD.csv", func(s string) string {
		return s + "2022-03-29,1.0,1,1,1,1\n2022-03-31,NaN,1,1,1,1\n2022-04-01,1e308,1,1,1,1\n,47000.0,1,1,1,1\n"
	})
	res, err := runWith(t, b.config(t), t.TempDir(), Options{})
	require.NoError(t, err)
	require.Equal(t, published(t, cleanRes), published(t, res), "the figures are the clean run's")

	got := map[string][]string{}
	for _, r := range rejects(t, res) {
		got[r.source] = append(got[r.source], r.reason)
	}
	for _, rs := range got {
		slices.Sort(rs)
	}
	require.Equal(t, []string{
		"amount above the plausible bound (USD 100 billion)",
		"amount is not a finite number",
		"date before 2009-01-03 (the first Bitcoin block)",
		"duplicate of line 3",
	}, got["slowmist"])
	require.Equal(t, []string{
		"amount above the plausible bound (USD 100 billion)",
		"date before 2009-01-03 (the first Bitcoin block)",
		"duplicate of an identical record",
	}, got["defillama_hacks"])
	require.Equal(t, []string{
		"duplicate of line 6",
		"rate is not a finite number",
		"rate more than 10x away from the neighbouring days' rates",
	}, got["ecb_fx"])
	require.Equal(t, []string{
		"close above the plausible bound (USD 10 million per unit)",
		"close is not a finite number",
		"duplicate of line 5",
		"unparseable date",
	}, got["prices_yfinance"])
	rows := balanced(t, res)
	require.Equal(t, [3]int64{7, 3, 4}, rows["slowmist/slowmist_hacked"])
	require.Equal(t, [3]int64{5, 2, 3}, rows["defillama_hacks/defillama_hacks"])
	require.Equal(t, [3]int64{7, 3, 4}, rows["prices_yfinance/prices_yfinance"])
}

// Invalid UTF-8 in a JSON feed does not fail the load: the bytes are
// replaced, and the record holding them is a reject with its reason.
func TestInvalidUTF8InJSONFeed(t *testing.T) {
	clean := newBadInput(t)
	cleanRes, err := runWith(t, clean.config(t), t.TempDir(), Options{})
	require.NoError(t, err)

	b := newBadInput(t)
	b.edit(t, "defillama.json", func(s string) string {
		return s[:len(s)-2] + ",\n" + `{"date":1654041600,"name":"Bad ` + "\xff\xfe" + ` bytes","classification":"Protocol Logic","technique":"x","amount":5000000,"chain":["Ethereum"],"bridgeHack":false,"targetType":"DeFi Protocol","source":"","returnedFunds":null,"defillamaId":null,"language":null}]` + "\n"
	})
	res, err := runWith(t, b.config(t), t.TempDir(), Options{})
	require.NoError(t, err)
	require.Equal(t, published(t, cleanRes), published(t, res))
	rs := rejects(t, res)
	require.Len(t, rs, 1)
	require.Equal(t, "invalid UTF-8 (replaced with U+FFFD at load)", rs[0].reason)
	require.Contains(t, rs[0].record, "Bad \ufffd bytes")
	require.Equal(t, [3]int64{3, 2, 1}, balanced(t, res)["defillama_hacks/defillama_hacks"])
	require.Contains(t, res.Manifest.Notes, "1 file(s) held invalid UTF-8, replaced with U+FFFD at load (first: defillama_hacks defillama.json line 3)")
}

// Retention: with keep_releases 1 each source keeps its newest two snapshot
// records and the objects they point to; of the warehouses moved aside
// only the newest stays.
func TestRetentionPrunesSnapshotsAndBrokenWarehouses(t *testing.T) {
	b := newBadInput(t)
	cfg := b.config(t)
	dir := t.TempDir()
	cfg.DataDir, cfg.OutDir, cfg.KeepReleases = filepath.Join(dir, "data"), filepath.Join(dir, "out"), 1
	require.NoError(t, os.MkdirAll(cfg.DataDir, 0o755))
	for _, at := range []string{"20250101T000000Z", "20250102T000000Z", "20250103T000000Z"} {
		require.NoError(t, os.WriteFile(filepath.Join(cfg.DataDir, "warehouse.duckdb.broken-"+at), []byte("x"), 0o644))
	}
	for i := range 4 {
		b.edit(t, "slowmist.csv", func(s string) string {
			return s + fmt.Sprintf("2021-09-0%d,Run %d,d,100000000.0,m,ref,2021\n", i+1, i)
		})
		_, err := Run(t.Context(), cfg, quietLog, Options{})
		require.NoError(t, err)
	}
	records, err := filepath.Glob(filepath.Join(cfg.DataDir, "landing/slowmist/snapshots/*.json"))
	require.NoError(t, err)
	require.Len(t, records, 2)
	objects, err := filepath.Glob(filepath.Join(cfg.DataDir, "landing/slowmist/objects/*"))
	require.NoError(t, err)
	require.Len(t, objects, 2, "one object per kept record: the older inputs are gone")
	broken, err := filepath.Glob(filepath.Join(cfg.DataDir, "warehouse.duckdb.broken-*"))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(cfg.DataDir, "warehouse.duckdb.broken-20250103T000000Z")}, broken)
	// The archive still serves an offline run.
	_, err = Run(t.Context(), cfg, quietLog, Options{Offline: true})
	require.NoError(t, err)
}

// The lock file is never opened through a symlink: a link planted at .lock
// fails the lock and leaves its target untouched.
func TestLockDoesNotFollowSymlink(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside.txt")
	require.NoError(t, os.WriteFile(outside, []byte("precious\n"), 0o644))
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(data, ".lock")))
	_, err := landing.LockDataDir(t.Context(), quietLog, data, 0)
	require.ErrorContains(t, err, "locking "+data)
	b, err := os.ReadFile(outside)
	require.NoError(t, err)
	require.Equal(t, "precious\n", string(b))

	// A regular lock file works and records its holder.
	out := filepath.Join(dir, "out")
	unlock, err := landing.LockOutDir(t.Context(), quietLog, out, 0)
	require.NoError(t, err)
	_, err = landing.LockOutDir(t.Context(), quietLog, out, 0)
	require.ErrorIs(t, err, landing.ErrLocked)
	require.ErrorContains(t, err, "on the output folder")
	unlock()
}

// A poisoned line in each CSV feed type (too many fields, invalid UTF-8)
// and invalid UTF-8 in each JSON incident or address feed: the run
// publishes, the bad lines are rejects with their reason, and rows in =
// accepted + rejected.
func TestPoisonInEveryFeedType(t *testing.T) {
	td := absPath(t, "../sources")
	lastLine := func(s string) string {
		lines := strings.Split(strings.TrimRight(s, "\r\n"), "\n")
		return strings.TrimRight(lines[len(lines)-1], "\r")
	}
	// The last line with two more fields, and a line of the right width
	// holding invalid UTF-8.
	csvPoison := func(s string) string {
		first, err := csv.NewReader(strings.NewReader(s)).Read()
		require.NoError(t, err)
		return strings.TrimRight(s, "\r\n") + "\n" + lastLine(s) + ",extra,extra\n" + "bad \xff" + strings.Repeat(",", len(first)-1) + "\n"
	}
	for _, tc := range []struct {
		typ, fixture, file string
		poison             func(string) string
		reasons            []string
	}{
		{"slowmist_hacked", "slowmist/testdata", "hacked.csv", csvPoison, []string{"malformed line: 9 fields, expected 7", "malformed line: invalid UTF-8"}},
		{"defi_rekt", "defirekt/testdata", "all_records.csv", csvPoison, []string{"malformed line: 13 fields, expected 11", "malformed line: invalid UTF-8"}},
		{"prices_coinmarketcap", "prices/testdata/coinmarketcap", "coin_Tether.csv", csvPoison, []string{"malformed line: 12 fields, expected 10", "malformed line: invalid UTF-8"}},
		{"ofac_sdn_csv", "ofac/testdata", "sdn.csv", csvPoison, []string{"malformed line: 14 fields, expected 12", "malformed line: invalid UTF-8"}},
		{"ecb_data_api", "ecb/testdata/data_api", "short_quoted.csv", csvPoison, []string{"malformed line: 10 fields, expected 8", "malformed line: invalid UTF-8"}},
		{"blocksec_events", "blocksec/testdata", "all.json", func(s string) string { return strings.Replace(s, "RetoSwap", "Reto\xffSwap", 1) },
			[]string{"invalid UTF-8 (replaced with U+FFFD at load)"}},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in")
			require.NoError(t, os.CopyFS(in, os.DirFS(filepath.Join(td, tc.fixture))))
			p := filepath.Join(in, tc.file)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(p, []byte(tc.poison(string(b))), 0o644))
			loc := p
			if tc.typ == "prices_coinmarketcap" {
				loc = in
			}
			yaml := offlineYAML + "  - {name: poisoned, type: " + tc.typ + ", location: \"" + loc + "\"}\n"
			res, err := runWith(t, parse(t, yaml, dir), dir, Options{})
			require.NoError(t, err)
			var got []string
			for _, r := range rejects(t, res) {
				// The fixtures' own rejects are tested elsewhere.
				if r.source == "poisoned" && (strings.HasPrefix(r.reason, "malformed") || strings.Contains(r.reason, "UTF-8")) {
					got = append(got, r.reason)
				}
			}
			slices.Sort(got)
			require.Equal(t, tc.reasons, got)
			balanced(t, res)
		})
	}
}

// A price used for a valuation that moved more than 10x from the day
// before is kept but named in the release notes.
func TestPriceJumpNamedInNotes(t *testing.T) {
	dir := t.TempDir()
	td := absPath(t, "../sources")
	prices := filepath.Join(dir, "yfinance")
	require.NoError(t, os.CopyFS(prices, os.DirFS(filepath.Join(td, "prices/testdata/yfinance"))))
	eth := filepath.Join(prices, "ETH-USD.csv")
	b, err := os.ReadFile(eth)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(eth, []byte(strings.Replace(string(b), "2022-03-22,2973.131103515625,", "2022-03-22,100.0,", 1)), 0o644))
	yaml := strings.Replace(fixtureYAML(t), filepath.Join(td, "prices/testdata/yfinance"), prices, 1)
	res, err := runWith(t, parse(t, yaml, dir), dir, Options{})
	require.NoError(t, err)
	require.Contains(t, res.Manifest.Notes, "1 price(s) used for valuation moved more than 10x from the day before (first: ETH 2022-03-23): check the price feed before quoting those incidents")
}

// The ECB data API's key is found by header name: a second row for a
// (series, day) is a reject; a rate 10x away from its neighbours too.
func TestECBDataAPIDuplicatesAndOutliers(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ecb.csv")
	require.NoError(t, os.WriteFile(p, []byte(`"KEY","FREQ","CURRENCY","CURRENCY_DENOM","EXR_TYPE","EXR_SUFFIX","TIME_PERIOD","OBS_VALUE"
"EXR.D.USD.EUR.SP00.A","D","USD","EUR","SP00","A","2022-03-22","1.1024"
"EXR.D.USD.EUR.SP00.A","D","USD","EUR","SP00","A","2022-03-23","1.0985"
"EXR.D.USD.EUR.SP00.A","D","USD","EUR","SP00","A","2022-03-24","1e308"
"EXR.D.USD.EUR.SP00.A","D","USD","EUR","SP00","A","2022-03-25","1.0982"
"EXR.D.USD.EUR.SP00.A","D","USD","EUR","SP00","A","2022-03-23","2.5"
"EXR.D.USD.EUR.SP00.A","D","USD","EUR","SP00","A","2022-03-28","NaN"
`), 0o644))
	yaml := offlineYAML + "  - {name: ecb_api, type: ecb_data_api, location: \"" + p + "\"}\n"
	res, err := runWith(t, parse(t, yaml, dir), dir, Options{})
	require.NoError(t, err)
	var got []string
	for _, r := range rejects(t, res) {
		if r.source == "ecb_api" {
			got = append(got, r.reason)
		}
	}
	slices.Sort(got)
	require.Equal(t, []string{"OBS_VALUE is not a finite number", "duplicate of line 3", "rate more than 10x away from the neighbouring days' rates"}, got)
	require.Equal(t, [3]int64{6, 3, 3}, balanced(t, res)["ecb_api/ecb_data_api"])
}
