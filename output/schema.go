package output

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Column is one published column with its type and description.
type Column struct {
	Name, Type, Comment string
}

// Describe returns the columns a dataset publishes, with the descriptions
// from the COMMENT ON statements of sql/comments. A column without a
// description is an error: the schema document may not have gaps.
func Describe(ctx context.Context, conn *sql.Conn, d Dataset) (table string, cols []Column, err error) {
	if err := conn.QueryRowContext(ctx,
		"SELECT coalesce(comment, '') FROM duckdb_tables() WHERE table_name = ?", d.Table).Scan(&table); err != nil {
		return "", nil, fmt.Errorf("dataset %s: table %s: %w", d.Name, d.Table, err)
	}
	comments := map[string]string{}
	rows, err := conn.QueryContext(ctx,
		"SELECT column_name, coalesce(comment, '') FROM duckdb_columns() WHERE table_name = ?", d.Table)
	if err != nil {
		return "", nil, err
	}
	for rows.Next() {
		var n, c string
		if err := rows.Scan(&n, &c); err != nil {
			rows.Close()
			return "", nil, err
		}
		comments[n] = c
	}
	rows.Close()
	for _, e := range d.Extra {
		comments[e.Name] = e.Comment
	}
	rows, err = conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+d.Query()+")")
	if err != nil {
		return "", nil, fmt.Errorf("dataset %s: %w", d.Name, err)
	}
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return "", nil, err
		}
		c.Comment = comments[c.Name]
		if strings.TrimSpace(c.Comment) == "" {
			missing = append(missing, c.Name)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	if table == "" {
		missing = append(missing, "(table "+d.Table+")")
	}
	if len(missing) > 0 {
		return "", nil, fmt.Errorf("dataset %s: no description (COMMENT ON in sql/comments) for %s", d.Name, strings.Join(missing, ", "))
	}
	return table, cols, nil
}

// SchemaDoc renders SCHEMA.md for the published datasets.
func SchemaDoc(ctx context.Context, conn *sql.Conn, parquet, csv []Dataset) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# Published schema (schema_version %s)\n\n", SchemaVersion)
	b.WriteString("Generated from the `COMMENT ON` statements in `sql/comments/` (`make schema`); a test keeps it in sync with the code.\n")
	b.WriteString("Money is `DECIMAL(18,2)`; prices, rates and token quantities are `DOUBLE`; dates are UTC days.\n")
	b.WriteString("Columns are only ever added (at the end); a rename or retype bumps `schema_version`.\n")
	b.WriteString("Each configured currency beyond USD and GBP adds `amount_<ccy>` to incidents and `stolen_<ccy>` to annual.\n")
	b.WriteString("A `value_at` date (config or `--value-at`) adds `value_at_*` columns to incidents, annual and top_incidents.\n")
	for _, group := range []struct {
		kind string
		ds   []Dataset
	}{{"parquet", parquet}, {"csv", csv}} {
		for _, d := range group.ds {
			table, cols, err := Describe(ctx, conn, d)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", relPath(group.kind, d.Name), table)
			b.WriteString("| column | type | description |\n|---|---|---|\n")
			for _, c := range cols {
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.Name, c.Type, strings.ReplaceAll(c.Comment, "|", "\\|"))
			}
		}
	}
	return b.String(), nil
}

func relPath(kind, name string) string {
	if kind == "parquet" {
		return "parquet/" + name + "/" + name + ".parquet"
	}
	return "csv/" + name + ".csv"
}
