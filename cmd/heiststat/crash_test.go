package main

import (
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/output"
)

// Two writers started together on one data folder: exactly one publishes;
// the other exits with the lock-busy status, or (when it started after the
// first had finished) finds nothing changed.
func TestConcurrentRunsOneWriter(t *testing.T) {
	dir := t.TempDir()
	cfg := fixtureConfig(t, dir, "")
	a, b := startChild(t, "run", "-c", cfg), startChild(t, "run", "-c", cfg)
	codes := []int{a.wait(), b.wait()}
	outs := a.stdout.String() + b.stdout.String()
	errs := a.stderr.String() + b.stderr.String()
	require.Equal(t, 1, strings.Count(outs, "Published release"), outs+errs)
	require.Equal(t, 1, releaseCount(t, filepath.Join(dir, "out")))
	require.Contains(t, codes, exitOK)
	if strings.Contains(outs, "Nothing changed") {
		require.Equal(t, []int{exitOK, exitOK}, codes)
	} else {
		require.ElementsMatch(t, []int{exitOK, exitLocked}, codes, errs)
		require.Contains(t, errs, "holds the lock on the data folder")
	}
	requireValidCurrent(t, filepath.Join(dir, "out"))
}

// With a lock timeout the second writer waits, then finds nothing changed.
func TestSecondWriterWaits(t *testing.T) {
	dir := t.TempDir()
	cfg := fixtureConfig(t, dir, "lock_timeout: 2m\n")
	a, b := startChild(t, "run", "-c", cfg), startChild(t, "run", "-c", cfg)
	require.Equal(t, exitOK, a.wait(), a.stderr.String())
	require.Equal(t, exitOK, b.wait(), b.stderr.String())
	outs := a.stdout.String() + b.stdout.String()
	require.Equal(t, 1, strings.Count(outs, "Published release"), outs)
	require.Equal(t, 1, strings.Count(outs, "Nothing changed"), outs)
	require.Equal(t, 1, releaseCount(t, filepath.Join(dir, "out")))
}

// A truncated object in the raw archive is detected: the offline replay
// skips that snapshot, says why, and the run is degraded; the next live
// fetch rewrites the object.
func TestCorruptArchiveDetected(t *testing.T) {
	dir := t.TempDir()
	cfg := fixtureConfig(t, dir, "")
	code, _, stderr := runChild(t, "run", "-c", cfg)
	require.Equal(t, exitOK, code, stderr)
	objects, err := filepath.Glob(filepath.Join(dir, "data/landing/defillama_hacks/objects/*.json.zst"))
	require.NoError(t, err)
	require.Len(t, objects, 1)
	require.NoError(t, os.Truncate(objects[0], 100))

	code, stdout, stderr := runChild(t, "run", "-c", cfg, "--offline", "--log-format", "json")
	require.Equal(t, exitDegraded, code, stderr)
	require.Contains(t, stderr, "skipping archived snapshot")
	require.Regexp(t, `corrupt: [0-9a-f]{64}\.json\.zst`, stderr)
	require.Regexp(t, `source defillama_hacks\s+missing`, stdout)

	code, _, stderr = runChild(t, "run", "-c", cfg)
	require.Equal(t, exitOK, code, stderr)
	fi, err := os.Stat(objects[0])
	require.NoError(t, err)
	require.Greater(t, fi.Size(), int64(100), "the live fetch rewrote the corrupt object")
}

// An output folder that cannot be written: a clear error, exit 1, no partial
// release, current unchanged.
func TestReadOnlyOutput(t *testing.T) {
	dir := t.TempDir()
	cfg := fixtureConfig(t, dir, "")
	code, _, stderr := runChild(t, "run", "-c", cfg)
	require.Equal(t, exitOK, code, stderr)
	out := filepath.Join(dir, "out")
	before, err := os.Readlink(filepath.Join(out, "current"))
	require.NoError(t, err)
	makeReadOnly(t, filepath.Join(out, "releases"))

	// Something changed, so the run must publish.
	cfg = fixtureConfig(t, dir, "currencies: [GBP, EUR]\n")
	code, _, stderr = runChild(t, "run", "-c", cfg)
	require.Equal(t, exitFailed, code, stderr)
	require.Contains(t, stderr, `"msg":"run failed"`)
	require.Regexp(t, `publish: mkdir .*releases/\..*\.partial: (permission denied|operation not permitted)`, stderr)
	after, err := os.Readlink(filepath.Join(out, "current"))
	require.NoError(t, err)
	require.Equal(t, before, after)
	require.Equal(t, 1, releaseCount(t, out))
	requireValidCurrent(t, out)
}

// makeReadOnly makes dir refuse new entries: by mode for a normal user, by
// the immutable attribute for root (which ignores modes).
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, os.Chmod(dir, 0o555))
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if writable(dir) {
		if err := exec.Command("chattr", "+i", dir).Run(); err != nil || writable(dir) {
			t.Skipf("cannot make %s read-only as this user (chattr: %v)", dir, err)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
	}
}

