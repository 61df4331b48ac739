package pipeline

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// checkGenerated compares a committed generated file with fresh content, or
// rewrites it with -update.
func checkGenerated(t *testing.T, path, fresh, how string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(fresh), 0o644))
		return
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, string(b) == fresh, "%s is out of date: run %s", path, how)
}

// docs/SCHEMA.md is the SCHEMA.md every release carries (default currencies).
func TestSchemaDocInSync(t *testing.T) {
	dir := t.TempDir()
	res, err := runWith(t, parse(t, offlineYAML, dir), dir, Options{})
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(res.Current, "SCHEMA.md"))
	require.NoError(t, err)
	checkGenerated(t, "../docs/SCHEMA.md", string(b), "make schema")
}

// provenance names where each snapshot source's figures come from; the
// bundled facts carry it per row.
var provenance = map[string]string{
	"prices_yfinance":      "Yahoo Finance daily close (yfinance CSV; xa197/financial-dashboard-v2@abc64464)",
	"prices_coinmarketcap": "CoinMarketCap daily close (Kaggle dataset; mregister2/bitcoin-random-forest@053e6698)",
	"ecb_fx":               "ECB euro reference rate (eurofxref-hist.csv; h0tbird/eurofxref@1be77cd4)",
}

// valueAtExample is the re-valuation date docs/reading-outputs.md uses (--value-at): the
// bundled facts also carry that day's closes of the curated incidents' assets
// and its USD and GBP rates, so the example works offline too.
const valueAtExample = "2024-11-21"

// sources/bundled/{prices,fx}.csv hold exactly the price and FX points the
// curated incidents use in the snapshot run (and on valueAtExample), so an
// offline run values them the same way. Regenerate with make facts after
// editing the curated list.
func TestBundledFactsInSync(t *testing.T) {
	res := snapshotRun(t)
	db := duck(t)
	p := func(ds string) string { return filepath.Join(res.Current, "parquet", ds, ds+".parquet") }

	prices := factsCSV(t, db, "asset,price_date,close_usd,source", fmt.Sprintf(`
		SELECT DISTINCT pr.asset, strftime(pr.price_date, '%%Y-%%m-%%d'), pr.close_usd, pr.source
		FROM read_parquet('%s') a
		JOIN read_parquet('%s') i USING (incident_id)
		JOIN read_parquet('%s') pr ON pr.asset = a.priced_as AND pr.price_date = a.price_date
		WHERE list_contains(i.sources, 'curated_dprk') AND a.price_basis IN ('own_series', 'equivalent')
		UNION
		SELECT DISTINCT pr.asset, strftime(pr.price_date, '%%Y-%%m-%%d'), pr.close_usd, pr.source
		FROM read_parquet('%[1]s') a
		JOIN read_parquet('%[2]s') i USING (incident_id)
		JOIN read_parquet('%[3]s') pr ON pr.asset = a.priced_as AND pr.price_date = DATE '%[4]s'
		WHERE list_contains(i.sources, 'curated_dprk') AND a.price_basis IN ('own_series', 'equivalent')
		ORDER BY 1, 2`, p("incident_assets"), p("incidents"), p("prices"), valueAtExample))
	fx := factsCSV(t, db, "rate_date,currency,per_eur,source", fmt.Sprintf(`
		SELECT DISTINCT strftime(f.rate_date, '%%Y-%%m-%%d'), f.currency, f.per_eur, f.source
		FROM read_parquet('%s') i
		JOIN read_parquet('%s') f ON f.rate_date = i.fx_rate_date AND f.currency IN ('USD', 'GBP')
		WHERE list_contains(i.sources, 'curated_dprk')
		UNION
		SELECT strftime(rate_date, '%%Y-%%m-%%d'), currency, per_eur, source
		FROM read_parquet('%[2]s') WHERE rate_date = DATE '%[3]s' AND currency IN ('USD', 'GBP')
		ORDER BY 1, 2`, p("incidents"), p("fx"), valueAtExample))

	checkGenerated(t, "../sources/bundled/prices.csv", prices, "make facts")
	checkGenerated(t, "../sources/bundled/fx.csv", fx, "make facts")
}

// factsCSV renders rows of (key, day, value, source) as a facts file, with
// the value in shortest exact decimal form and the source's provenance.
func factsCSV(t *testing.T, db *sql.DB, header, query string) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query)
	require.NoError(t, err)
	defer rows.Close()
	var b strings.Builder
	b.WriteString(header + "\n")
	for rows.Next() {
		var k1, k2, src string
		var v float64
		require.NoError(t, rows.Scan(&k1, &k2, &v, &src))
		require.Contains(t, provenance, src)
		fmt.Fprintf(&b, "%s,%s,%s,%s\n", k1, k2, strconv.FormatFloat(v, 'f', -1, 64), provenance[src])
	}
	require.NoError(t, rows.Err())
	return b.String()
}
