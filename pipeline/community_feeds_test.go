package pipeline

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/landing"
)

// writeDNTarball writes a gzipped tarball laid out as the GitHub one of
// 1712n/dn-institute (one top folder), with the given incident pages.
func writeDNTarball(t *testing.T, path string, pages map[string]string) {
	t.Helper()
	entries := map[string]string{}
	for n, body := range pages {
		entries["dn-institute-main/content/research/cyberattacks/incidents/"+n] = body
	}
	require.NoError(t, os.WriteFile(path, feedtest.Tarball(t, entries), 0o644))
}

var dnPages = map[string]string{
	"_index.md": "---\ntitle: Incidents\n---\n",
	"2024-03-01-Example-Vault.md": "\ufeff---\ndate: 2024-03-01\ntarget-entities: Example Vault\nentity-types: Custodian\n" +
		"attack-types:\n  - Private Key Leak\ntitle: Example Vault drained\nloss: 9000000\ntags:\n  - North Korea\n  - Lazarus Group\n---\n\n" +
		"## Summary\n\nThe vault's hot wallet was emptied.\n\n## Attackers\n\n" +
		"Elliptic [attributed](https://example.org/elliptic-example-vault) the theft to the Lazarus Group.\n",
	"2023-05-05-Example-DEX.md": "---\ndate: 2023-05-06\ntarget-entities:\n  - Example DEX\nentity-types: DeFi\n" +
		"attack-types: Smart Contract Exploit\ntitle: Example DEX exploited\nloss: 2000000\ntags: [North Korea, Lazarus Group]\n---\n\n" +
		"## Summary\n\nThe pools were drained by a rounding bug.\n",
	"2023-06-06-Example-Wallet.md": "---\ndate: 2023-06-06\ntarget-entities: Example Wallet\nentity-types: Wallet\n" +
		"attack-types: Phishing\ntitle: Example Wallet users phished\nloss: unknown\n---\n\n" +
		"## Summary\n\nUsers signed a malicious approval.\n\n## Attackers\n\nUnlike the Lazarus Group's thefts, this one used a drainer kit.\n",
	"2024-04-04-Broken.md":       "---\ndate: 2024-04-04\ntarget-entities: [Broken\ntitle: broken\nloss: 5\n---\n",
	"2024-05-05-Example-Loss.md": "---\ndate: 2024-05-05\ntarget-entities: Example Loss\ntitle: t\nloss: about 5M\n---\n",
}

// The two community feeds and the text rule on small fixtures: bad pages and
// entries are quarantined with their reason, in = accepted + rejected, and
// the tags and texts become graded DPRK evidence.
func TestCommunityFeedsEvidenceAndRejects(t *testing.T) {
	dir := t.TempDir()
	tarball := filepath.Join(dir, "dn-institute-main.tar.gz")
	writeDNTarball(t, tarball, dnPages)
	yaml := offlineYAML + `  - {name: dn_institute, type: dn_institute, location: "` + tarball + `"}
  - {name: rekt_news, type: rekt_news, location: "` + absPath(t, "testdata/rekt_news_leaderboard.html") + `"}
  - {name: slowmist, type: slowmist_hacked, location: "` + absPath(t, "testdata/slowmist_text_evidence.csv") + `"}
`
	res, err := runWith(t, parse(t, yaml, dir), dir, Options{})
	require.NoError(t, err)

	rejects := rejectsBySource(t, res, func(r reject) string { return r.key + ": " + r.reason })
	require.Len(t, rejects["dn_institute"], 2)
	require.Regexp(t, `^2024-04-04-Broken\.md: front matter: yaml: `, rejects["dn_institute"][0])
	require.Equal(t, "2024-05-05-Example-Loss.md: unparseable loss", rejects["dn_institute"][1])
	require.Equal(t, []string{
		"example-farm-rekt|1: missing or unparseable rekt.date",
		"example-mint-rekt|1: duplicate slug",
		"example-mint-rekt|2: duplicate slug",
		"two-at-once-rekt|1: several victims in one entry",
	}, rejects["rekt_news"])
	rows := rowCounts(res)
	require.Equal(t, "5=3+2", rows["dn_institute"])
	require.Equal(t, "7=3+4", rows["rekt_news"])
	require.Equal(t, "4=4+0", rows["slowmist"])

	db := duck(t)
	got, err := db.Query(`SELECT victim, incident_date::VARCHAR, coalesce(actor, ''), coalesce(attribution_strength, ''),
			array_to_string(feeds, ','), array_to_string(attribution_evidence, ' | ')
		FROM read_parquet(?) WHERE victim LIKE 'Example%' ORDER BY victim`,
		filepath.Join(res.Current, "parquet/incidents/incidents.parquet"))
	require.NoError(t, err)
	defer got.Close()
	var lines []string
	for got.Next() {
		var v [6]string
		require.NoError(t, got.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]))
		lines = append(lines, strings.Join(v[:], " ; "))
	}
	require.NoError(t, got.Err())
	require.Equal(t, []string{
		// rekt.date 4/1/2024 in an article of 4/9/2025: a slip of the year.
		`Example Bridge ; 2025-04-01 ; DPRK ; C ; rekt_news ; rekt_news: description names "North Korea"`,
		`Example CEX ; 2024-09-02 ; DPRK ; C ; slowmist ; slowmist: description names "Lazarus"`,
		`Example DEX ; 2023-05-05 ; DPRK ; C ; dn_institute ; dn_institute: tags North Korea, Lazarus Group`,
		`Example Miner ; 2025-09-02 ; DPRK ; C ; slowmist ; slowmist: reference URL names "dprk"`,
		// An investigator's thread of seed_attribution_threads, as x.com with a query.
		`Example Payments ; 2023-07-23 ; DPRK ; C ; slowmist ; slowmist: reference URL is ZachXBT's attribution thread (https://github.com/1712n/dn-institute/blob/main/content/research/cyberattacks/incidents/2023-07-22-AlphaPo.md)`,
		`Example Pool ; 2024-05-04 ;  ;  ; rekt_news ; `,
		`Example Swap ; 2025-10-02 ;  ;  ; slowmist ; `,
		// The wiki page cites Elliptic beside the actor: F; rekt.news matches it by name and date.
		`Example Vault ; 2024-03-01 ; DPRK ; F ; dn_institute,rekt_news ; dn_institute: tags North Korea, Lazarus Group; cites Elliptic | rekt_news: tags Example Vault, Lazarus`,
		// Lazarus is named outside the page's summary, about other thefts: no evidence.
		`Example Wallet ; 2023-06-06 ;  ;  ; dn_institute ; `,
	}, lines)
}

