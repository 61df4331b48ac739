package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofrs/flock"
	"github.com/stretchr/testify/require"
)

func TestExitStatuses(t *testing.T) {
	dir := t.TempDir()
	cfg := offlineConfig(t, dir)

	var out, errb bytes.Buffer
	require.Equal(t, exitDegraded, run([]string{"run", "-c", cfg, "--log-format", "json"}, &out, &errb), errb.String())
	require.Contains(t, out.String(), "status degraded")
	require.Contains(t, out.String(), "is_partial_year")
	// Offline, only the curated list is read: the summary says so.
	require.Contains(t, out.String(), "!! DEGRADED: defillama_hacks missing, ecb_fx bundled")
	require.Contains(t, out.String(), "These figures are the curated DPRK list alone")
	require.NotContains(t, out.String(), "of all crypto stolen")
	require.FileExists(t, filepath.Join(dir, "out/current/csv/annual.csv"))
	for _, line := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
		require.True(t, strings.HasPrefix(line, "{"), "JSON log lines only: %q", line)
	}

	l := flock.New(filepath.Join(dir, "data/.lock"))
	ok, err := l.TryLock()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, exitLocked, run([]string{"run", "-c", cfg}, &out, &errb))
	require.NoError(t, l.Unlock())

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("sources: []\nout_dri: x\n"), 0o644))
	errb.Reset()
	require.Equal(t, exitUsage, run([]string{"run", "-c", bad}, &out, &errb))
	require.Contains(t, errb.String(), "line 2")
	require.Contains(t, errb.String(), "out_dri")

	require.Equal(t, exitUsage, run([]string{"run", "--no-such-flag"}, &out, &errb))
	require.Equal(t, exitOK, run([]string{"version"}, &out, &errb))
}
