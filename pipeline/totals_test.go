package pipeline

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The truth of the totals on the real snapshot: each kind of error the
// fact-check found is fixed by the mechanism (categories, reviews,
// arbitration, dedup, flags), shown here on its example.
func TestSnapshotRightTotals(t *testing.T) {
	res := snapshotRun(t)
	inc := filepath.Join(res.Current, "parquet/incidents/incidents.parquet")
	db := duck(t)
	one := func(q string, dest ...any) {
		t.Helper()
		require.NoError(t, db.QueryRowContext(t.Context(), strings.ReplaceAll(q, "INCIDENTS", "read_parquet('"+inc+"')")).Scan(dest...), q)
	}

	// Bitfinex 2016: valued from the DOJ's 119,754 BTC at the theft-date
	// close, not SlowMist's $900M (a later value).
	var method, citation string
	var usd, btc float64
	one(`SELECT valuation_method, amount_usd::DOUBLE, amount_citation FROM INCIDENTS WHERE victim = 'Bitfinex' AND year = 2016`, &method, &usd, &citation)
	require.Equal(t, "native_at_theft_date", method)
	require.True(t, usd > 55e6 && usd < 80e6, "Bitfinex at the theft date: %.2f", usd)
	require.Contains(t, citation, "bitfinex")
	require.NoError(t, db.QueryRowContext(t.Context(), fmt.Sprintf(`SELECT quantity FROM read_parquet('%s') a
		JOIN read_parquet('%s') i USING (incident_id) WHERE i.victim = 'Bitfinex' AND i.year = 2016 AND a.asset = 'BTC'`,
		filepath.Join(res.Current, "parquet/incident_assets/incident_assets.parquet"), inc)).Scan(&btc))
	require.Equal(t, 119754.0, btc)

	// Not thefts: a pool lock, a bug that locked DAI, oracle-driven liquidations.
	for victim, category := range map[string]string{"YFValue": "funds_frozen", "Saffron Finance": "funds_frozen", "Compound": "price_liquidation"} {
		var cat string
		var theft bool
		one(fmt.Sprintf(`SELECT category, is_theft FROM INCIDENTS WHERE victim = '%s' AND year = 2020 AND amount_usd >= 50000000`, victim), &cat, &theft)
		require.Equal(t, category, cat, victim)
		require.False(t, theft, victim)
	}

	// LuBian: flagged, in parquet/incidents, out of the 2020 headline.
	var flags string
	var theft bool
	one(`SELECT array_to_string(flags, ','), is_theft FROM INCIDENTS WHERE victim = 'LuBian'`, &flags, &theft)
	require.Contains(t, flags, "reported_late")
	require.Contains(t, flags, "theft_disputed")
	require.False(t, theft)
	annual := map[string]map[string]string{}
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/annual.csv")) {
		annual[r["year"]] = r
	}
	y2020 := money(t, annual["2020"]["stolen_usd"])
	require.Less(t, y2020, 1.5e9, "2020 without LuBian, YFValue, Saffron and Compound")
	require.Less(t, y2020, money(t, annual["2022"]["stolen_usd"]), "2020 is not the record year")

	// Counted once: Mirror's $90M (October 2021, reported May 2022) and the
	// HTX hot wallet inside the curated HTX + Heco Bridge theft.
	var mirrors int
	var mirrorYear int
	one(`SELECT count(*), min(year) FROM INCIDENTS WHERE victim ILIKE 'mirror%' AND amount_usd >= 50000000`, &mirrors, &mirrorYear)
	require.Equal(t, 1, mirrors)
	require.Equal(t, 2021, mirrorYear)
	var htx int
	one(`SELECT count(*) FROM INCIDENTS WHERE incident_date BETWEEN DATE '2023-11-20' AND DATE '2023-11-25'
		AND regexp_matches(lower(victim), 'htx|huobi|heco')`, &htx)
	require.Equal(t, 1, htx)

	// 2016 no longer $964M; 2025's recovered money is not Bybit's and DMM's
	// reimbursement of their own customers.
	require.Less(t, money(t, annual["2016"]["stolen_usd"]), 200e6)
	require.Less(t, money(t, annual["2025"]["recovered_usd"]), 500e6)
	require.GreaterOrEqual(t, money(t, annual["2025"]["reimbursed_usd"]), 1.4e9)
	require.GreaterOrEqual(t, money(t, annual["2024"]["reimbursed_usd"]), 300e6)

	// The partial year's YoY compares the same part of the year before.
	last := annual[fmt.Sprint(slices.Max(keys(annual)))]
	require.Equal(t, "true", last["is_partial_year"])
	md := last["as_of_date"][5:]
	require.Equal(t, "ytd_to_"+md, last["yoy_basis"])
	var prevYTD float64
	year, _ := strconv.Atoi(last["year"])
	one(fmt.Sprintf(`SELECT sum(amount_usd)::DOUBLE FROM INCIDENTS WHERE is_theft AND year = %d AND strftime(incident_date, '%%m-%%d') <= '%s'`, year-1, md), &prevYTD)
	want := math.Round(1000*(money(t, last["stolen_usd"])-prevYTD)/prevYTD) / 10
	require.InDelta(t, want, money(t, last["yoy_stolen_usd_pct"]), 0.05)
	require.Equal(t, "full_year", annual[fmt.Sprint(year-1)]["yoy_basis"])

	// Every theft of $50M or more names the source of its amount, and every
	// count is split into valued and unvalued.
	var bigUncited int
	one(`SELECT count(*) FROM INCIDENTS WHERE is_theft AND amount_usd >= 50000000 AND amount_citation IS NULL`, &bigUncited)
	require.Zero(t, bigUncited)
	for y, r := range annual {
		require.Equal(t, atoi(t, r["incidents"]), atoi(t, r["incidents_valued"])+atoi(t, r["incidents_unvalued"]), y)
	}
}

