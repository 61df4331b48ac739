package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline"
)

const sharedData = "../../../shared/data"

const hacksFile = "/hacks/defillama_hacks_2026-05-29.json"

// httpFeeds serves ../shared/data; the skip message says why a test did not run.
func httpFeeds(t *testing.T) *feedtest.Server {
	t.Helper()
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("../shared/data not found (%v): this test serves the real snapshots", err)
	}
	return feedtest.New(t, sharedData)
}

// feedsConfig writes a config reading DeFiLlama from hacksLoc and the ECB and
// yfinance files from srv, with millisecond retry waits.
func feedsConfig(t *testing.T, dir string, srv *feedtest.Server, hacksLoc, extra string) string {
	t.Helper()
	return writeConfig(t, dir, fmt.Sprintf(`
data_dir: data
out_dir: out
http: {retry_wait_min: 1ms, retry_wait_max: 2ms, rate_limit: 0}
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: %q%s}
  - {name: ecb_fx, type: ecb_eurofxref, location: %q}
  - {name: prices_yfinance, type: prices_yfinance, location: %q}
  - {name: curated_dprk, type: curated_incidents}
`, hacksLoc, extra, srv.URL("fx/eurofxref-hist.csv"), srv.URL("prices/yfinance_2018-2025")))
}

func readManifest(t *testing.T, dir string) map[string]output.ManifestSource {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "out/current/manifest.json"))
	require.NoError(t, err)
	var m output.Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	out := map[string]output.ManifestSource{}
	for _, s := range m.Sources {
		out[s.Name] = s
	}
	return out
}

// Acceptance: 429 with Retry-After: 1 twice, then 200, is a clean run (exit
// 0, no error); an HTML page with 200 makes that source fall back with an
// error naming it (exit 3, degraded).
func TestAcceptanceRetryAfterAndHTMLPage(t *testing.T) {
	srv := httpFeeds(t)
	dir := t.TempDir()
	cfg := feedsConfig(t, dir, srv, srv.URL(hacksFile), "")

	srv.Inject(hacksFile, feedtest.Status(http.StatusTooManyRequests, "1"), feedtest.Status(http.StatusTooManyRequests, "1"))
	var out, errb bytes.Buffer
	require.Equal(t, exitOK, run([]string{"run", "-c", cfg, "--log-format", "json"}, &out, &errb), errb.String())
	require.Equal(t, []int{429, 429, 200}, srv.Statuses(hacksFile))
	require.NotContains(t, errb.String(), `"level":"ERROR"`)
	for _, line := range strings.Split(errb.String(), "\n") {
		require.False(t, strings.Contains(line, `"level":"WARN"`) && strings.Contains(line, `"stage":"extract"`), line)
	}
	for name, s := range readManifest(t, dir) {
		require.Empty(t, s.Error, name)
	}

	srv.Inject(hacksFile, feedtest.Body("text/html", []byte("<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>")))
	out.Reset()
	errb.Reset()
	require.Equal(t, exitDegraded, run([]string{"run", "-c", cfg, "--log-format", "json"}, &out, &errb), errb.String())
	s := readManifest(t, dir)["defillama_hacks"]
	require.Equal(t, "archived", s.Freshness)
	require.NotEmpty(t, s.ArchivedAt)
	require.Contains(t, s.Error, "source defillama_hacks")
	require.Contains(t, s.Error, "HTML page")
	require.Contains(t, out.String(), "defillama_hacks        archived")

	// heiststat sources shows the archive and the last error; fetch names one source.
	out.Reset()
	require.Equal(t, exitOK, run([]string{"sources", "-c", cfg}, &out, &errb))
	require.Regexp(t, `defillama_hacks\s+defillama_hacks\s+archived\s+\S+\s+150199\s+source defillama_hacks: .*HTML page`, out.String())
	require.Regexp(t, `curated_dprk\s+curated_incidents\s+bundled\s+never`, out.String())
	out.Reset()
	require.Equal(t, exitOK, run([]string{"fetch", "-c", cfg, "defillama_hacks"}, &out, &errb), errb.String())
	require.Contains(t, out.String(), "defillama_hacks        live      150199 bytes, not modified (304)")
	require.Equal(t, exitUsage, run([]string{"fetch", "-c", cfg, "nope"}, &out, &errb))
	srv.Inject(hacksFile, feedtest.Body("application/json", []byte("{")))
	require.Equal(t, exitDegraded, run([]string{"fetch", "-c", cfg}, &out, &errb), "one of three sources failed")

	// Server stopped: the run completes from the archive, each source
	// archived with the date of its snapshot, exit status 3 (degraded).
	out.Reset()
	require.Equal(t, exitOK, run([]string{"sources", "-c", cfg, "--json"}, &out, &errb))
	var states []pipeline.SourceState
	require.NoError(t, json.Unmarshal(out.Bytes(), &states))
	srv.Close()
	out.Reset()
	require.Equal(t, exitDegraded, run([]string{"run", "-c", cfg, "--log-format", "json"}, &out, &errb), errb.String())
	m := readManifest(t, dir)
	require.Equal(t, "bundled", m["curated_dprk"].Freshness)
	for _, st := range states[:3] {
		name, s := st.Name, m[st.Name]
		require.Equal(t, "archived", s.Freshness, name)
		require.Equal(t, st.LastSuccess.Format(time.RFC3339), s.ArchivedAt, name)
		require.Contains(t, out.String(), name+strings.Repeat(" ", 23-len(name))+"archived of "+s.ArchivedAt)
	}
	require.Equal(t, exitFailed, run([]string{"fetch", "-c", cfg}, &out, &errb), "every source failed")
}

// Acceptance: with API keys set, no key appears in any file under the data
// or output folders, or in the logs, even when the keyed request fails and
// net/url quotes the whole URL in its error.
func TestAcceptanceAPIKeyNeverWritten(t *testing.T) {
	const key = "dl-pro-7f3c91e0b2a4-secret"
	t.Setenv("HEISTSTAT_TEST_DEFILLAMA_KEY", key)
	srv := httpFeeds(t)
	srv.Route("/"+key+"/api/hacks", hacksFile)
	dir := t.TempDir()
	cfg := feedsConfig(t, dir, srv, srv.URL("")+"{api_key}/api/hacks", ", api_key_env: HEISTSTAT_TEST_DEFILLAMA_KEY")

	var logs bytes.Buffer
	var out bytes.Buffer
	require.Equal(t, exitOK, run([]string{"run", "-c", cfg, "--log-format", "json"}, &out, &logs), logs.String())
	require.Equal(t, []int{200}, srv.Statuses("/"+key+"/api/hacks"), "the key reached the server")
	for range 5 {
		srv.Inject("/"+key+"/api/hacks", feedtest.Status(http.StatusInternalServerError, ""))
	}
	require.Equal(t, exitDegraded, run([]string{"run", "-c", cfg, "--log-format", "json"}, &out, &logs), logs.String())
	require.Contains(t, readManifest(t, dir)["defillama_hacks"].Error, "/REDACTED/api/hacks")
	require.Equal(t, exitOK, run([]string{"sources", "-c", cfg, "--json"}, &out, &logs))

	require.NotContains(t, logs.String(), key)
	require.NotContains(t, out.String(), key)
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err // folders, and out/current (a symlink to a release walked anyway)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		require.False(t, bytes.Contains(b, []byte(key)), "API key written to %s", p)
		return nil
	}))
	require.Greater(t, files, 20)
	require.True(t, strings.Contains(logs.String(), "REDACTED"))
}
