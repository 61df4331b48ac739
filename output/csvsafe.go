package output

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Spreadsheets run a cell that starts with = + - @ (or a tab or CR before one)
// as a formula. Following OWASP's CSV-injection advice, such a text cell gets
// a leading single quote, so it no longer starts with a formula character; a
// cell that is a plain number (-12.5) is left as it is, and so are numeric
// columns. Cells are quoted by the RFC 4180 rules (a comma, quote or line
// break), which keeps the header and ordinary text unquoted for reporters.
const (
	formulaStart = `^[=+\-@\t\r]`
	plainNumber  = `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`
)

// csvSafeQuery wraps a dataset's query so every text column is neutralized.
func csvSafeQuery(ctx context.Context, conn *sql.Conn, d Dataset) (string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+d.unordered()+")")
	if err != nil {
		return "", fmt.Errorf("dataset %s: %w", d.Name, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return "", err
		}
		id := ident(name)
		if typ == "VARCHAR" {
			id = fmt.Sprintf("CASE WHEN regexp_matches(%[1]s, '%[2]s') AND NOT regexp_matches(%[1]s, '%[3]s') THEN '''' || %[1]s ELSE %[1]s END AS %[1]s",
				id, formulaStart, plainNumber)
		}
		cols = append(cols, id)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	// The ORDER BY goes outermost: with preserve_insertion_order off, DuckDB
	// does not promise a subquery's order through the projection above it
	// (a cheaper prefix test here reordered 2048-row chunks of a 584k-row
	// reconciliation.csv). Qualified, the keys are the values before the
	// quote is added, as in the Parquet files.
	keys := strings.Split(d.OrderBy, ",")
	for i, k := range keys {
		keys[i] = "s." + strings.TrimSpace(k)
	}
	return fmt.Sprintf("SELECT %s FROM (%s) s ORDER BY %s", strings.Join(cols, ", "), d.unordered(), strings.Join(keys, ", ")), nil
}

func ident(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
