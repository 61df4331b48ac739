package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFloorLandsEveryFileUnderItsHash(t *testing.T) {
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "floor")
	files := map[string]string{"defillama/hacks.json": "[]", "yfinance/BTC-USD.csv": "Price,Close\n", "yfinance/ETH-USD.csv": "Price,Close,High\n"}
	want := map[string]bool{}
	for name, text := range files {
		require.NoError(t, os.MkdirAll(filepath.Join(in, filepath.Dir(name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(in, name), []byte(text), 0o644))
		sum := sha256.Sum256([]byte(text))
		want[hex.EncodeToString(sum[:])+filepath.Ext(name)] = true
	}
	require.NoError(t, os.WriteFile(filepath.Join(in, ".complete"), nil, 0o644)) // the generator's marker
	require.NoError(t, os.MkdirAll(out, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, "stale"), nil, 0o644))

	require.NoError(t, floorCmd([]string{"-in", in, "-out", out}))
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	got := map[string]bool{}
	for _, e := range entries {
		got[e.Name()] = true
	}
	require.Equal(t, want, got, "one object per feed file, named by its content; no marker, temporary or stale files")
}

func TestTableStatesTheLandingFloor(t *testing.T) {
	r := report{Runs: []measurement{
		{Job: "DuckDB-SQL reference", Scale: "1000x", Wall: 6e9},
		{Job: "landing floor", Scale: "1000x", Wall: 2.5e9},
	}}
	require.Contains(t, r.table(), "1.25× the reference leaves 1.50 s for all heiststat does beyond it; landing the inputs alone")
	require.Contains(t, r.table(), "took 2.50 s.")
}