// The live paths of both feeds served from the real snapshots: landed raw
// bytes and parsed records, then a 403, a page without __NEXT_DATA__ and an
// unreachable server each fall back to the archive of the first run.
func TestCommunityFeedsOverHTTP(t *testing.T) {
	requireSharedData(t)
	const dnPath, rektPath = "/1712n/dn-institute/tar.gz/refs/heads/main", "/leaderboard"
	srv := feedtest.New(t, sharedData)
	srv.Route(dnPath, "live/dn_institute/dn-institute-main.tar.gz")
	srv.Route(rektPath, "live/rekt_news/leaderboard.html")
	dir := t.TempDir()
	yaml := `
http: {retry_wait_min: 1ms, retry_wait_max: 2ms}
sources:
  - {name: curated_dprk, type: curated_incidents, location: embedded}
  - {name: ecb_fx, type: ecb_eurofxref, location: "` + srv.URL("fx/eurofxref-hist.csv") + `"}
  - {name: dn_institute, type: dn_institute, location: "` + srv.Server.URL + dnPath + `"}
  - {name: rekt_news, type: rekt_news, location: "` + srv.Server.URL + rektPath + `"}
`
	cfg := parse(t, yaml, dir)
	cfg.DataDir, cfg.OutDir = filepath.Join(dir, "data"), filepath.Join(dir, "out")
	// A run whose inputs are those of the current release publishes nothing:
	// its manifest is that release's, its fetch errors are in Sources.
	fetchErr := func(res *Result, name string) error {
		t.Helper()
		i := slices.IndexFunc(res.Sources, func(e landing.Extracted) bool { return e.Source.Name() == name })
		require.GreaterOrEqual(t, i, 0, name)
		require.Equal(t, landing.Archived, res.Sources[i].Freshness, name)
		return res.Sources[i].FetchErr
	}
	run := func() (*Result, map[string]output.ManifestSource) {
		t.Helper()
		res, err := Run(t.Context(), cfg, quietLog, Options{})
		require.NoError(t, err)
		src := manifestSources(t, res)
		for _, name := range []string{"dn_institute", "rekt_news"} {
			s := src[name]
			require.Len(t, s.Rows, 1, name)
			want := map[string]string{"dn_institute": "127=127+0", "rekt_news": "297=291+6"}[name]
			require.Equal(t, want, fmt.Sprintf("%d=%d+%d", s.Rows[0].RowsIn, s.Rows[0].Accepted, s.Rows[0].Rejected), name)
		}
		return res, src
	}

	_, first := run()
	for name, files := range map[string]string{
		"dn_institute": "dn-institute.tar.gz:128107, dn_institute_incidents.jsonl",
		"rekt_news":    "leaderboard.html:271972, rekt_news_leaderboard.json",
	} {
		s := first[name]
		require.Equal(t, "live", s.Freshness, name)
		require.Len(t, s.Files, 2, name)
		require.Equal(t, files, fmt.Sprintf("%s:%d, %s", s.Files[0].Name, s.Files[0].Bytes, s.Files[1].Name), "raw bytes landed as fetched, records beside them")
	}

	for _, c := range []struct {
		name string
		rekt feedtest.Fault
		want string
	}{
		{"403", feedtest.Status(http.StatusForbidden, ""), "403"},
		{"page without __NEXT_DATA__", feedtest.Body("text/html", []byte("<!DOCTYPE html><html><body>Just a moment...</body></html>")), `no <script id="__NEXT_DATA__">`},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv.Inject(rektPath, c.rekt)
			srv.Inject(dnPath, feedtest.Status(http.StatusForbidden, ""))
			res, src := run()
			for _, name := range []string{"dn_institute", "rekt_news"} {
				require.Equal(t, "archived", src[name].Freshness, name)
				require.Equal(t, first[name].FetchedAt, src[name].ArchivedAt, name)
			}
			require.ErrorContains(t, fetchErr(res, "rekt_news"), c.want)
			require.ErrorContains(t, fetchErr(res, "dn_institute"), "403")
		})
	}

	srv.Close()
	res, _ := run()
	for _, name := range []string{"dn_institute", "rekt_news"} {
		require.ErrorContains(t, fetchErr(res, name), "source "+name)
	}
}

