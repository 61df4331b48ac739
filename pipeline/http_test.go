package pipeline

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Paths of the shared files the fault tests break, as the server sees them.
const (
	hacksPath = "/hacks/defillama_hacks_2026-05-29.json"
	ecbPath   = "/fx/eurofxref-hist.csv"
	btcPath   = "/prices/yfinance_2018-2025/BTC-USD.csv"
	cmcPath   = "/prices/kaggle_coinmarketcap_2013-2021/coin_Bitcoin.csv"
)

// httpSnapshotConfig is configs/snapshot.yaml with every file and folder
// served over HTTP by srv, fresh data and out folders under dir, and
// millisecond retry waits (a Retry-After is still honoured).
func httpSnapshotConfig(t *testing.T, srv *feedtest.Server, dir string) *Config {
	t.Helper()
	cfg, err := LoadConfig("../configs/snapshot.yaml")
	require.NoError(t, err)
	root, err := filepath.Abs(sharedData)
	require.NoError(t, err)
	for i, s := range cfg.Sources {
		if s.Location == feed.Embedded {
			continue
		}
		abs, err := filepath.Abs(s.Location)
		require.NoError(t, err)
		rel, err := filepath.Rel(root, abs)
		require.NoError(t, err)
		cfg.Sources[i].Location = srv.URL(rel)
	}
	cfg.DataDir, cfg.OutDir = filepath.Join(dir, "data"), filepath.Join(dir, "out")
	cfg.HTTP.Timeout, cfg.HTTP.RetryWaitMin, cfg.HTTP.RetryWaitMax = 5*time.Second, time.Millisecond, 5*time.Millisecond
	cfg.HTTP.RateLimit = 0
	return cfg
}

func mustRun(t *testing.T, cfg *Config, opts Options, want warehouse.Status) (*Result, map[string]output.ManifestSource) {
	t.Helper()
	res, err := Run(t.Context(), cfg, quietLog, opts)
	require.NoError(t, err)
	require.Equal(t, want, res.Status)
	byName := map[string]output.ManifestSource{}
	for _, s := range res.Manifest.Sources {
		byName[s.Name] = s
	}
	return res, byName
}

