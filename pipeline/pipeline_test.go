package pipeline

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// publishedFiles are the names users and scripts rely on.
var publishedFiles = []string{
	"parquet/incidents/incidents.parquet",
	"parquet/incident_assets/incident_assets.parquet",
	"parquet/incident_amounts/incident_amounts.parquet",
	"parquet/prices/prices.parquet",
	"parquet/fx/fx.parquet",
	"parquet/rejects/rejects.parquet",
	"csv/annual.csv",
	"csv/annual_by_actor.csv",
	"csv/annual_by_source.csv",
	"csv/rejects.csv",
	"csv/annual_by_victim_type.csv",
	"csv/annual_by_chain.csv",
	"csv/annual_by_technique.csv",
	"csv/annual_by_country.csv",
	"csv/top_incidents.csv",
	"csv/actor_share.csv",
	"parquet/reconciliation/reconciliation.parquet",
	"csv/reconciliation.csv",
	"csv/annual_by_category.csv",
	"manifest.json",
	"SCHEMA.md",
}

func TestSnapshotPublishesEveryFile(t *testing.T) {
	res := snapshotRun(t)
	require.Equal(t, warehouse.StatusOK, res.Status)
	for _, f := range publishedFiles {
		require.FileExists(t, filepath.Join(res.Current, f))
	}
	require.Equal(t,
		[]string{"year", "incidents", "incidents_valued", "incidents_unvalued", "stolen_usd", "stolen_gbp",
			"recovered_usd", "reimbursed_usd", "yoy_incidents_pct", "yoy_stolen_usd_pct", "yoy_stolen_gbp_pct",
			"yoy_basis", "is_partial_year", "as_of_date"},
		header(t, filepath.Join(res.Current, "csv/annual.csv")))
	require.Equal(t,
		[]string{"year", "actor", "incidents", "incidents_valued", "incidents_unvalued", "stolen_usd", "stolen_gbp",
			"incidents_confirmed", "stolen_usd_confirmed", "share_of_year_pct",
			"yoy_incidents_pct", "yoy_stolen_usd_pct", "yoy_stolen_gbp_pct", "yoy_basis", "is_partial_year",
			"incidents_strength_g", "incidents_strength_f", "incidents_strength_c", "stolen_usd_strength_g", "as_of_date"},
		header(t, filepath.Join(res.Current, "csv/annual_by_actor.csv")))
}

// The DeFiLlama rows of annual_by_source.csv must equal count(*) and
// sum(amount) per UTC year of the raw JSON, recomputed here in Go.
func TestSnapshotDefiLlamaYearsMatchRawJSON(t *testing.T) {
	res := snapshotRun(t)
	b, err := os.ReadFile(filepath.Join(sharedData, "hacks/defillama_hacks_2026-05-29.json"))
	require.NoError(t, err)
	var recs []struct {
		Date   int64    `json:"date"`
		Amount *float64 `json:"amount"`
	}
	require.NoError(t, json.Unmarshal(b, &recs))
	type agg struct {
		n   int
		sum float64
	}
	want := map[string]*agg{}
	for _, r := range recs {
		y := strconv.Itoa(time.Unix(r.Date, 0).UTC().Year())
		if want[y] == nil {
			want[y] = &agg{}
		}
		want[y].n++
		if r.Amount != nil {
			want[y].sum += *r.Amount
		}
	}
	got := map[string]map[string]string{}
	for _, row := range readCSV(t, filepath.Join(res.Current, "csv/annual_by_source.csv")) {
		if row["source"] == "defillama_hacks" {
			got[row["year"]] = row
		}
	}
	require.Len(t, got, len(want), "years")
	total := 0
	for y, w := range want {
		require.Contains(t, got, y)
		require.Equal(t, strconv.Itoa(w.n), got[y]["incidents"], "count %s", y)
		require.Equal(t, fmt.Sprintf("%.2f", w.sum), got[y]["stolen_usd"], "sum %s", y)
		total += w.n
	}
	require.Equal(t, 538, total)
	require.Equal(t, "17", got["2020"]["incidents"])
}

// closeOn reads one day's close from a yfinance CSV.
func closeOn(t *testing.T, file, day string) float64 {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), day+","); ok {
			v, err := strconv.ParseFloat(strings.Split(rest, ",")[0], 64)
			require.NoError(t, err)
			return v
		}
	}
	t.Fatalf("%s has no %s", file, day)
	return 0
}

