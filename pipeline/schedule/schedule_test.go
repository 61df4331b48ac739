package schedule

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/pipeline"
	"github.com/heiststat/heiststat/pipeline/landing"
)

var quietLog = slog.New(slog.DiscardHandler)

// fixtureConfig reads every feed from the recorded fixtures in the repo,
// so every source is live and a run is fast; data and out are under dir.
func fixtureConfig(t *testing.T, dir string, schedule string) *pipeline.Config {
	t.Helper()
	abs, err := filepath.Abs("../../sources")
	require.NoError(t, err)
	yaml := strings.ReplaceAll(`
data_dir: data
out_dir: out
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: TD/defillama/testdata/hacks.json`+schedule+`}
  - {name: ecb_fx, type: ecb_eurofxref, location: TD/ecb/testdata/eurofxref-hist.csv}
  - {name: prices_yfinance, type: prices_yfinance, location: TD/prices/testdata/yfinance}
  - {name: curated_dprk, type: curated_incidents, location: TD/curated/testdata/dprk_incidents.csv}
`, "TD", abs)
	cfg, err := pipeline.ParseConfig([]byte(yaml), dir)
	require.NoError(t, err)
	return cfg
}

// The scheduler fetches on the source's schedule, builds after the fetch,
// publishes, reports it on /metrics and stops cleanly when its context ends.
func TestScheduleFetchesPublishesAndStops(t *testing.T) {
	cfg := fixtureConfig(t, t.TempDir(), `, schedule: "@every 1s"`)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cfg.Schedule.Listen = ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Schedule(ctx, cfg, quietLog) }()

	var metrics string
	require.Eventually(t, func() bool {
		metrics = get(t, "http://"+cfg.Schedule.Listen+"/metrics")
		return strings.Contains(metrics, `heiststat_jobs_total{job="build",status="unchanged"}`)
	}, 60*time.Second, 200*time.Millisecond, "a publish, then an unchanged build")
	require.Contains(t, metrics, `heiststat_jobs_total{job="build",status="ok"} 1`)
	require.Contains(t, metrics, `heiststat_source_last_success_timestamp_seconds{source="defillama_hacks"}`)
	require.Contains(t, metrics, `heiststat_source_last_success_timestamp_seconds{source="ecb_fx"}`, "fetched by the build itself")
	require.Contains(t, metrics, `heiststat_source_fetch_failures_total{source="defillama_hacks"} 0`)
	require.Regexp(t, `heiststat_rows_published\{file="csv/annual.csv"\} [1-9]`, metrics)
	require.Contains(t, metrics, "heiststat_job_duration_seconds_count")
	require.Equal(t, "ok\n", get(t, "http://"+cfg.Schedule.Listen+"/healthz"))
	released, err := filepath.Glob(filepath.Join(cfg.OutDir, "releases", "*"))
	require.NoError(t, err)
	require.Len(t, released, 1)
	require.FileExists(t, filepath.Join(cfg.OutDir, "current/csv/annual.csv"))

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the scheduler did not stop")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// A build stopped by a signal (its context cancelled) is counted
// interrupted, not failed, in /metrics.
func TestCancelledBuildIsInterrupted(t *testing.T) {
	cfg := fixtureConfig(t, t.TempDir(), "")
	s := &scheduler{cfg: cfg, log: quietLog, metrics: newMetrics(nil), fetched: map[string]landing.Extracted{}}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s.build(ctx)
	require.Equal(t, 1.0, testutil.ToFloat64(s.metrics.jobs.WithLabelValues("build", "interrupted")))
	require.Equal(t, 0.0, testutil.ToFloat64(s.metrics.jobs.WithLabelValues("build", "failed")))
}
