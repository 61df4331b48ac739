package dninstitute

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
)

// dnTarball builds a gzipped tarball the way codeload.github.com serves the
// repo: every path under one top folder, folders as entries of their own.
func dnTarball(t *testing.T, files map[string]string) []byte {
	t.Helper()
	entries := map[string]string{"dn-institute-main/": ""}
	for n, body := range files {
		entries["dn-institute-main/"+n] = body
	}
	return feedtest.Tarball(t, entries)
}

const dnDir = "content/research/cyberattacks/incidents/"

// dnFixture has one page per quirk of the real wiki, a page whose front
// matter is not YAML, and files the source must skip.
var dnFixture = map[string]string{
	"README.md":           "# dn-institute\n",
	"content/_index.md":   "---\ntitle: Content\n---\n",
	dnDir + "_index.md":   "---\ntitle: \"Incidents\"\n---\n",
	dnDir + "drafts/x.md": "---\ndate: 2020-01-01\ntitle: draft\nloss: 1\n---\n",
	dnDir + "2022-03-23-Ronin.md": "\ufeff---\ntags:\n  - North Korea\n  - Lazarus Group\ntarget-entities:\n  - Ronin\n  - Axie Infinity\n" +
		"entity-types: Bridge\nattack-types:\n  - Private Key Leak\ndate: 2022-03-23\ntitle: Ronin bridge drained\nloss: 624000000\n---\n\n" +
		"## Summary\n\nThe Ronin bridge lost 173,600 ETH.\n\n## Attackers\n\nThe FBI attributed the theft to the Lazarus Group.\n",
	dnDir + "2012-09-19-Silk-Road.md": "---\ndate: 2022-11-04\ntarget-entities: Silk Road\nentity-types:\n  - Darknet\n" +
		"attack-types: Race Condition Exploit\ntitle: \"Silk Road: 50,000 BTC\"\nloss: 3360000000\n---\n\n## Summary\n\nWithdrawals were replayed.\n",
	dnDir + "2023-08-18-Exactly Protocol.md": "---\ndate: 2023-08-18\ntarget-entities: Exactly Protocol\nentity-types: DeFi\n" +
		"attack-types: Smart Contract Exploit\ntitle: Exactly drained\nloss: unknown\n---\n\n## Summary\n\nA market was drained.\n",
	dnDir + "2024-01-01-Broken.md":        "---\ndate: 2024-01-01\ntarget-entities: [Broken\ntitle: broken\nloss: 5\n---\nbody\n",
	dnDir + "2024-02-02-NoFrontMatter.md": "## Summary\n\nNo front matter at all.\n",
}

func TestParseFixture(t *testing.T) {
	recs, err := Parse(bytes.NewReader(dnTarball(t, dnFixture)))
	require.NoError(t, err)
	files := make([]string, len(recs))
	for i, r := range recs {
		files[i] = r.File
	}
	require.Equal(t, []string{"2012-09-19-Silk-Road.md", "2022-03-23-Ronin.md", "2023-08-18-Exactly Protocol.md",
		"2024-01-01-Broken.md", "2024-02-02-NoFrontMatter.md"}, files, "only the incidents folder, without _index.md or subfolders")

	silk, ronin, exactly, broken, none := recs[0], recs[1], recs[2], recs[3], recs[4]
	require.Equal(t, Incident{File: "2012-09-19-Silk-Road.md", FileDate: "2012-09-19", Date: "2022-11-04", Title: "Silk Road: 50,000 BTC",
		TargetEntities: []string{"Silk Road"}, EntityTypes: []string{"Darknet"}, AttackTypes: []string{"Race Condition Exploit"},
		Loss: "3360000000", Body: "## Summary\n\nWithdrawals were replayed."}, silk, "date kept as written, string-or-list fields as lists")
	require.Empty(t, ronin.Error, "a byte order mark is skipped")
	require.Equal(t, []string{"North Korea", "Lazarus Group"}, ronin.Tags)
	require.Equal(t, []string{"Ronin", "Axie Infinity"}, ronin.TargetEntities)
	require.Equal(t, []string{"Bridge"}, ronin.EntityTypes)
	require.Equal(t, "624000000", ronin.Loss)
	require.Contains(t, ronin.Body, "The FBI attributed the theft to the Lazarus Group.")
	require.Equal(t, "unknown", exactly.Loss)
	require.Equal(t, "2023-08-18", exactly.FileDate, "a file name with a space")
	require.Contains(t, broken.Error, "front matter: yaml:")
	require.Equal(t, "2024-01-01", broken.FileDate)
	require.Empty(t, broken.Title)
	require.Equal(t, "no front matter: the file does not start with ---", none.Error)
}