// ecbOn reads one currency's rate per EUR on one day from eurofxref-hist.csv.
func ecbOn(t *testing.T, day, ccy string) float64 {
	t.Helper()
	return ecbIn(t, filepath.Join(sharedData, "fx/eurofxref-hist.csv"), day, ccy)
}

// ecbIn reads one rate from an ECB history file.
func ecbIn(t *testing.T, file, day, ccy string) float64 {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	lines := strings.Split(string(b), "\n")
	cols := strings.Split(lines[0], ",")
	for _, l := range lines[1:] {
		if f := strings.Split(l, ","); f[0] == day {
			for i, c := range cols {
				if c == ccy {
					v, err := strconv.ParseFloat(f[i], 64)
					require.NoError(t, err)
					return v
				}
			}
		}
	}
	t.Fatalf("no ECB %s on %s", ccy, day)
	return 0
}

type incident struct {
	ID, Victim, Method, PriceDate, FXDate string
	USD, GBP                              float64
	Sources                               string
}

func incidentsWhere(t *testing.T, current, where string) []incident {
	t.Helper()
	rows, err := duck(t).QueryContext(t.Context(), fmt.Sprintf(`
		SELECT incident_id, victim, valuation_method, coalesce(strftime(price_date, '%%Y-%%m-%%d'), ''),
			coalesce(strftime(fx_rate_date, '%%Y-%%m-%%d'), ''), amount_usd::DOUBLE, amount_gbp::DOUBLE,
			array_to_string(sources, ',')
		FROM read_parquet('%s') WHERE %s ORDER BY incident_date, incident_id`,
		filepath.Join(current, "parquet/incidents/incidents.parquet"), where))
	require.NoError(t, err)
	defer rows.Close()
	var out []incident
	for rows.Next() {
		var i incident
		require.NoError(t, rows.Scan(&i.ID, &i.Victim, &i.Method, &i.PriceDate, &i.FXDate, &i.USD, &i.GBP, &i.Sources))
		out = append(out, i)
	}
	require.NoError(t, rows.Err())
	return out
}

// Ronin: 173,600 ETH + 25.5M USDC valued at the 2022-03-23 closes, and GBP
// at the ECB cross rate of that day.
func TestSnapshotRoninValuation(t *testing.T) {
	res := snapshotRun(t)
	got := incidentsWhere(t, res.Current, "incident_date = DATE '2022-03-23' AND victim ILIKE 'ronin%'")
	require.Len(t, got, 1, "Ronin appears once")
	r := got[0]
	eth := closeOn(t, filepath.Join(sharedData, "prices/yfinance_2018-2025/ETH-USD.csv"), "2022-03-23")
	usdc := closeOn(t, filepath.Join(sharedData, "prices/yfinance_2018-2025/USDC-USD.csv"), "2022-03-23")
	want := 173600*eth + 25_500_000*usdc
	require.Equal(t, "native_at_theft_date", r.Method)
	require.Equal(t, "2022-03-23", r.PriceDate)
	require.InDelta(t, want, r.USD, 0.01)
	require.True(t, r.USD > 530e6 && r.USD < 580e6, "Ronin at theft-date prices: %.2f", r.USD)
	require.Equal(t, "curated_dprk,defi_rekt,defihacklabs,defillama_hacks,dn_institute,rekt_news,slowmist", r.Sources)

	cross := ecbOn(t, "2022-03-23", "GBP") / ecbOn(t, "2022-03-23", "USD")
	require.Equal(t, "2022-03-23", r.FXDate)
	require.Equal(t, math.Round(cross*1e4), math.Round(r.GBP/r.USD*1e4), "GBP/USD %.6f vs ECB %.6f", r.GBP/r.USD, cross)
	require.InDelta(t, 0.7581, cross, 0.00005)
}

// A theft on a weekend is converted at the previous ECB business day.
func TestSnapshotFXAsOfWeekend(t *testing.T) {
	res := snapshotRun(t)
	got := incidentsWhere(t, res.Current, "dayofweek(incident_date) = 0 AND amount_usd IS NOT NULL AND incident_date < DATE '2025-05-01'")
	require.NotEmpty(t, got)
	d, err := time.Parse(time.DateOnly, got[0].FXDate)
	require.NoError(t, err)
	require.Equal(t, time.Friday, d.Weekday(), "%+v", got[0])
}

