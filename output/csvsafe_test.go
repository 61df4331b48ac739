package output

import (
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"
)

// Formula-like text gets a leading quote; plain numbers in text and every
// numeric column are written unchanged; the header is not quoted.
func TestCSVSafeQuery(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	conn, err := db.Conn(t.Context())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(t.Context(), `CREATE TABLE t AS SELECT * FROM (VALUES
		(1, '=1+1', -12.50::DECIMAL(18,2)), (2, '-12.5', 0.00), (3, '+44 20 7946 0000', 1.00),
		(4, '@SUM(A1)', 2.00), (5, chr(9) || '=x', 3.00), (6, chr(13) || 'y', 4.00), (7, '-', 5.00),
		(8, 'plain, text', 6.00), (9, NULL, 7.00), (10, '-1e5', 8.00), (11, '.5', 9.00)) v(id, label, amount)`)
	require.NoError(t, err)

	d := Dataset{Name: "t", Table: "t", OrderBy: "id"}
	query, err := csvSafeQuery(t.Context(), conn, d)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "t.csv")
	_, err = conn.ExecContext(t.Context(), "COPY ("+query+") TO "+quote(path)+" (FORMAT csv, HEADER true)")
	require.NoError(t, err)

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "id,label,amount\n"), string(b))
	require.Contains(t, string(b), `1,'=1+1,-12.50`+"\n")
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	require.NoError(t, err)
	got := map[string][2]string{}
	for _, r := range rows[1:] {
		got[r[0]] = [2]string{r[1], r[2]}
	}
	require.Equal(t, map[string][2]string{
		"1": {"'=1+1", "-12.50"}, "2": {"-12.5", "0.00"}, "3": {"'+44 20 7946 0000", "1.00"},
		"4": {"'@SUM(A1)", "2.00"}, "5": {"'\t=x", "3.00"}, "6": {"'\ry", "4.00"}, "7": {"'-", "5.00"},
		"8": {"plain, text", "6.00"}, "9": {"", "7.00"}, "10": {"'-1e5", "8.00"}, "11": {".5", "9.00"},
	}, got)
}
