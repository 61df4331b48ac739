package pipeline

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/sources/defihacklabs"
	"github.com/heiststat/heiststat/sources/dninstitute"
	"github.com/heiststat/heiststat/sources/rektnews"
)

// rawFeedRecord is one record of a raw incident feed, read here in Go
// independently of the SQL models.
type rawFeedRecord struct {
	feed, name string
	date       time.Time
}

// rawIncidentFeeds reads the six raw incident feeds of configs/snapshot.yaml.
func rawIncidentFeeds(t *testing.T) []rawFeedRecord {
	t.Helper()
	var out []rawFeedRecord
	readCSVFile := func(feed, rel, nameCol, dateCol string) {
		f, err := os.Open(filepath.Join(sharedData, rel))
		require.NoError(t, err)
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		require.NoError(t, err)
		col := func(name string) int { return slices.Index(rows[0], name) }
		for _, r := range rows[1:] {
			d, err := time.Parse(time.DateOnly, r[col(dateCol)])
			if err != nil {
				continue // rejected in staging; not a report of anything
			}
			out = append(out, rawFeedRecord{feed, r[col(nameCol)], d})
		}
	}
	readCSVFile("slowmist", "hacks/slowmist_hacked_all_records_2026-05-29.csv", "name", "date")
	readCSVFile("defi_rekt", "hacks/defi_rekt_all_records_2026-05-29.csv", "name", "date")

	b, err := os.ReadFile(filepath.Join(sharedData, "hacks/defillama_hacks_2026-05-29.json"))
	require.NoError(t, err)
	var dl []struct {
		Date int64  `json:"date"`
		Name string `json:"name"`
	}
	require.NoError(t, json.Unmarshal(b, &dl))
	for _, r := range dl {
		out = append(out, rawFeedRecord{"defillama", r.Name, time.Unix(r.Date, 0).UTC()})
	}

	b, err = os.ReadFile(filepath.Join(sharedData, "hacks/blocksec_attack_events_2026-05-29.json"))
	require.NoError(t, err)
	var bs struct {
		List []struct {
			Project string `json:"project"`
			Date    int64  `json:"date"`
		} `json:"list"`
	}
	require.NoError(t, json.Unmarshal(b, &bs))
	for _, r := range bs.List {
		out = append(out, rawFeedRecord{"blocksec", r.Project, time.UnixMilli(r.Date).UTC()})
	}

	f, err := os.Open(filepath.Join(sharedData, "live/dn_institute/dn-institute-main.tar.gz"))
	require.NoError(t, err)
	defer f.Close()
	pages, err := dninstitute.Parse(f)
	require.NoError(t, err)
	for _, p := range pages {
		if d, err := time.Parse(time.DateOnly, p.FileDate); err == nil && len(p.TargetEntities) > 0 {
			out = append(out, rawFeedRecord{"dn_institute", p.TargetEntities[0], d})
		}
	}

	b, err = os.ReadFile(filepath.Join(sharedData, "live/rekt_news/leaderboard.html"))
	require.NoError(t, err)
	board, err := rektnews.Extract(b)
	require.NoError(t, err)
	var rekt []struct {
		Title string `json:"title"`
		Rekt  struct {
			Date string `json:"date"`
		} `json:"rekt"`
	}
	require.NoError(t, json.Unmarshal(board, &rekt))
	for _, r := range rekt {
		if d, err := time.Parse("1/2/2006", r.Rekt.Date); err == nil {
			out = append(out, rawFeedRecord{"rekt_news", r.Title, d})
		}
	}

	for _, p := range []string{"README.md", "past/2021/README.md", "past/2022/README.md", "past/2023/README.md", "past/2024/README.md", "past/2025/README.md"} {
		b, err := os.ReadFile(filepath.Join(sharedData, "live/defihacklabs", p))
		require.NoError(t, err)
		entries, err := defihacklabs.Parse(b, p)
		require.NoError(t, err)
		for _, e := range entries {
			if d, err := time.Parse("20060102", e.Date); err == nil {
				out = append(out, rawFeedRecord{"defihacklabs", e.Name, d})
			}
		}
	}
	return out
}

