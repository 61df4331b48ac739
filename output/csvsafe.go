package output

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Spreadsheets run a cell that starts with = + - @ (or a tab or CR before one)
// as a formula. Following OWASP's CSV-injection advice, such a text cell gets
// a leading single quote and is enclosed in double quotes; a cell that is a
// plain number (-12.5) is left as it is, and so are numeric columns.
const (
	formulaStart = `^[=+\-@\t\r]`
	plainNumber  = `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`
)

// csvSafeQuery wraps a dataset's query so every text column is neutralized,
// and returns those columns for the COPY to FORCE_QUOTE.
func csvSafeQuery(ctx context.Context, conn *sql.Conn, d Dataset) (query string, textCols []string, err error) {
	rows, err := conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+d.Query()+")")
	if err != nil {
		return "", nil, fmt.Errorf("dataset %s: %w", d.Name, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return "", nil, err
		}
		id := ident(name)
		if typ == "VARCHAR" {
			textCols = append(textCols, id)
			id = fmt.Sprintf("CASE WHEN regexp_matches(%[1]s, '%[2]s') AND NOT regexp_matches(%[1]s, '%[3]s') THEN '''' || %[1]s ELSE %[1]s END AS %[1]s",
				id, formulaStart, plainNumber)
		}
		cols = append(cols, id)
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("SELECT %s FROM (%s)", strings.Join(cols, ", "), d.Query()), textCols, nil
}

func ident(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// forceQuote is the COPY option that encloses every text cell in quotes.
func forceQuote(cols []string) string {
	if len(cols) == 0 {
		return ""
	}
	return ", FORCE_QUOTE (" + strings.Join(cols, ", ") + ")"
}
