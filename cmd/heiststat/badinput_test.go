package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// A panic anywhere below the command is a failed run (1) with its stack,
// never the runtime's 2, which reads as a usage error.
func TestPanicExitsFailed(t *testing.T) {
	var stderr bytes.Buffer
	code := guard(&stderr, func() int {
		var years []int
		return years[3] // index out of range, as an empty chart once did
	})
	require.Equal(t, exitFailed, code)
	require.Contains(t, stderr.String(), "heiststat: internal error: runtime error: index out of range")
	require.Contains(t, stderr.String(), "goroutine ", "the stack is logged")
}

// Every configuration error exits 2 (usage), before anything runs.
func TestConfigErrorsExitUsage(t *testing.T) {
	dir := t.TempDir()
	for name, yaml := range map[string]string{
		"unknown type":   "sources:\n  - {name: a, type: no_such_type, location: x}\n",
		"duplicate name": "sources:\n  - {name: a, type: curated_incidents, location: embedded}\n  - {name: a, type: curated_incidents, location: embedded}\n",
		"invalid name":   "sources:\n  - {name: Bad-Name, type: curated_incidents, location: embedded}\n",
		"unknown option": "sources:\n  - {name: a, type: prices_yfinance, location: x, options: {no_such_option: 1}}\n",
		"two documents":  "sources:\n  - {name: a, type: curated_incidents, location: embedded}\n---\nout_dir: elsewhere\n",
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".yaml")
		require.NoError(t, os.WriteFile(p, []byte(yaml), 0o644))
		var stdout, stderr bytes.Buffer
		require.Equal(t, exitUsage, run([]string{"run", "-c", p}, &stdout, &stderr), name)
		require.Contains(t, stderr.String(), "config "+p, name)
	}
}

// No incident feed gives a record (the only one answers nothing): the run
// publishes, degraded, and the report says there were no incidents.
func TestEmptyIncidentSetPublishesReport(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `data_dir: data
out_dir: out
http: {retry_wait_min: 1ms, retry_wait_max: 2ms, retries: 0}
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: "http://127.0.0.1:1/hacks"}
  - {name: ecb_fx, type: ecb_eurofxref, location: `+testdata(t)+`/ecb/testdata/eurofxref-hist.csv}
`)
	code, stdout, stderr := runChild(t, "run", "-c", cfg)
	require.Contains(t, []int{exitOK, exitDegraded}, code, stderr)
	require.Contains(t, stdout, "Published release")
	report, err := os.ReadFile(filepath.Join(dir, "out/current/report.html"))
	require.NoError(t, err)
	require.Contains(t, string(report), `id="no-incidents"`)
	require.Contains(t, string(report), "No incidents")
	annual, err := os.ReadFile(filepath.Join(dir, "out/current/csv/annual.csv"))
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(annual), "\n"), "a header and no year")
}

// A snapshot DuckDB cannot load falls back to the previous one, the run is
// degraded, and `heiststat sources` shows the snapshot marked unusable and why.
func TestSourcesShowsUnusableSnapshot(t *testing.T) {
	dir := t.TempDir()
	cfg := fixtureConfig(t, dir, "")
	feed := filepath.Join(dir, "hacks.json")
	b, err := os.ReadFile("../../sources/defillama/testdata/hacks.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(feed, b, 0o644))
	editConfig(t, cfg, `location: `+testdata(t)+`/defillama/testdata/hacks.json`, `location: `+feed)

	code, _, stderr := runChild(t, "run", "-c", cfg)
	require.Equal(t, exitOK, code, stderr)
	// A duplicate key passes the fetch check but not DuckDB's reader.
	require.NoError(t, os.WriteFile(feed, bytes.Replace(b, []byte(`"name":`), []byte(`"name":"x","name":`), 1), 0o644))
	code, stdout, stderr := runChild(t, "run", "-c", cfg)
	require.Equal(t, exitDegraded, code, stderr)
	require.Regexp(t, `source defillama_hacks\s+archived`, stdout)
	requireValidCurrent(t, filepath.Join(dir, "out"))

	code, stdout, stderr = runChild(t, "sources", "-c", cfg)
	require.Equal(t, exitOK, code, stderr)
	require.Regexp(t, `defillama_hacks\s+defillama_hacks\s+archived\s+\S+\s+\d+\s+snapshot \S+ unusable: raw_defillama_hacks cannot load it: .*duplicate key "name"\n`, stdout)
	require.Contains(t, stderr, "marked unusable", "the archive listing says which snapshot it skips")
}

// Two writers with separate data folders and one out folder, 30 rounds:
// both publish every round (the out_dir lock serialises the publishes and
// prunes), current is always a complete release and no partial folder is
// left behind.
func TestTwoDataFoldersOneOutFolder(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	rounds := 30
	if testing.Short() {
		rounds = 3
	}
	for round := range rounds {
		// A setting that shapes the outputs changes every round, so neither
		// writer finds its own release current and both publish.
		cfgA := fixtureConfig(t, dir, fmt.Sprintf("keep_releases: 1\nmax_price_age_days: %d\n", 7+round%2))
		yaml, err := os.ReadFile(cfgA)
		require.NoError(t, err)
		cfgB := filepath.Join(dir, "config_b.yaml")
		require.NoError(t, os.WriteFile(cfgB, bytes.Replace(yaml, []byte("data_dir: data"), []byte("data_dir: data_b"), 1), 0o644))
		var wg sync.WaitGroup
		children := []*child{startChild(t, "run", "-c", cfgA), startChild(t, "run", "-c", cfgB)}
		codes := make([]int, 2)
		for i, c := range children {
			wg.Go(func() { codes[i] = c.wait() })
		}
		wg.Wait()
		for i, c := range children {
			require.Equal(t, exitOK, codes[i], "round %d: %s", round, c.stderr.String())
			require.Contains(t, c.stdout.String(), "Published release", "round %d", round)
		}
		requireValidCurrent(t, out)
		entries, err := os.ReadDir(filepath.Join(out, "releases"))
		require.NoError(t, err)
		for _, e := range entries {
			require.False(t, strings.HasSuffix(e.Name(), ".partial"), "round %d: %s left behind", round, e.Name())
		}
		require.Equal(t, 1, releaseCount(t, out), "round %d: keep_releases 1", round)
	}
}