// The acceptance cases of the canonical-incident work: each theft appears
// exactly once in parquet/incidents and lists every feed that reports it.
// Which feeds report it is read from the raw files here (a record whose
// name matches and whose date is within a week of the theft), so the test
// does not trust the matching it checks.
func TestSnapshotCanonicalIncidents(t *testing.T) {
	res := snapshotRun(t)
	raw := rawIncidentFeeds(t)
	db := duck(t)
	incidents := filepath.Join(res.Current, "parquet/incidents/incidents.parquet")
	cases := []struct {
		name    string
		theft   string
		pattern string // victim names in the feeds, as spelled there
		curated bool
	}{
		{"Ronin", "2022-03-23", `(?i)^ronin`, true},
		{"Harmony", "2022-06-23", `(?i)harmony`, true},
		{"Euler", "2023-03-13", `(?i)^euler`, false},
		{"Bybit", "2025-02-21", `(?i)^bybit`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			theft, err := time.Parse(time.DateOnly, c.theft)
			require.NoError(t, err)
			re := regexp.MustCompile(c.pattern)
			var want []string
			if c.curated {
				want = append(want, "curated")
			}
			for _, r := range raw {
				if re.MatchString(r.name) && r.date.Sub(theft).Abs() <= 7*24*time.Hour && !slices.Contains(want, r.feed) {
					want = append(want, r.feed)
				}
			}
			slices.Sort(want)
			require.GreaterOrEqual(t, len(want), 4, "the raw feeds report %s", c.name)

			rows, err := db.Query(`SELECT incident_id, array_to_string(feeds, ',') FROM read_parquet(?)
				WHERE year = ? AND regexp_matches(victim, ?) AND abs(incident_date - ?::DATE) <= 7`,
				incidents, theft.Year(), c.pattern, c.theft)
			require.NoError(t, err)
			defer rows.Close()
			var ids, feeds []string
			for rows.Next() {
				var id, f string
				require.NoError(t, rows.Scan(&id, &f))
				ids, feeds = append(ids, id), append(feeds, f)
			}
			require.NoError(t, rows.Err())
			require.Len(t, ids, 1, "%s appears exactly once: %v", c.name, feeds)
			require.Equal(t, strings.Join(want, ","), feeds[0], "%s lists every feed that reports it", c.name)
		})
	}
}

// Attribution never rests on more than its evidence: every attributed theft
// has evidence, curated incidents keep their list's actor, and an actor
// known only from feed text is weak (C).
func TestSnapshotAttributionEvidence(t *testing.T) {
	res := snapshotRun(t)
	db := duck(t)
	incidents := filepath.Join(res.Current, "parquet/incidents/incidents.parquet")
	var noEvidence, textOnlyNotWeak, ronin int
	require.NoError(t, db.QueryRow(`SELECT
			count(*) FILTER (WHERE actor IS NOT NULL AND len(attribution_evidence) = 0),
			count(*) FILTER (WHERE actor IS NOT NULL AND list_bool_and(list_transform(attribution_evidence, e -> e LIKE 'slowmist:%'))
				AND attribution_strength <> 'C'),
			count(*) FILTER (WHERE victim = 'Ronin Bridge' AND year = 2022 AND actor = 'DPRK' AND attribution_strength = 'G'
				AND list_bool_or(list_transform(attribution_evidence, e -> e LIKE 'ofac_sdn: 0x098b716b8aaf21512996dc57eb0615e2383e2f96 listed for LAZARUS GROUP%')))
		FROM read_parquet(?)`, incidents).Scan(&noEvidence, &textOnlyNotWeak, &ronin))
	require.Zero(t, noEvidence, "attributed without evidence")
	require.Zero(t, textOnlyNotWeak, "feed text raised above C")
	require.Equal(t, 1, ronin, "Ronin carries the OFAC SDN match of its exploiter address")
}

// Malformed records of the new feeds are quarantined with their reason, and
// rows in = accepted + rejected for each.
func TestIncidentFeedRejects(t *testing.T) {
	dir := t.TempDir()
	yaml := offlineYAML + `  - {name: slowmist, type: slowmist_hacked, location: "` + absPath(t, "testdata/slowmist_malformed.csv") + `"}
  - {name: defi_rekt, type: defi_rekt, location: "` + absPath(t, "testdata/defi_rekt_malformed.csv") + `"}
  - {name: blocksec, type: blocksec_events, location: "` + absPath(t, "testdata/blocksec_malformed.json") + `"}
`
	res, err := runWith(t, parse(t, yaml, dir), dir, Options{})
	require.NoError(t, err)
	reasons := rejectsBySource(t, res, func(r reject) string { return r.reason })
	require.Equal(t, []string{"date in the future", "missing or unparseable date", "negative amount", "unparseable amount"}, reasons["slowmist"])
	// The second record of a repeated id is the reject; the first is kept.
	require.Equal(t, []string{"duplicate of line 5", "missing or unparseable date", "negative amount"}, reasons["defi_rekt"])
	require.Equal(t, []string{"date in the future", "unparseable amount"}, reasons["blocksec"])
	rows := rowCounts(res)
	require.Equal(t, "5=1+4", rows["slowmist"])
	require.Equal(t, "5=2+3", rows["defi_rekt"])
	require.Equal(t, "3=1+2", rows["blocksec"])
}

func TestTheftCategoriesConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(oneSource), t.TempDir())
	require.NoError(t, err)
	require.Equal(t, []string{"hack_exploit", "key_compromise", "phishing", "other"}, cfg.TheftCategories, "scams are not thefts by default")

	cfg, err = ParseConfig([]byte(oneSource+"theft_categories: [hack_exploit, rug_pull_scam]\n"), t.TempDir())
	require.NoError(t, err)
	require.Equal(t, []string{"hack_exploit", "rug_pull_scam"}, cfg.TheftCategories)

	_, err = ParseConfig([]byte(oneSource+"theft_categories: [hacks]\n"), t.TempDir())
	require.ErrorContains(t, err, `theft_categories: unknown category "hacks"`)
}