// requireSameCSVs checks that two releases publish byte-identical CSVs.
func requireSameCSVs(t *testing.T, want, got string) {
	t.Helper()
	for _, f := range publishedFiles {
		if !strings.HasPrefix(f, "csv/") {
			continue
		}
		a, err := os.ReadFile(filepath.Join(want, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(got, f))
		require.NoError(t, err)
		require.True(t, string(a) == string(b), "%s differs from the file-based run", f)
	}
}

// requireLandingClean checks the landing zone a run left.
func requireLandingClean(t *testing.T, dataDir string) {
	t.Helper()
	require.NoError(t, (&landing.Landing{Root: filepath.Join(dataDir, "landing")}).Verify())
}

// The whole pipeline with every source of configs/snapshot.yaml served over
// HTTP: the same CSV bytes as the file-based run, through retries, broken
// bodies, drift, 304s, an offline replay and a dead server.
func TestHTTPFeedsFaultsAndReplay(t *testing.T) {
	fileRun := snapshotRun(t)
	srv := feedtest.New(t, sharedData)
	cfg := httpSnapshotConfig(t, srv, t.TempDir())

	// Acceptance 1: served over HTTP, the same CSVs as read from files.
	first, src := mustRun(t, cfg, Options{}, warehouse.StatusOK)
	requireSameCSVs(t, fileRun.Current, first.Current)
	for _, name := range []string{"defillama_hacks", "ecb_fx", "prices_yfinance", "prices_coinmarketcap"} {
		require.Equal(t, "live", src[name].Freshness, name)
		require.False(t, src[name].NotModified, name)
		require.Empty(t, src[name].Error, name)
	}
	require.Equal(t, src["defillama_hacks"].Bytes, fileRun.Manifest.Sources[0].Bytes)
	requireLandingClean(t, cfg.DataDir)

	// Retries: 429 with Retry-After twice, then the feed as it drifted in
	// 2026 (string defillamaId, a new field), which changes no figure; 500
	// twice, then a 304 to the conditional request. A truncated body and a body slower than
	// the timeout fail their sources, which fall back to the first run.
	srv.Inject(hacksPath, feedtest.Status(http.StatusTooManyRequests, "1"), feedtest.Status(http.StatusTooManyRequests, "1"),
		feedtest.Body("application/json", driftedHacks(t)))
	srv.Inject(ecbPath, feedtest.Status(http.StatusInternalServerError, ""), feedtest.Status(http.StatusInternalServerError, ""))
	srv.Inject(btcPath, srv.Truncated(btcPath))
	cfg.HTTP.Timeout = time.Second
	srv.Inject(cmcPath, srv.Slow(cmcPath, 10*time.Second))
	second, src := mustRun(t, cfg, Options{}, warehouse.StatusDegraded)
	require.Equal(t, []int{200, 429, 429, 200}, srv.Statuses(hacksPath))
	require.Equal(t, []int{200, 500, 500, 304}, srv.Statuses(ecbPath))
	for name, notModified := range map[string]bool{"defillama_hacks": false, "ecb_fx": true} {
		require.Equal(t, "live", src[name].Freshness, name)
		require.Equal(t, notModified, src[name].NotModified, name)
		require.Empty(t, src[name].Error, name)
	}
	// Which timer stops a slow body first (the client's or the request's) depends on the load.
	for name, why := range map[string]string{"prices_yfinance": "unexpected EOF", "prices_coinmarketcap": "(?i)timeout|deadline exceeded"} {
		s := src[name]
		require.Equal(t, "archived", s.Freshness, name)
		require.Equal(t, first.Manifest.Sources[indexOf(t, first.Manifest, name)].FetchedAt, s.ArchivedAt, name)
		require.Contains(t, s.Error, "source "+name, name)
		require.Regexp(t, why, s.Error, name)
	}
	requireSameCSVs(t, fileRun.Current, second.Current)
	requireLandingClean(t, cfg.DataDir)

	// Drift and error pages: malformed JSON and an HTML page with status 200
	// fall back to the previous (304-verified) snapshot; the price folders,
	// unchanged since their last good fetch, answer 304 throughout.
	cfg.HTTP.Timeout = 5 * time.Second
	srv.Inject(hacksPath, feedtest.Body("application/json", []byte(`[{"date": 1678665600, "name": "Euler`)))
	srv.Inject(ecbPath, feedtest.Body("text/html", []byte("<!DOCTYPE html><html><body>Service unavailable</body></html>")))
	third, src := mustRun(t, cfg, Options{}, warehouse.StatusDegraded)
	for name, why := range map[string]string{"defillama_hacks": "not a JSON array", "ecb_fx": fetch.ErrHTMLPage.Error()} {
		s := src[name]
		require.Equal(t, "archived", s.Freshness, name)
		require.Equal(t, second.Manifest.Sources[indexOf(t, second.Manifest, name)].FetchedAt, s.ArchivedAt, name)
		require.Contains(t, s.Error, "source "+name)
		require.Contains(t, s.Error, why)
	}
	for _, name := range []string{"prices_yfinance", "prices_coinmarketcap"} {
		require.Equal(t, "live", src[name].Freshness, name)
		require.True(t, src[name].NotModified, name)
	}
	require.Equal(t, 304, last(srv.Statuses(btcPath)))
	require.Equal(t, 304, last(srv.Statuses("/prices/yfinance_2018-2025/")))
	requireSameCSVs(t, fileRun.Current, third.Current)
	requireLandingClean(t, cfg.DataDir)

	// run --offline replays the archive without a single request.
	requests := len(srv.Headers())
	offline, src := mustRun(t, cfg, Options{Offline: true}, warehouse.StatusDegraded)
	require.Len(t, srv.Headers(), requests)
	for _, name := range []string{"defillama_hacks", "ecb_fx", "prices_yfinance", "prices_coinmarketcap"} {
		require.Equal(t, "archived", src[name].Freshness, name)
	}
	requireSameCSVs(t, fileRun.Current, offline.Current)

	// Acceptance 2: server gone, the run completes from the archive, each
	// source archived with the date of its latest good fetch; degraded.
	srv.Close()
	// Its inputs are those of the offline replay, so it publishes nothing new
	// and the current release (that replay's) stays; the fetch errors are in
	// this run's result and log.
	gone, src := mustRun(t, cfg, Options{}, warehouse.StatusDegraded)
	require.True(t, gone.Unchanged)
	for name, from := range map[string]*Result{"defillama_hacks": second, "ecb_fx": second, "prices_yfinance": third, "prices_coinmarketcap": third} {
		s := src[name]
		require.Equal(t, "archived", s.Freshness, name)
		require.Equal(t, from.Manifest.Sources[indexOf(t, from.Manifest, name)].FetchedAt, s.ArchivedAt, name)
		e := gone.Sources[slices.IndexFunc(gone.Sources, func(e landing.Extracted) bool { return e.Source.Name() == name })]
		require.Equal(t, landing.Archived, e.Freshness, name)
		require.ErrorContains(t, e.FetchErr, "source "+name)
	}
	requireSameCSVs(t, fileRun.Current, gone.Current)
	requireLandingClean(t, cfg.DataDir)
	b, err := os.ReadFile(filepath.Join(gone.Current, "manifest.json"))
	require.NoError(t, err)
	var m output.Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	require.Equal(t, "degraded", m.Status)
}

// driftedHacks is the shared DeFiLlama file with defillamaId as a string and
// an unknown field in every record, as the feed changed upstream.
func driftedHacks(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedData, hacksPath))
	require.NoError(t, err)
	var recs []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &recs))
	for _, r := range recs {
		if id := string(r["defillamaId"]); id != "" && id != "null" {
			r["defillamaId"] = json.RawMessage(`"` + id + `"`)
		}
		r["riskScore"] = json.RawMessage(`{"v": 2}`)
	}
	out, err := json.Marshal(recs)
	require.NoError(t, err)
	return out
}

func indexOf(t *testing.T, m *output.Manifest, name string) int {
	t.Helper()
	for i, s := range m.Sources {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no source %s in the manifest", name)
	return -1
}

func last(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	return xs[len(xs)-1]
}