func TestParseFailures(t *testing.T) {
	_, err := Parse(bytes.NewReader([]byte("<!DOCTYPE html><html>rate limited</html>")))
	require.ErrorContains(t, err, "not a gzip file")

	_, err = Parse(bytes.NewReader(dnTarball(t, map[string]string{"content/research/other/a.md": "---\ntitle: a\n---\n"})))
	require.ErrorContains(t, err, "no incident files under */content/research/cyberattacks/incidents/")

	renamed := map[string]string{dnDir + "2022-03-23-Ronin.md": "---\ndate: 2022-03-23\ntarget-entities: Ronin\ntitle: Ronin\nlosses: 624000000\n---\n"}
	_, err = Parse(bytes.NewReader(dnTarball(t, renamed)))
	require.ErrorContains(t, err, `front matter field "loss" is missing from all 1 incident files`)

	whole := dnTarball(t, dnFixture)
	_, err = Parse(bytes.NewReader(whole[:len(whole)/2]))
	require.Error(t, err, "a truncated tarball")
}

// The live tarball is served at codeload's path; the landed files are the
// tarball as fetched and the parsed pages as JSON lines.
func TestFetch(t *testing.T) {
	tarball := dnTarball(t, dnFixture)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/1712n/dn-institute/tar.gz/refs/heads/main" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-gzip")
		_, _ = w.Write(tarball)
	}))
	defer srv.Close()
	src := feedtest.Must(t, NewWiki, feedtest.Spec("dn_institute", srv.URL+"/1712n/dn-institute/tar.gz/refs/heads/main"))
	files, err := src.Fetch(t.Context(), feedtest.Client())
	require.NoError(t, err)
	require.Len(t, files, 2)
	require.Equal(t, feed.File{Name: "dn-institute.tar.gz", Data: tarball}, files[0])
	require.Equal(t, "dn_institute_incidents.jsonl", files[1].Name)
	require.Equal(t, "dn_institute", files[1].Format)
	lines := bytes.Split(bytes.TrimSuffix(files[1].Data, []byte("\n")), []byte("\n"))
	require.Len(t, lines, 5)
	require.Contains(t, string(lines[3]), `"error":"front matter: yaml:`)

	local := filepath.Join(t.TempDir(), "dn-institute-main.tar.gz")
	require.NoError(t, os.WriteFile(local, tarball, 0o644))
	files2 := feedtest.RequireFetch(t, NewWiki, "dn_institute", local)
	require.Equal(t, files, files2, "a local tarball lands the same files")

	_, err = feedtest.Must(t, NewWiki, feedtest.Spec("dn_institute", srv.URL+"/gone")).Fetch(t.Context(), feedtest.Client())
	require.ErrorContains(t, err, "404")
}

// The real snapshot: 127 incident pages, 8 tagged North Korea and Lazarus
// Group, the three with a byte order mark and the Silk Road date read.
func TestParseRealSnapshot(t *testing.T) {
	f, err := os.Open(feedtest.SharedPath(t, "live/dn_institute/dn-institute-main.tar.gz"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := Parse(f)
	require.NoError(t, err)
	require.Len(t, recs, 127)
	var tagged, unknown []string
	for _, r := range recs {
		require.Empty(t, r.Error, r.File)
		require.NotEmpty(t, r.TargetEntities, r.File)
		if len(r.Tags) > 0 {
			require.Subset(t, r.Tags, []string{"North Korea", "Lazarus Group"}, r.File) // Harmony adds APT38
			tagged = append(tagged, r.File)
		}
		if r.Loss == "unknown" {
			unknown = append(unknown, r.File)
		}
	}
	require.Equal(t, []string{"2020-09-25-KuCoin.md", "2022-03-23-Ronin.md", "2022-06-23-Harmony-Horizon.md", "2023-06-02-Atomic-Wallet.md",
		"2023-07-22-AlphaPo.md", "2023-09-12-CoinEx.md", "2023-11-10-Poloniex.md", "2023-12-31-Orbit-Bridge.md"}, tagged)
	require.Len(t, unknown, 3)
	i := slices.IndexFunc(recs, func(r Incident) bool { return r.File == "2012-09-19-Silk-Road.md" })
	require.Equal(t, "2022-11-04", recs[i].Date)
	require.Equal(t, "2012-09-19", recs[i].FileDate)
	i = slices.IndexFunc(recs, func(r Incident) bool { return r.File == "2017-07-18-Parity.md" })
	require.Equal(t, "2017-07-18", recs[i].Date, "a page with a byte order mark")
	require.True(t, slices.ContainsFunc(recs, func(r Incident) bool { return r.File == "2023-08-18-Exactly Protocol.md" }))
}
