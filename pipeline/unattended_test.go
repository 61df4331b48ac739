package pipeline

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// fixtureYAML reads every feed from the recorded fixtures in sources/*/testdata,
// so every source is live and a run is fast.
func fixtureYAML(t *testing.T) string {
	t.Helper()
	abs := absPath(t, "../sources")
	return strings.ReplaceAll(`
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: TD/defillama/testdata/hacks.json}
  - {name: ecb_fx, type: ecb_eurofxref, location: TD/ecb/testdata/eurofxref-hist.csv}
  - {name: prices_yfinance, type: prices_yfinance, location: TD/prices/testdata/yfinance}
  - {name: curated_dprk, type: curated_incidents, location: TD/curated/testdata/dprk_incidents.csv}
`, "TD", abs)
}

// logTo collects JSON log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func releases(t *testing.T, out string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(out, "releases"))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestUnchangedInputsPublishNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := parse(t, fixtureYAML(t), dir)
	first, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	require.False(t, first.Unchanged)
	require.Equal(t, warehouse.StatusOK, first.Status)

	var logs logBuffer
	c := *cfg
	c.DataDir, c.OutDir = filepath.Join(dir, "data"), filepath.Join(dir, "out")
	second, err := Run(t.Context(), &c, slog.New(slog.NewJSONHandler(&logs, nil)), Options{})
	require.NoError(t, err)
	require.True(t, second.Unchanged, logs.String())
	require.Equal(t, warehouse.StatusOK, second.Status)
	require.Equal(t, first.RunID, second.Manifest.RunID)
	require.Equal(t, []string{first.RunID}, releases(t, c.OutDir), "nothing new published")
	require.Contains(t, logs.String(), "nothing changed since the current release")
	require.Contains(t, logs.String(), `"unchanged":true`, "identical fetches are recognised")
	objects, err := os.ReadDir(filepath.Join(c.DataDir, "landing/defillama_hacks/objects"))
	require.NoError(t, err)
	require.Len(t, objects, 1, "identical bytes are stored once")

	// A setting that shapes the outputs changes: publish again, but the raw
	// tables, whose inputs did not change, are not reloaded.
	logs = logBuffer{}
	c.Currencies = []string{"GBP", "EUR"}
	third, err := Run(t.Context(), &c, slog.New(slog.NewJSONHandler(&logs, nil)), Options{})
	require.NoError(t, err)
	require.False(t, third.Unchanged)
	require.Len(t, releases(t, c.OutDir), 2)
	for _, m := range []string{"raw_defillama_hacks", "raw_ecb_eurofxref", "raw_prices_yfinance"} {
		require.Regexp(t, `"msg":"inputs unchanged, not reloaded".*"model":"`+m+`"`, logs.String())
	}
	// The record counts of the tables not reloaded are those of their load.
	for i, s := range third.Manifest.Sources {
		require.Equal(t, first.Manifest.Sources[i].Rows, s.Rows, s.Name)
	}

	runs, err := Runs(t.Context(), &c, 10)
	require.NoError(t, err)
	require.Len(t, runs, 3)
	require.Equal(t, []warehouse.Status{warehouse.StatusOK, warehouse.StatusUnchanged, warehouse.StatusOK}, []warehouse.Status{runs[0].Status, runs[1].Status, runs[2].Status})
	require.Equal(t, first.RunID, runs[1].Release, "an unchanged run names the release that stays current")
	require.False(t, runs[1].Published)
	require.True(t, runs[0].Published)
	require.Positive(t, runs[0].Rows)
	require.NotEqual(t, runs[0].Fingerprint, runs[2].Fingerprint)
}

// The warehouse is a cache: deleted, it is rebuilt from the raw archive with
// byte-identical outputs.
func TestRebuildFromArchiveIsByteIdentical(t *testing.T) {
	dir := t.TempDir()
	cfg := parse(t, fixtureYAML(t), dir)
	live, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	matches, err := filepath.Glob(filepath.Join(dir, "data/warehouse.duckdb*"))
	require.NoError(t, err)
	require.NotEmpty(t, matches)
	for _, m := range matches {
		require.NoError(t, os.Remove(m))
	}
	replay, err := runWith(t, cfg, dir, Options{Offline: true})
	require.NoError(t, err)
	require.False(t, replay.Unchanged, "no history: the run rebuilds and publishes")
	require.NotEqual(t, live.RunID, replay.RunID)
	// report.html names the release and each feed's freshness (a replay is
	// "archived" where the first run was "live"): every data file must be
	// identical.
	dataFiles := func(fs []output.PublishedFile) []output.PublishedFile {
		return slices.DeleteFunc(slices.Clone(fs), func(f output.PublishedFile) bool { return f.Path == "report.html" })
	}
	require.Equal(t, dataFiles(live.Manifest.Files), dataFiles(replay.Manifest.Files), "same paths, rows, bytes and sha256")
}

