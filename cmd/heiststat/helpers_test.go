package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// TestMain lets a test run the test binary as the heiststat command, so the
// crash tests exercise real processes without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("HEISTSTAT_TEST_CHILD") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// child is one heiststat process.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	c := &child{cmd: exec.Command(exe, args...)}
	c.cmd.Env = append(os.Environ(), "HEISTSTAT_TEST_CHILD=1")
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	require.NoError(t, c.cmd.Start())
	return c
}

// wait returns the exit status (-1 when killed by a signal).
func (c *child) wait() int {
	_ = c.cmd.Wait()
	return c.cmd.ProcessState.ExitCode()
}

func runChild(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	c := startChild(t, args...)
	code := c.wait()
	return code, c.stdout.String(), c.stderr.String()
}

// fixtureConfig reads every feed from the recorded fixtures in
// sources/*/testdata (all live, so a run exits 0 and is fast); the curated list
// is a copy in dir that a test may edit. extra is appended at the top level.
func fixtureConfig(t *testing.T, dir, extra string) string {
	t.Helper()
	td := testdata(t)
	b, err := os.ReadFile(filepath.Join(td, "curated/testdata/dprk_incidents.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "curated.csv"), b, 0o644))
	return writeConfig(t, dir, strings.ReplaceAll(`
data_dir: data
out_dir: out
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: TD/defillama/testdata/hacks.json}
  - {name: ecb_fx, type: ecb_eurofxref, location: TD/ecb/testdata/eurofxref-hist.csv}
  - {name: prices_yfinance, type: prices_yfinance, location: TD/prices/testdata/yfinance}
  - {name: curated_dprk, type: curated_incidents, location: curated.csv}
`, "TD", td)+extra)
}

// offlineConfig reaches no feed (port 1 on loopback refuses at once), so the
// run publishes from the bundled facts and is degraded.
func offlineConfig(t *testing.T, dir string) string {
	t.Helper()
	return writeConfig(t, dir, `
data_dir: data
out_dir: out
http: {retry_wait_min: 1ms, retry_wait_max: 2ms}
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: "http://127.0.0.1:1/hacks"}
  - {name: curated_dprk, type: curated_incidents}
  - {name: ecb_fx, type: ecb_eurofxref, location: "http://127.0.0.1:1/eurofxref-hist.zip"}
  - {name: prices_yfinance, type: prices_yfinance, location: missing}
`)
}

// writeConfig writes yaml as dir/config.yaml and returns its path.
func writeConfig(t *testing.T, dir, yaml string) string {
	t.Helper()
	p := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(p, []byte(yaml), 0o644))
	return p
}

// editConfig replaces the first old with new in the config file at cfg.
func editConfig(t *testing.T, cfg, old, new string) {
	t.Helper()
	b, err := os.ReadFile(cfg)
	require.NoError(t, err)
	require.Contains(t, string(b), old)
	require.NoError(t, os.WriteFile(cfg, []byte(strings.Replace(string(b), old, new, 1)), 0o644))
}

// testdata is the absolute path of the recorded feed fixtures.
func testdata(t *testing.T) string {
	t.Helper()
	td, err := filepath.Abs("../../sources")
	require.NoError(t, err)
	return td
}

// requireValidCurrent checks that out/current is a complete release: the
// manifest is there, every file it lists has its bytes, sha256 and row count,
// and annual.csv parses to the end. It returns the manifest's file list.
func requireValidCurrent(t *testing.T, out string) []output.PublishedFile {
	t.Helper()
	cur := filepath.Join(out, "current")
	b, err := os.ReadFile(filepath.Join(cur, "manifest.json"))
	require.NoError(t, err)
	var m output.Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	require.NotEmpty(t, m.Files)
	db, err := warehouse.Open("")
	require.NoError(t, err)
	defer db.Close()
	for _, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(cur, f.Path))
		require.NoError(t, err, f.Path)
		sum := sha256.Sum256(data)
		require.Equal(t, f.SHA256, hex.EncodeToString(sum[:]), f.Path)
		require.EqualValues(t, f.Bytes, len(data), f.Path)
		var rows int64
		switch filepath.Ext(f.Path) {
		case ".csv":
			recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			require.NoError(t, err, f.Path)
			rows = int64(len(recs) - 1)
		case ".parquet":
			require.NoError(t, db.QueryRow(fmt.Sprintf("SELECT count(*) FROM read_parquet('%s')", filepath.Join(cur, f.Path))).Scan(&rows))
		default:
			continue
		}
		require.Equal(t, f.Rows, rows, f.Path)
	}
	annual, err := os.Open(filepath.Join(cur, "csv/annual.csv"))
	require.NoError(t, err)
	defer annual.Close()
	recs, err := csv.NewReader(annual).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "year", recs[0][0])
	require.Greater(t, len(recs), 1)
	// The data files; report.html (verified above) names its release, so it
	// differs between two runs on the same inputs by design.
	return slices.DeleteFunc(m.Files, func(f output.PublishedFile) bool { return f.Path == "report.html" })
}

func releaseCount(t *testing.T, out string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(out, "releases"))
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n
}
