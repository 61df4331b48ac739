package landing

import (
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heiststat/heiststat/sources"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
	"github.com/stretchr/testify/require"
)

// landLocalHacks lands a local DeFiLlama file once: its config and snapshot.
func landLocalHacks(t *testing.T) (*Landing, *Snapshot) {
	t.Helper()
	path, err := filepath.Abs("../testdata/defillama_malformed.json")
	require.NoError(t, err)
	srcs, err := sources.New([]feed.Spec{{Name: "defillama_hacks", Type: "defillama_hacks", Location: path}})
	require.NoError(t, err)
	land := &Landing{Root: filepath.Join(t.TempDir(), "landing")}
	got := Extract(t.Context(), slog.New(slog.DiscardHandler), land, srcs, http.DefaultClient, Options{NoFallback: true, Now: time.Now})
	require.Equal(t, Live, got[0].Freshness, got[0].FetchErr)
	return land, got[0].Snapshot
}

// Objects landed before the archive was compressed are still read.
func TestPlainLegacyObjectsStillRead(t *testing.T) {
	land, snap := landLocalHacks(t)
	z := snap.Files[0].Path
	b, err := readObject(z, snap.Files[0].SHA256)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(strings.TrimSuffix(z, ".zst"), b, 0o644))
	require.NoError(t, os.Remove(z))

	got, notes, err := land.Latest("defillama_hacks")
	require.NoError(t, err)
	require.Empty(t, notes)
	require.Equal(t, strings.TrimSuffix(z, ".zst"), got.Files[0].Path)
}

// A local file whose stat is unchanged is reused without being read, but only
// by the binary that checked it: a newer binary may check more.
func TestOnlyTheCheckingBinaryReusesUnchangedFiles(t *testing.T) {
	land, snap := landLocalHacks(t)
	bin, err := BinaryHash()
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