// A warehouse damaged beyond opening is moved aside and rebuilt.
func TestDamagedWarehouseIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	cfg := parse(t, fixtureYAML(t), dir)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data/warehouse.duckdb"), bytes.Repeat([]byte("not a database "), 1000), 0o644))
	res, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	require.Equal(t, warehouse.StatusOK, res.Status)
	aside, err := filepath.Glob(filepath.Join(dir, "data/warehouse.duckdb.broken-*"))
	require.NoError(t, err)
	require.Len(t, aside, 1)
}

// A full disk while publishing (writes into /dev/full fail with ENOSPC):
// a clear error, no release, current unchanged, no staging folder left.
func TestDiskFullPublishesNothing(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	for _, target := range []string{"manifest.json", "csv/annual.csv"} {
		t.Run(target, func(t *testing.T) {
			dir := t.TempDir()
			cfg := parse(t, fixtureYAML(t), dir)
			good, err := runWith(t, cfg, dir, Options{})
			require.NoError(t, err)

			at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
			suffix := runSuffix
			runSuffix = func() string { return "FULL00" }
			t.Cleanup(func() { runSuffix = suffix })
			stage := filepath.Join(dir, "out/releases/."+at.Format("20060102T150405.000Z")+"-FULL00.partial")
			for _, p := range []string{target, target + ".tmp"} { // DuckDB may write through a .tmp file
				require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(stage, p)), 0o755))
				require.NoError(t, os.Symlink("/dev/full", filepath.Join(stage, p)))
			}
			c := *cfg
			c.Currencies = []string{"GBP", "EUR"} // something changed: the run must publish
			_, err = runWith(t, &c, dir, Options{Now: func() time.Time { return at }})
			require.Error(t, err)
			require.Contains(t, err.Error(), "publish")
			require.Regexp(t, "(?i)no space left on device", err.Error())

			target, err := os.Readlink(filepath.Join(dir, "out/current"))
			require.NoError(t, err)
			require.Equal(t, filepath.Join("releases", good.RunID), target)
			require.Equal(t, []string{good.RunID}, releases(t, filepath.Join(dir, "out")), "no partial release left")
			runs, err := Runs(t.Context(), &Config{DataDir: filepath.Join(dir, "data")}, 1)
			require.NoError(t, err)
			require.Equal(t, warehouse.StatusFailed, runs[0].Status)
			require.Regexp(t, "(?i)no space left on device", runs[0].Error)
		})
	}
}

func TestScheduleConfigValidated(t *testing.T) {
	for yaml, want := range map[string]string{
		"lock_timeout: -1s\n":                                                                          "lock_timeout",
		"schedule: {build: \"61 * * * *\"}\n":                                                          "schedule.build",
		"schedule: {build: \"CRON_TZ=Mars/X 0 * * * *\"}\n":                                            "schedule.build",
		"sources:\n  - {name: c, type: curated_incidents, schedule: \"@hourly\"}\n":                    "nothing to fetch",
		"sources:\n  - {name: d, type: defillama_hacks, location: x.json, schedule: \"every hour\"}\n": "sources[0] (d): schedule",
	} {
		if !strings.Contains(yaml, "sources:") {
			yaml += "sources:\n  - {name: c, type: curated_incidents}\n"
		}
		_, err := ParseConfig([]byte(yaml), t.TempDir())
		require.ErrorContains(t, err, want, yaml)
	}
	cfg, err := ParseConfig([]byte(`
lock_timeout: 10m
schedule: {build: "CRON_TZ=Europe/London 30 17 * * MON-FRI", listen: "127.0.0.1:9108"}
sources:
  - {name: d, type: defillama_hacks, location: x.json, schedule: "*/10 * * * * *"}
`), t.TempDir())
	require.NoError(t, err)
	require.Equal(t, 10*time.Minute, cfg.LockTimeout)
	sched, err := CronParser.Parse(cfg.Schedule.Build)
	require.NoError(t, err)
	// 17:30 in London is 16:30 UTC in summer.
	require.Equal(t, time.Date(2026, 7, 1, 16, 30, 0, 0, time.UTC), sched.Next(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)).UTC())
}