// heiststat's all-actor total lies within the range of the published
// totals for every year that has at least two publishers (multi-year
// figures aside).
func TestSnapshotWithinPublishedRange(t *testing.T) {
	res := snapshotRun(t)
	type span struct{ lo, hi float64 }
	ranges := map[string]*span{}
	publishers := map[string]map[string]bool{}
	var ours = map[string]float64{}
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/published_estimates.csv")) {
		if r["actor"] != "all" || r["stolen_usd"] == "" || strings.HasPrefix(r["note"], "multi-year") {
			continue
		}
		v := money(t, r["stolen_usd"])
		s := ranges[r["year"]]
		if s == nil {
			s = &span{v, v}
			ranges[r["year"]] = s
			publishers[r["year"]] = map[string]bool{}
		}
		s.lo, s.hi = min(s.lo, v), max(s.hi, v)
		publishers[r["year"]][r["publisher"]] = true
		ours[r["year"]] = money(t, r["heiststat_stolen_usd"])
	}
	checked := 0
	for year, s := range ranges {
		if y, _ := strconv.Atoi(year); y < 2016 || y > 2025 || len(publishers[year]) < 2 {
			continue
		}
		checked++
		require.True(t, ours[year] >= s.lo && ours[year] <= s.hi, "%s: heiststat %.0f outside the published %.0f-%.0f", year, ours[year], s.lo, s.hi)
	}
	require.GreaterOrEqual(t, checked, 8)
}

func money(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, s)
	return v
}

func keys(m map[string]map[string]string) []int {
	var out []int
	for k := range m {
		y, _ := strconv.Atoi(k)
		out = append(out, y)
	}
	return out
}

// On the snapshot every review names exactly one incident (offline or on
// other inputs a review may find none, which the data test allows), and
// every theft of $50M or more has a review.
func TestSnapshotReviewsMatch(t *testing.T) {
	snapshotRun(t)
	cfg, err := LoadConfig("../configs/snapshot.yaml")
	require.NoError(t, err)
	unmatched := warehouseQuery(t, cfg, snapDir, `SELECT review_key FROM int_incident_reviews WHERE matched_incidents <> 1 ORDER BY 1`)
	require.Empty(t, unmatched, "reviews that match no incident, or several")
	unreviewed := warehouseQuery(t, cfg, snapDir, `SELECT victim, incident_date::VARCHAR, amount_usd::VARCHAR FROM fct_incidents
		WHERE is_theft AND amount_usd >= 50000000
			AND incident_id NOT IN (SELECT incident_id FROM int_incident_reviews WHERE incident_id IS NOT NULL)
		ORDER BY amount_usd DESC`)
	require.Empty(t, unreviewed, "thefts of $50M or more without a review")
}