func writable(dir string) bool {
	p := filepath.Join(dir, ".probe")
	if err := os.Mkdir(p, 0o755); err != nil {
		return false
	}
	os.Remove(p)
	return true
}

// `heiststat schedule` with a seconds-level source schedule fetches, builds
// and publishes, shows it on /metrics, and ends cleanly on SIGTERM (exit 0).
func TestScheduleUntilSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cfg := fixtureConfig(t, dir, "")
	editConfig(t, cfg, "defillama/testdata/hacks.json}", `defillama/testdata/hacks.json, schedule: "@every 1s"}`)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	c := startChild(t, "schedule", "-c", cfg, "--listen", addr, "--log-format", "json")
	defer c.cmd.Process.Kill()
	var metrics string
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		metrics = string(b)
		return strings.Contains(metrics, `heiststat_jobs_total{job="build",status="ok"} 1`)
	}, 60*time.Second, 200*time.Millisecond, c.stderr.String())
	require.Contains(t, metrics, `heiststat_source_last_success_timestamp_seconds{source="defillama_hacks"}`)
	require.Contains(t, metrics, `heiststat_rows_published{file="csv/annual.csv"}`)
	requireValidCurrent(t, filepath.Join(dir, "out"))

	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, exitOK, c.wait(), c.stderr.String())
	require.Contains(t, c.stderr.String(), `"msg":"stopped"`)
	requireValidCurrent(t, filepath.Join(dir, "out"))
	require.Equal(t, 1, releaseCount(t, filepath.Join(dir, "out")), "identical fetches publish nothing new")

	// The run history lists the scheduled builds.
	code, stdout, stderr := runChild(t, "runs", "-c", cfg)
	require.Equal(t, exitOK, code, stderr)
	require.Regexp(t, `(?m)^\S+\s+\S+ \S+\s+\S+\s+ok\s`, stdout)
}

// kill -9 at random points of many runs: after every kill current is a
// complete release, the next run succeeds, and its outputs are byte for byte
// those of a clean run on the same inputs. Slow (about a minute): `make
// chaos` runs it, and CI runs `make chaos`.
func TestChaosKill(t *testing.T) {
	if os.Getenv("HEISTSTAT_CHAOS") == "" {
		t.Skip("kill -9 test: run it with make chaos")
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("HEISTSTAT_CHAOS_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseInt(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("seed %d (HEISTSTAT_CHAOS_SEED=%d replays these kill points)", seed, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))

	// Two versions of the curated list, so every run has something to publish.
	base, err := os.ReadFile(filepath.Join(testdata(t), "curated/testdata/dprk_incidents.csv"))
	require.NoError(t, err)
	variants := [][]byte{base, []byte(strings.Replace(string(base), "2022-ronin-bridge", "2022-ronin-bridge-v2", 1))}
	require.NotEqual(t, variants[0], variants[1])

	// Clean runs give the reference bytes and how long a run takes.
	clean := make([][]output.PublishedFile, len(variants))
	var took time.Duration
	for v := range variants {
		dir := t.TempDir()
		cfg := fixtureConfig(t, dir, "")
		require.NoError(t, os.WriteFile(filepath.Join(dir, "curated.csv"), variants[v], 0o644))
		start := time.Now()
		code, _, stderr := runChild(t, "run", "-c", cfg)
		took = max(took, time.Since(start))
		require.Equal(t, exitOK, code, stderr)
		clean[v] = requireValidCurrent(t, filepath.Join(dir, "out"))
	}
	require.NotEqual(t, clean[0], clean[1])

	dir := t.TempDir()
	cfg := fixtureConfig(t, dir, "")
	out := filepath.Join(dir, "out")
	code, _, stderr := runChild(t, "run", "-c", cfg)
	require.Equal(t, exitOK, code, stderr)

	killed := 0
	kill := func(i, v int) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "curated.csv"), variants[v], 0o644))
		delay := time.Duration(rng.Int64N(int64(took) * 11 / 10))
		c := startChild(t, "run", "-c", cfg)
		time.Sleep(delay)
		_ = c.cmd.Process.Signal(syscall.SIGKILL)
		code := c.wait()
		if code == -1 {
			killed++
		}
		t.Logf("kill %2d: variant %d, after %4dms (exit %d)", i, v, delay.Milliseconds(), code)
		requireValidCurrent(t, out)
	}
	runClean := func(v int) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "curated.csv"), variants[v], 0o644))
		code, _, stderr := runChild(t, "run", "-c", cfg)
		require.Equal(t, exitOK, code, stderr)
		require.Equal(t, clean[v], requireValidCurrent(t, out), "same bytes as a clean run")
	}

	// Each kill followed by a run that must succeed, until 20 runs were
	// killed before they ended.
	i := 0
	for ; killed < 20 && i < 40; i++ {
		v := (i + 1) % 2
		kill(i, v)
		runClean(v)
	}
	require.Equal(t, 20, killed, "runs ended before their kill too often")
	// Ten kills in a row, then one run.
	for j := range 10 {
		kill(i+j, rng.IntN(2))
	}
	runClean(0)
}
