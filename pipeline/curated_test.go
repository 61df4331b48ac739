package pipeline

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// The curated list covers the public record: per year at least the
// community incident-level list's DPRK counts (tayvano, 2017-2023), the
// 2020-2021 figures a reporter compares with the press, and the thefts whose
// attribution the feeds alone missed carry DPRK with their grade.
func TestSnapshotDPRKCoverage(t *testing.T) {
	res := snapshotRun(t)
	dprk := map[string]map[string]string{}
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/annual_by_actor.csv")) {
		if r["actor"] == "DPRK" {
			dprk[r["year"]] = r
		}
	}
	community := map[string]int{"2017": 6, "2018": 15, "2019": 9, "2020": 8, "2021": 14, "2022": 9, "2023": 20}
	for year, n := range community {
		require.GreaterOrEqual(t, atoi(t, dprk[year]["incidents"]), n, "DPRK thefts in %s", year)
	}
	require.Equal(t, "15", dprk["2020"]["incidents"])
	require.Equal(t, "333823000.00", dprk["2020"]["stolen_usd"])
	require.Equal(t, "22", dprk["2021"]["incidents"])
	require.Equal(t, "378679096.10", dprk["2021"]["stolen_usd"])
	require.Equal(t, "46.7", dprk["2021"]["yoy_incidents_pct"])
	require.Equal(t, "13.4", dprk["2021"]["yoy_stolen_usd_pct"])
	require.Equal(t, "70", dprk["2024"]["incidents"])
	require.Equal(t, "85", dprk["2025"]["incidents"])

	db := duck(t)
	rows, err := db.Query(`SELECT victim, strftime(incident_date, '%Y-%m-%d'), coalesce(actor, ''),
			coalesce(attribution_strength, ''), list_contains(flags, 'attribution_disputed'), len(attribution_evidence)
		FROM read_parquet(?)
		WHERE (victim, year) IN (('BingX', 2024), ('Indodax', 2024), ('CoinDCX', 2025), ('SBI Crypto', 2025))
		ORDER BY victim`, filepath.Join(res.Current, "parquet/incidents/incidents.parquet"))
	require.NoError(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var victim, date, actor, grade string
		var disputed bool
		var evidence int
		require.NoError(t, rows.Scan(&victim, &date, &actor, &grade, &disputed, &evidence))
		require.Positive(t, evidence, victim)
		got = append(got, victim+" "+date+" "+actor+" "+grade+" disputed="+strconv.FormatBool(disputed))
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{
		"BingX 2024-09-19 DPRK G disputed=false",
		"CoinDCX 2025-07-19 DPRK F disputed=true",
		"Indodax 2024-09-10 DPRK G disputed=false",
		"SBI Crypto 2025-09-24 DPRK F disputed=false",
	}, got)
}