func TestSnapshotManifest(t *testing.T) {
	res := snapshotRun(t)
	b, err := os.ReadFile(filepath.Join(res.Current, "manifest.json"))
	require.NoError(t, err)
	var m output.Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	require.Equal(t, res.RunID, m.RunID)
	require.Equal(t, "ok", m.Status)
	require.Equal(t, output.SchemaVersion, m.SchemaVersion)
	require.Equal(t, "2026-08-20", m.AsOfDate, "the latest DeFiHackLabs entry (its READMEs were saved on 2026-08-22, the other feeds on 2026-05-29)")
	require.Equal(t, []string{"USD", "GBP"}, m.Currencies)
	byName := map[string]output.ManifestSource{}
	for _, s := range m.Sources {
		byName[s.Name] = s
	}
	dl := byName["defillama_hacks"]
	require.Equal(t, "live", dl.Freshness)
	require.Equal(t, int64(150199), dl.Bytes)
	require.Len(t, dl.Files, 1)
	require.Len(t, dl.Files[0].SHA256, 64)
	require.Equal(t, []output.RowCount{{Feed: "defillama_hacks", RowsIn: 538, Accepted: 538, Rejected: 0}}, dl.Rows)
	require.Equal(t, "bundled", byName["curated_dprk"].Freshness)
	for _, f := range m.Files {
		require.Len(t, f.SHA256, 64, f.Path)
	}
}