// The real snapshots: every wiki page and leaderboard entry is accounted
// for, the tagged ones are DPRK evidence, and the 2024-2025 thefts the press
// attributes carry what these feeds and the text rule say of them.
func TestSnapshotCommunityFeeds(t *testing.T) {
	res := snapshotRun(t)
	src := manifestSources(t, res)
	for name, want := range map[string]string{"dn_institute": "127=127+0", "rekt_news": "297=291+6"} {
		r := src[name].Rows
		require.Len(t, r, 1, name)
		require.Equal(t, want, fmt.Sprintf("%d=%d+%d", r[0].RowsIn, r[0].Accepted, r[0].Rejected), name)
	}
	reasons := map[string]int{}
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/rejects.csv")) {
		if r["source"] == "rekt_news" {
			reasons[r["reason"]]++
		}
	}
	require.Equal(t, map[string]int{"several victims in one entry": 6}, reasons)

	db := duck(t)
	incidents := filepath.Join(res.Current, "parquet/incidents/incidents.parquet")
	tagged := func(prefix string) []string {
		rows, err := db.Query(`SELECT victim || ' ' || year || ' ' || attribution_strength FROM read_parquet(?)
			WHERE actor = 'DPRK' AND list_bool_or(list_transform(attribution_evidence, e -> starts_with(e, ?)))
			ORDER BY incident_date`, incidents, prefix)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Equal(t, []string{"KuCoin 2020 G", "Ronin Bridge 2022 G", "Harmony Horizon Bridge 2022 G", "Atomic Wallet 2023 G",
		"Alphapo 2023 G", "CoinEx 2023 F", "Poloniex 2023 C", "Orbit Bridge 2023 C"}, tagged("dn_institute: tags"))
	require.Equal(t, []string{"Atomic Wallet 2023 G", "Bybit 2025 G", "LND.fi 2025 F", "Drift Trade 2026 C"}, tagged("rekt_news: tags"))

	// Evidence from these feeds and from names and URLs (descriptions of the
	// older feeds were read before).
	for _, c := range []struct {
		victim string
		year   int
		want   []string
	}{
		{"SBI Crypto", 2025, []string{`rekt_news: description names "North Korea"`, `slowmist: reference URL names "dprk"`}},
		{"BingX", 2024, nil},
		{"Indodax", 2024, nil},
		{"CoinDCX", 2025, nil},
	} {
		var feeds, actor string
		var ev []any
		require.NoError(t, db.QueryRow(`SELECT array_to_string(feeds, ','), coalesce(actor, ''),
				list_filter(attribution_evidence, e -> starts_with(e, 'dn_institute:') OR starts_with(e, 'rekt_news:')
					OR contains(e, ': reference URL names') OR contains(e, ': name names'))
			FROM read_parquet(?) WHERE victim = ? AND year = ?`, incidents, c.victim, c.year).Scan(&feeds, &actor, &ev))
		require.Contains(t, feeds, "rekt_news", "%s is matched with its rekt.news entry", c.victim)
		got := []string{}
		for _, e := range ev {
			got = append(got, e.(string))
		}
		if c.want == nil {
			c.want = []string{}
		}
		require.Equal(t, c.want, got, c.victim)
		if len(c.want) > 0 {
			require.Equal(t, "DPRK", actor, c.victim)
		}
	}
}
