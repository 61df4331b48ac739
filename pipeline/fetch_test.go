package pipeline

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/fetch"
)

// hacksConfig fetches the shared DeFiLlama file from srv (and keeps the
// embedded curated list, which has nothing to fetch).
func hacksConfig(t *testing.T, loc, dir string) *Config {
	t.Helper()
	return parse(t, `
data_dir: data
http: {timeout: 2s, retry_wait_min: 1ms, retry_wait_max: 2ms, rate_limit: 0}
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: "`+loc+`"}
  - {name: curated_dprk, type: curated_incidents, location: embedded}
`, dir)
}

func fetchOne(t *testing.T, cfg *Config) Extracted {
	t.Helper()
	res, err := Fetch(t.Context(), cfg, quietLog, FetchOptions{Sources: []string{"defillama_hacks"}})
	require.NoError(t, err)
	require.Len(t, res, 1)
	return res[0]
}

func snapshotRecords(t *testing.T, cfg *Config) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(cfg.DataDir, "landing/defillama_hacks/snapshots/*.json"))
	require.NoError(t, err)
	return len(m)
}

func TestFetchOnly(t *testing.T) {
	requireSharedData(t)
	srv := feedtest.New(t, sharedData)
	dir := t.TempDir()
	cfg := hacksConfig(t, srv.URL(hacksPath), dir)

	_, err := Fetch(t.Context(), cfg, quietLog, FetchOptions{Sources: []string{"nope"}})
	require.ErrorIs(t, err, ErrUnknownSource)

	all, err := Fetch(t.Context(), cfg, quietLog, FetchOptions{})
	require.NoError(t, err)
	require.Len(t, all, 1, "the embedded list has nothing to fetch")
	e := all[0]
	require.Equal(t, Live, e.Freshness)
	require.False(t, e.NotModified)
	require.False(t, e.Unchanged)
	require.Len(t, e.Snapshot.Responses, 1)
	require.NotEmpty(t, e.Snapshot.Responses[0].ETag)
	require.NotEmpty(t, e.Snapshot.Responses[0].LastModified)
	require.Equal(t, e.Snapshot.Files[0].SHA256, e.Snapshot.Responses[0].SHA256)
	require.Less(t, e.Snapshot.Files[0].StoredBytes, e.Snapshot.Files[0].Bytes, "compressed")

	// Unchanged feed: one conditional request, a 304, the archived bytes reused.
	e = fetchOne(t, cfg)
	require.Equal(t, Live, e.Freshness)
	require.True(t, e.NotModified)
	require.True(t, e.Unchanged)
	require.Equal(t, []int{200, 304}, srv.Statuses(hacksPath))
	h := srv.Headers()
	require.NotEmpty(t, h[len(h)-1].Get("If-None-Match"))
	require.NotEmpty(t, h[len(h)-1].Get("If-Modified-Since"))

	// 500 twice, then success: retried inside the client.
	srv.Inject(hacksPath, feedtest.Status(http.StatusInternalServerError, ""), feedtest.Status(http.StatusBadGateway, ""))
	e = fetchOne(t, cfg)
	require.Equal(t, Live, e.Freshness)
	require.EqualValues(t, 2, e.Retries)
	require.Equal(t, []int{200, 304, 500, 502, 304}, srv.Statuses(hacksPath))
	require.Equal(t, 3, snapshotRecords(t, cfg))

	// Failures land nothing and are kept for `heiststat sources`.
	for _, tc := range []struct {
		name  string
		fault feedtest.Fault
		want  string
	}{
		{"truncated body", srv.Truncated(hacksPath), "unexpected EOF"},
		{"HTML page with 200", feedtest.Body("text/html", []byte("<html><body>Just a moment...</body></html>")), "HTML page"},
		{"malformed JSON", feedtest.Body("application/json", []byte(`[{"date":`)), "not a JSON array"},
		{"renamed field", feedtest.Body("application/json", []byte(`[{"date": 1, "name": "x", "amountUsd": 5, "chain": []}]`)), `required field "amount"`},
		{"500 until retries run out", nil, "HTTP 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				srv.Inject(hacksPath, tc.fault)
			} else {
				for range cfg.HTTP.Retries + 1 {
					srv.Inject(hacksPath, feedtest.Status(http.StatusInternalServerError, ""))
				}
			}
			e := fetchOne(t, cfg)
			require.Equal(t, Failed, e.Freshness)
			require.Nil(t, e.Snapshot)
			require.ErrorContains(t, e.FetchErr, "source defillama_hacks")
			require.ErrorContains(t, e.FetchErr, tc.want)
			require.Equal(t, 3, snapshotRecords(t, cfg))
			requireLandingClean(t, cfg.DataDir)

			states, err := Sources(cfg)
			require.NoError(t, err)
			require.Equal(t, Archived, states[0].Freshness)
			require.Contains(t, states[0].LastError, tc.want)
			require.True(t, states[0].NotModified)
			require.Equal(t, Bundled, states[1].Freshness)
		})
	}

	// A response larger than http.max_response_bytes is refused (with a
	// fresh archive: a 304 would reuse archived bytes without a body).
	cfg.HTTP.MaxResponseBytes, cfg.DataDir = 1000, t.TempDir()
	e = fetchOne(t, cfg)
	require.Equal(t, Failed, e.Freshness)
	require.ErrorContains(t, e.FetchErr, "max_response_bytes")
}

