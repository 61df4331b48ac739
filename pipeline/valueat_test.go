package pipeline

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// With value_at 2024-11-21, Upbit 2019 (342,000 ETH) is re-valued at that
// day's ETH close (about $1.15bn) while its theft-date value stays near $50M;
// GBP uses the ECB cross rate of that day, and the CSVs carry the columns.
func TestSnapshotValueAt(t *testing.T) {
	requireSharedData(t)
	cfg, err := LoadConfig("../configs/snapshot.yaml")
	require.NoError(t, err)
	cfg.ValueAt = "2024-11-21"
	res, err := runWith(t, cfg, "", Options{})
	require.NoError(t, err)
	require.Equal(t, "2024-11-21", res.Manifest.ValueAt)

	var theft, now, nowGBP, rate float64
	var date string
	require.NoError(t, duck(t).QueryRowContext(t.Context(), fmt.Sprintf(`
		SELECT amount_usd::DOUBLE, value_at_usd::DOUBLE, value_at_gbp::DOUBLE, value_at_gbp_per_usd, strftime(value_at_date, '%%Y-%%m-%%d')
		FROM read_parquet('%s') WHERE victim = 'Upbit' AND year = 2019`,
		filepath.Join(res.Current, "parquet/incidents/incidents.parquet"))).Scan(&theft, &now, &nowGBP, &rate, &date))
	eth := closeOn(t, filepath.Join(sharedData, "prices/yfinance_2018-2025/ETH-USD.csv"), "2024-11-21")
	require.Equal(t, "2024-11-21", date)
	require.InDelta(t, 342000*eth, now, 0.01)
	require.True(t, now > 1.0e9 && now < 1.2e9, "Upbit at 2024-11-21: %.2f", now)
	require.True(t, theft > 45e6 && theft < 56e6, "Upbit at its theft date: %.2f", theft)
	require.InDelta(t, ecbOn(t, "2024-11-21", "GBP")/ecbOn(t, "2024-11-21", "USD"), rate, 1e-9)
	require.InDelta(t, now*rate, nowGBP, 0.01)

	var upbit map[string]string
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/top_incidents.csv")) {
		if r["victim"] == "Upbit" && r["year"] == "2019" {
			upbit = r
		}
	}
	require.NotNil(t, upbit)
	require.Equal(t, fmt.Sprintf("%.2f", 342000*eth), upbit["value_at_usd"])
	annual := readCSV(t, filepath.Join(res.Current, "csv/annual.csv"))
	h := header(t, filepath.Join(res.Current, "csv/annual.csv"))
	require.Equal(t, []string{"value_at_date", "value_at_incidents", "value_at_theft_date_usd", "value_at_usd", "value_at_gbp"}, h[len(h)-5:])
	for _, r := range annual {
		if r["year"] == "2019" {
			require.NotEqual(t, "0", r["value_at_incidents"])
		}
	}

	// A theft after the value_at date has no value then: Bybit (February
	// 2025) is valued from native assets, but its value_at columns stay empty.
	var bybitAt sql.NullFloat64
	var bybit float64
	require.NoError(t, duck(t).QueryRowContext(t.Context(), fmt.Sprintf(`
		SELECT amount_usd::DOUBLE, value_at_usd::DOUBLE FROM read_parquet('%s') WHERE victim = 'Bybit' AND year = 2025`,
		filepath.Join(res.Current, "parquet/incidents/incidents.parquet"))).Scan(&bybit, &bybitAt))
	require.False(t, bybitAt.Valid, "Bybit 2025 re-valued at 2024-11-21")
	require.Greater(t, bybit, 1.3e9)
	for _, r := range annual {
		if r["year"] == "2025" || r["year"] == "2026" {
			require.Equal(t, "0", r["value_at_incidents"], r["year"])
		}
	}
}

// The value-at example of docs/reading-outputs.md works offline: the bundled facts carry the
// closes and rates of valueAtExample.
func TestOfflineValueAtUsesBundledFacts(t *testing.T) {
	dir := t.TempDir()
	cfg := parse(t, offlineYAML, dir)
	cfg.ValueAt = valueAtExample
	res, err := runWith(t, cfg, dir, Options{})
	require.NoError(t, err)
	var now, gbp float64
	require.NoError(t, duck(t).QueryRowContext(t.Context(), fmt.Sprintf(`
		SELECT value_at_usd::DOUBLE, value_at_gbp::DOUBLE FROM read_parquet('%s') WHERE victim = 'Upbit' AND year = 2019`,
		filepath.Join(res.Current, "parquet/incidents/incidents.parquet"))).Scan(&now, &gbp))
	require.InDelta(t, 342000*3361.053955078125, now, 0.01)
	require.InDelta(t, now*0.83273/1.0526, gbp, 0.01)
}