// Same inputs, byte-identical outputs (the manifest and report.html alone
// carry run times), on the in-repo fixtures of every feed.
func TestDeterministicOutputs(t *testing.T) {
	first := goldenRun(t)
	second, err := runWith(t, goldenConfig(t), "", Options{})
	require.NoError(t, err)
	for _, f := range publishedFiles {
		if f == "manifest.json" || f == "report.html" {
			continue
		}
		a, err := os.ReadFile(filepath.Join(first.Current, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(second.Current, f))
		require.NoError(t, err)
		require.True(t, string(a) == string(b), "%s differs between two runs", f)
	}
}

// No scientific notation, inf or NaN in any CSV, and YoY empty when undefined.
func TestCSVFixedPoint(t *testing.T) {
	res := goldenRun(t)
	csvs, err := filepath.Glob(filepath.Join(res.Current, "csv", "*.csv"))
	require.NoError(t, err)
	require.Greater(t, len(csvs), 10)
	for _, p := range csvs {
		name := strings.TrimSuffix(filepath.Base(p), ".csv")
		f, err := os.Open(p)
		require.NoError(t, err)
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		require.NoError(t, err)
		for _, rec := range recs[1:] {
			for _, cell := range rec {
				require.NotRegexp(t, `^[-+]?[0-9.]+[eE][-+]?[0-9]+$`, cell, name)
				require.NotContains(t, []string{"inf", "-inf", "nan", "NaN", "Infinity"}, cell, name)
			}
		}
	}
	rows := readCSV(t, filepath.Join(res.Current, "csv/annual.csv"))
	require.Equal(t, "2020", rows[0]["year"], "the fixtures start in 2020")
	require.Empty(t, rows[0]["yoy_stolen_usd_pct"], "first year has no YoY")
	last := rows[len(rows)-1]
	require.Equal(t, "2026", last["year"])
	require.Equal(t, "true", last["is_partial_year"])
	require.Equal(t, "false", rows[len(rows)-2]["is_partial_year"])
}

// The schema contract analysts rely on: names, types, compression, metadata.
func TestParquetSchemaContract(t *testing.T) {
	res := goldenRun(t)
	db := duck(t)
	file := filepath.Join(res.Current, "parquet/incidents/incidents.parquet")
	want := map[string]string{
		"incident_id": "VARCHAR", "incident_date": "DATE", "year": "INTEGER", "source": "VARCHAR",
		"victim": "VARCHAR", "victim_type": "VARCHAR", "chains": "VARCHAR[]", "technique": "VARCHAR",
		"classification": "VARCHAR", "actor": "VARCHAR", "attribution_strength": "VARCHAR",
		"amount_usd": "DECIMAL(18,2)", "amount_gbp": "DECIMAL(18,2)", "valuation_method": "VARCHAR",
		"price_date": "DATE", "fx_rate_date": "DATE", "returned_usd": "DECIMAL(18,2)",
	}
	rows, err := db.QueryContext(t.Context(), fmt.Sprintf("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('%s'))", file))
	require.NoError(t, err)
	got := map[string]string{}
	for rows.Next() {
		var n, typ string
		require.NoError(t, rows.Scan(&n, &typ))
		got[n] = typ
	}
	require.NoError(t, rows.Err())
	rows.Close()
	for col, typ := range want {
		require.Equal(t, typ, got[col], col)
	}

	var physical, logical string
	require.NoError(t, db.QueryRowContext(t.Context(), fmt.Sprintf(
		"SELECT type, logical_type FROM parquet_schema('%s') WHERE name = 'amount_usd'", file)).Scan(&physical, &logical))
	require.Equal(t, "INT64", physical)
	require.Contains(t, logical, "precision=18")

	for _, ds := range []string{"incidents", "incident_assets", "incident_amounts", "prices", "fx"} {
		f := filepath.Join(res.Current, "parquet", ds, ds+".parquet")
		var codecs string
		require.NoError(t, db.QueryRowContext(t.Context(), fmt.Sprintf(
			"SELECT string_agg(DISTINCT compression, ',') FROM parquet_metadata('%s')", f)).Scan(&codecs))
		require.Equal(t, "ZSTD", codecs, ds)
		var version string
		require.NoError(t, db.QueryRowContext(t.Context(), fmt.Sprintf(
			"SELECT decode(value) FROM parquet_kv_metadata('%s') WHERE decode(key) = 'schema_version'", f)).Scan(&version))
		require.Equal(t, output.SchemaVersion, version, ds)
	}
}

// Without network, archive or local files, the run publishes the curated
// list valued with the bundled price and FX points, and says so.
func TestOfflineUsesBundledFacts(t *testing.T) {
	dir := t.TempDir()
	res, err := runWith(t, parse(t, offlineYAML, dir), dir, Options{})
	require.NoError(t, err)
	require.Equal(t, warehouse.StatusDegraded, res.Status)
	fresh := map[string]string{}
	for _, s := range res.Manifest.Sources {
		fresh[s.Name] = s.Freshness
		if s.Name == "defillama_hacks" {
			require.Contains(t, s.Error, "127.0.0.1:1")
		}
	}
	require.Equal(t, map[string]string{"defillama_hacks": "missing", "ecb_fx": "bundled",
		"prices_yfinance": "bundled", "curated_dprk": "bundled"}, fresh)

	got := incidentsWhere(t, res.Current, "victim ILIKE 'ronin%'")
	require.Len(t, got, 1)
	require.Equal(t, "native_at_theft_date", got[0].Method)
	require.True(t, got[0].USD > 530e6 && got[0].USD < 580e6, "%.2f", got[0].USD)
	require.InDelta(t, 0.7581, got[0].GBP/got[0].USD, 0.00005)
	require.FileExists(t, filepath.Join(res.Current, "csv/annual.csv"))
}

// When a feed that worked before fails, its latest archived snapshot stands in.
func TestFailingFeedFallsBackToArchive(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "hacks.json")
	b, err := os.ReadFile("../sources/defillama/testdata/hacks.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(feed, b, 0o644))
	ecb := absPath(t, "testdata/golden_inputs/ecb/eurofxref-hist.csv")
	cfg := parse(t, strings.Replace(withHacks(feed), "http://127.0.0.1:1/eurofxref-hist.zip", ecb, 1), dir)

	first, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	require.Equal(t, "live", first.Manifest.Sources[0].Freshness)
	fetchedAt := first.Manifest.Sources[0].FetchedAt

	require.NoError(t, os.WriteFile(feed, []byte("<!DOCTYPE html><html>maintenance</html>"), 0o644))
	second, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	s := second.Manifest.Sources[0]
	require.Equal(t, "archived", s.Freshness)
	require.Equal(t, fetchedAt, s.ArchivedAt)
	require.Contains(t, s.Error, "not a JSON array")
	require.Equal(t, warehouse.StatusDegraded, second.Status)
	a, _ := os.ReadFile(filepath.Join(first.Release, "csv/annual_by_source.csv"))
	c, _ := os.ReadFile(filepath.Join(second.Release, "csv/annual_by_source.csv"))
	require.Equal(t, string(a), string(c))
}

// Malformed records are quarantined with their reason and counted.
func TestMalformedRecordsAreQuarantined(t *testing.T) {
	dir := t.TempDir()
	res, err := runWith(t, parse(t, withHacks(absPath(t, "testdata/defillama_malformed.json")), dir), dir, Options{})
	require.NoError(t, err)
	reasons := map[string]bool{}
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/rejects.csv")) {
		if r["source"] == "defillama_hacks" {
			reasons[r["reason"]] = true
		}
	}
	require.Equal(t, map[string]bool{"missing or unparseable date": true, "negative amount": true,
		"date in the future": true, "unparseable amount": true, "chain is not a list": true}, reasons)
	rows := res.Manifest.Sources[0].Rows
	require.Equal(t, []output.RowCount{{Feed: "defillama_hacks", RowsIn: 8, Accepted: 3, Rejected: 5}}, rows)
	n := 0
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/annual_by_source.csv")) {
		if r["source"] == "defillama_hacks" {
			k, _ := strconv.Atoi(r["incidents"])
			n += k
		}
	}
	require.Equal(t, 3, n)
}