// A corrupt or truncated archive object is detected by its hash and skipped
// with a message naming the file; the next older good snapshot is used.
func TestCorruptArchiveIsSkipped(t *testing.T) {
	requireSharedData(t)
	dir := t.TempDir()
	feed := filepath.Join(dir, "hacks.json")
	b, err := os.ReadFile(filepath.Join(sharedData, hacksPath))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(feed, b, 0o644))
	cfg := hacksConfig(t, feed, dir)
	older := fetchOne(t, cfg).Snapshot

	for _, damage := range []struct {
		name string
		do   func(p string) error
	}{
		{"flipped bytes", func(p string) error {
			z, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			z[len(z)/2] ^= 0xff
			return os.WriteFile(p, z, 0o644)
		}},
		{"truncated", func(p string) error { return os.Truncate(p, 100) }},
		{"deleted", os.Remove},
	} {
		t.Run(damage.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(feed, []byte(strings.Replace(string(b), "Euler", "Euler Finance", 1)), 0o644))
			newer := fetchOne(t, cfg).Snapshot
			require.NotEqual(t, older.Files[0].SHA256, newer.Files[0].SHA256)
			require.NoError(t, damage.do(newer.Files[0].Path))

			land := &Landing{Root: filepath.Join(cfg.DataDir, "landing")}
			got, notes, err := land.Latest("defillama_hacks")
			require.NoError(t, err)
			require.Equal(t, older.FetchedAt, got.FetchedAt)
			require.NotEmpty(t, notes)
			require.Contains(t, notes[0], filepath.Base(newer.Files[0].Path))
			require.Contains(t, notes[0], newer.FetchedAt.Format("20060102T150405"))

			states, err := Sources(cfg)
			require.NoError(t, err)
			require.Equal(t, older.FetchedAt, *states[0].LastSuccess)
			require.NotEmpty(t, states[0].Skipped)

			// The next fetch of the original bytes is the older snapshot of the next case.
			require.NoError(t, os.WriteFile(feed, b, 0o644))
			older = fetchOne(t, cfg).Snapshot
			_, err = readObject(older.Files[0].Path, older.Files[0].SHA256)
			require.NoError(t, err)
		})
	}
}

// landLocalHacks lands a local DeFiLlama file once: its config and snapshot.
func landLocalHacks(t *testing.T) (*Config, *Snapshot) {
	t.Helper()
	feed, err := filepath.Abs("testdata/defillama_malformed.json")
	require.NoError(t, err)
	cfg := hacksConfig(t, feed, t.TempDir())
	return cfg, fetchOne(t, cfg).Snapshot
}

// Objects landed before the archive was compressed are still read.
func TestPlainLegacyObjectsStillRead(t *testing.T) {
	cfg, snap := landLocalHacks(t)
	z := snap.Files[0].Path
	b, err := readObject(z, snap.Files[0].SHA256)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(strings.TrimSuffix(z, ".zst"), b, 0o644))
	require.NoError(t, os.Remove(z))

	got, notes, err := (&Landing{Root: filepath.Join(cfg.DataDir, "landing")}).Latest("defillama_hacks")
	require.NoError(t, err)
	require.Empty(t, notes)
	require.Equal(t, strings.TrimSuffix(z, ".zst"), got.Files[0].Path)
}

// A local file whose stat is unchanged is reused without being read, but only
// by the binary that checked it: a newer binary may check more.
func TestOnlyTheCheckingBinaryReusesUnchangedFiles(t *testing.T) {
	cfg, snap := landLocalHacks(t)
	land := &Landing{Root: filepath.Join(cfg.DataDir, "landing")}
	bin, err := binaryHash()
	require.NoError(t, err)
	require.Equal(t, bin, snap.CheckedBy)
	require.NotNil(t, snap.Files[0].SourceStat)
	require.Equal(t, map[fetch.FileStat]string{*snap.Files[0].SourceStat: snap.Files[0].SHA256}, land.reusable(snap))

	other := *snap
	other.CheckedBy = "an older binary"
	require.Empty(t, land.reusable(&other))
	other.CheckedBy = ""
	require.Empty(t, land.reusable(&other), "records written before checked_by existed")

	// A file kept elsewhere than the source's objects (a bundled fallback) is never reused.
	other = *snap
	other.Files = []LandedFile{snap.Files[0]}
	other.Files[0].Path = land.objectPath(snap.Source, "bundled", snap.Files[0].SHA256, snap.Files[0].Name)
	require.Empty(t, land.reusable(&other))
}
