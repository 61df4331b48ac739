package pipeline

import (
	"context"
	"database/sql"
	"encoding/csv"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/heiststat/heiststat/pipeline/warehouse"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite generated files (docs/SCHEMA.md, sources/bundled facts)")

// sharedData is the real snapshot folder CI places beside the checkout.
const sharedData = "../../shared/data"

func requireSharedData(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("../shared/data not found (%v): this test reads the real snapshots in place", err)
	}
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// runWith runs the pipeline on cfg with fresh data and out folders under dir.
func runWith(t *testing.T, cfg *Config, dir string, opts Options) (*Result, error) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	c := *cfg
	if c.DataDir == "" || !strings.HasPrefix(c.DataDir, dir) {
		c.DataDir = filepath.Join(dir, "data")
	}
	if c.OutDir == "" || !strings.HasPrefix(c.OutDir, dir) {
		c.OutDir = filepath.Join(dir, "out")
	}
	return Run(t.Context(), &c, quietLog, opts)
}

// absPath is rel made absolute, for configs whose relative paths would
// resolve against another folder.
func absPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(rel)
	require.NoError(t, err)
	return p
}

// withHacks is offlineYAML with its DeFiLlama feed read from the file at path.
func withHacks(path string) string {
	return strings.Replace(offlineYAML, "http://127.0.0.1:1/hacks", path, 1)
}

func parse(t *testing.T, yaml, dir string) *Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(yaml), dir)
	require.NoError(t, err)
	return cfg
}

var (
	snapOnce sync.Once
	snapRes  *Result
	snapErr  error
	snapDir  string
)

// snapshotRun runs configs/snapshot.yaml once per test binary.
func snapshotRun(t *testing.T) *Result {
	t.Helper()
	requireSharedData(t)
	snapOnce.Do(func() {
		cfg, err := LoadConfig("../configs/snapshot.yaml")
		if err != nil {
			snapErr = err
			return
		}
		snapDir, snapErr = os.MkdirTemp("", "heiststat-snapshot-")
		if snapErr != nil {
			return
		}
		cfg.DataDir = filepath.Join(snapDir, "data")
		cfg.OutDir = filepath.Join(snapDir, "out")
		snapRes, snapErr = Run(context.Background(), cfg, quietLog, Options{})
	})
	require.NoError(t, snapErr)
	return snapRes
}

func TestMain(m *testing.M) {
	code := m.Run()
	if snapDir != "" {
		os.RemoveAll(snapDir)
	}
	os.Exit(code)
}

// duck opens an in-memory DuckDB for reading published files.
func duck(t *testing.T) *sql.DB {
	t.Helper()
	db, err := warehouse.Open("")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, rows, path)
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func header(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	h, err := csv.NewReader(f).Read()
	require.NoError(t, err)
	return h
}

// offlineYAML has no reachable feed: port 1 on loopback refuses at once.
const offlineYAML = `
http: {retry_wait_min: 1ms, retry_wait_max: 2ms}
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: "http://127.0.0.1:1/hacks"}
  - {name: ecb_fx, type: ecb_eurofxref, location: "http://127.0.0.1:1/eurofxref-hist.zip"}
  - {name: prices_yfinance, type: prices_yfinance, location: does-not-exist}
  - {name: curated_dprk, type: curated_incidents, location: embedded}
`