// A failing data test stops the run before publish: current stays as it was.
func TestFailedDataTestPublishesNothing(t *testing.T) {
	dir := t.TempDir()
	good, err := runWith(t, parse(t, offlineYAML, dir), dir, Options{})
	require.NoError(t, err)

	dup := filepath.Join(dir, "curated.csv")
	b, err := os.ReadFile("../sources/bundled/dprk_incidents.csv")
	require.NoError(t, err)
	// A theft before the first ECB rate the run has: valued in USD, with no
	// GBP rate to convert it.
	early := "2010-early,2010-06-01,day,Early Exchange,cex,,DPRK,,C,test row,,,,1000000,,,,,,,\n"
	require.NoError(t, os.WriteFile(dup, []byte(string(b)+early), 0o644))
	cfg := parse(t, strings.Replace(offlineYAML, "location: embedded", "location: "+dup, 1), dir)
	_, err = runWith(t, cfg, dir, Options{})
	var dte *warehouse.DataTestError
	require.True(t, errors.As(err, &dte), "want a data test failure, got %v", err)
	var failed []string
	for _, f := range dte.Failures {
		failed = append(failed, f.Test)
	}
	require.Equal(t, []string{"assert_fct_incidents__gbp_present"}, failed)

	target, err := os.Readlink(filepath.Join(dir, "out/current"))
	require.NoError(t, err)
	require.Equal(t, filepath.Join("releases", good.RunID), target)
	entries, err := os.ReadDir(filepath.Join(dir, "out/releases"))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no new or partial release")
}

func TestSecondWriterIsLockedOut(t *testing.T) {
	dir := t.TempDir()
	cfg := parse(t, offlineYAML, dir)
	cfg.DataDir = filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(cfg.DataDir, 0o755))
	l := flock.New(filepath.Join(cfg.DataDir, ".lock"))
	ok, err := l.TryLock()
	require.True(t, ok, err)
	defer l.Unlock()
	_, err = runWith(t, cfg, dir, Options{})
	require.ErrorIs(t, err, landing.ErrLocked)
}

// Any ECB currency is a config switch: EUR and JPY add columns.
func TestExtraCurrencies(t *testing.T) {
	cfg := goldenConfig(t)
	cfg.Currencies, cfg.ValueAt = []string{"GBP", "EUR", "JPY"}, ""
	res, err := runWith(t, cfg, "", Options{})
	require.NoError(t, err)
	h := header(t, filepath.Join(res.Current, "csv/annual.csv"))
	require.Equal(t, []string{"stolen_eur", "stolen_jpy"}, h[len(h)-2:])
	var usd, eur, jpy float64
	require.NoError(t, duck(t).QueryRowContext(t.Context(), fmt.Sprintf(`
		SELECT amount_usd::DOUBLE, amount_eur::DOUBLE, amount_jpy::DOUBLE FROM read_parquet('%s')
		WHERE victim ILIKE 'ronin%%' AND year = 2022`, filepath.Join(res.Current, "parquet/incidents/incidents.parquet"))).Scan(&usd, &eur, &jpy))
	ecb := "testdata/golden_inputs/ecb/eurofxref-hist.csv"
	require.InDelta(t, 1/ecbIn(t, ecb, "2022-03-23", "USD"), eur/usd, 1e-6)
	require.InDelta(t, ecbIn(t, ecb, "2022-03-23", "JPY")/ecbIn(t, ecb, "2022-03-23", "USD"), jpy/usd, 1e-4)

	cfg.Currencies = []string{"GBP", "GPB"}
	_, err = runWith(t, cfg, "", Options{})
	var dte *warehouse.DataTestError
	require.ErrorAs(t, err, &dte)
	require.Contains(t, dte.Error(), "GPB")
}
