package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heiststat/heiststat/pipeline/warehouse"
	"github.com/stretchr/testify/require"
)

// goldenYAML reads every feed's small in-repo fixture (sources/*/testdata), so
// the golden run touches every raw, staging, intermediate and mart model;
// testdata/golden_inputs holds ECB rows spanning the fixtures' incident dates.
const goldenYAML = `
currencies: [GBP, EUR]
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: TD/defillama/testdata/hacks.json}
  - {name: ecb_fx, type: ecb_eurofxref, location: GI/ecb/eurofxref-hist.csv}
  - {name: ecb_api, type: ecb_data_api, location: TD/ecb/testdata/data_api/full.csv}
  - {name: prices_yfinance, type: prices_yfinance, location: TD/prices/testdata/yfinance}
  - {name: prices_coinmarketcap, type: prices_coinmarketcap, location: TD/prices/testdata/coinmarketcap}
  - {name: curated_dprk, type: curated_incidents, location: TD/curated/testdata/dprk_incidents.csv}
  - {name: slowmist, type: slowmist_hacked, location: TD/slowmist/testdata/hacked.csv}
  - {name: defi_rekt, type: defi_rekt, location: TD/defirekt/testdata/all_records.csv}
  - {name: blocksec, type: blocksec_events, location: TD/blocksec/testdata/all.json}
  - {name: ofac_sdn, type: ofac_sdn_csv, location: TD/ofac/testdata/sdn.csv}
  - {name: ofac_addresses, type: ofac_addresses, location: TD/ofac/testdata/addresses}
  - {name: ofac_sdn_advanced, type: ofac_sdn_advanced, location: TD/ofac/testdata/sdn_advanced.xml}
`

// goldenConfig reads the in-repo fixtures of every feed.
func goldenConfig(t *testing.T) *Config {
	t.Helper()
	td, gi := absPath(t, "../sources"), absPath(t, "testdata/golden_inputs")
	cfg := parse(t, strings.NewReplacer("TD", td, "GI", gi).Replace(goldenYAML), t.TempDir())
	cfg.ValueAt = "2024-11-21"
	return cfg
}

var (
	goldenOnce sync.Once
	goldenRes  *Result
	goldenErr  error
)

// goldenRun publishes the golden fixtures once per test binary, with a
// pinned clock; the contract tests read that release.
func goldenRun(t *testing.T) *Result {
	t.Helper()
	cfg := goldenConfig(t)
	goldenOnce.Do(func() {
		var dir string
		if dir, goldenErr = os.MkdirTemp("", "heiststat-golden-"); goldenErr != nil {
			return
		}
		cfg.DataDir, cfg.OutDir = filepath.Join(dir, "data"), filepath.Join(dir, "out")
		goldenRes, goldenErr = Run(context.Background(), cfg, quietLog,
			Options{Now: func() time.Time { return time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC) }})
		if goldenErr == nil && goldenRes.Status != warehouse.StatusOK {
			goldenErr = fmt.Errorf("golden run status %s", goldenRes.Status)
		}
	})
	require.NoError(t, goldenErr)
	return goldenRes
}

// TestGolden runs the pipeline end to end on the in-repo fixtures and
// compares every published dataset with testdata/golden: the CSVs byte for
// byte, each Parquet dataset as the CSV DuckDB reads back from it. `go test
// ./pipeline -run Golden -update` rewrites the golden files after an
// intended change; review their diff like code.
func TestGolden(t *testing.T) {
	res := goldenRun(t)

	got := map[string]string{}
	csvs, err := filepath.Glob(filepath.Join(res.Current, "csv", "*.csv"))
	require.NoError(t, err)
	for _, p := range csvs {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		got["csv/"+filepath.Base(p)] = string(b)
	}
	db := duck(t)
	parquets, err := filepath.Glob(filepath.Join(res.Current, "parquet", "*", "*.parquet"))
	require.NoError(t, err)
	for _, p := range parquets {
		out := filepath.Join(t.TempDir(), "x.csv")
		_, err := db.Exec("COPY (SELECT * FROM read_parquet('" + p + "')) TO '" + out + "' (HEADER)")
		require.NoError(t, err)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		got["parquet/"+strings.TrimSuffix(filepath.Base(p), ".parquet")+".csv"] = string(b)
	}
	require.Greater(t, len(got), 15)

	dir := filepath.Join("testdata", "golden")
	if *update {
		require.NoError(t, os.RemoveAll(dir))
		for name, body := range got {
			p := filepath.Join(dir, name)
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		}
		return
	}
	want := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		want[filepath.ToSlash(rel)] = string(b)
		return err
	}))
	for name := range want {
		_, ok := got[name]
		require.True(t, ok, "golden dataset %s is no longer published", name)
	}
	for name, body := range got {
		_, ok := want[name]
		require.True(t, ok, "new dataset %s: go test ./pipeline -run Golden -update", name)
		if diff := cmp.Diff(want[name], body); diff != "" {
			t.Errorf("%s differs from testdata/golden (go test ./pipeline -run Golden -update after an intended change):\n%s", name, diff)
		}
	}
}
