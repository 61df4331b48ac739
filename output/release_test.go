package output

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"
)

// A release read back: cells in fixed point with every scale digit, ISO
// dates, JSON numbers with every digit, and nothing but one query runs.
func TestReleaseQueryCells(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "csv"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "csv", "annual.csv"), []byte("year,stolen\n2024,12.5\n"), 0o644))
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	ctx := context.Background()
	rel, err := OpenRelease(ctx, db, dir)
	require.NoError(t, err)
	defer rel.Close()
	require.Equal(t, []string{"annual"}, rel.Tables)

	res, err := rel.Query(ctx, `SELECT year, stolen::DECIMAL(18, 2) AS d, -0.05::DECIMAL(9, 2) AS n, 1e21::DOUBLE AS f,
		DATE '2024-01-02' AS day, NULL AS none FROM annual`)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"2024", "12.50", "-0.05", "1000000000000000000000", "2024-01-02", ""}}, res.Text)
	var b bytes.Buffer
	require.NoError(t, res.Write(&b, "json"))
	require.Equal(t, "[\n  {\"year\": 2024, \"d\": 12.50, \"n\": -0.05, \"f\": 1000000000000000000000, \"day\": \"2024-01-02\", \"none\": null}\n]\n", b.String())

	ok, err := rel.HasColumn(ctx, "annual", "stolen")
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, rel.ReadOnly(ctx, "SELECT 1"))
	for _, q := range []string{"DROP TABLE annual", "SELECT 1; SELECT 2", "COPY annual TO 'x.csv'"} {
		require.Error(t, rel.ReadOnly(ctx, q), q)
	}
}

func TestYoYArrowAndPercent(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	require.Equal(t, "▲ +12.3%", YoYArrow(v(12.3)))
	require.Equal(t, "▼ -5.0%", YoYArrow(v(-5)))
	require.Equal(t, "► 0.0%", YoYArrow(v(0)))
	require.Empty(t, YoYArrow(nil))
	require.Equal(t, "41.7%", Percent(v(41.7)))
	require.Empty(t, Percent(nil))
}
