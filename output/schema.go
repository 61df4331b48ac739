package output

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Column is one published column with its type and description.
type Column struct {
	Name, Type, Comment string
}

// Describe returns the columns a dataset publishes, with the descriptions
// from the COMMENT ON statements of sql/comments (dict, from catalogComments).
// A column without a description is an error: the schema document may not
// have gaps.
func Describe(ctx context.Context, conn *sql.Conn, dict *Comments, d Dataset) (table string, cols []Column, err error) {
	table, ok := dict.Tables[d.Table]
	if !ok {
		return "", nil, fmt.Errorf("dataset %s: table %s: %w", d.Name, d.Table, sql.ErrNoRows)
	}
	comments := maps.Clone(dict.Columns[d.Table])
	if comments == nil {
		comments = map[string]string{}
	}
	for _, e := range d.Extra {
		comments[e.Name] = e.Comment
	}
	rows, err := conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+d.Query()+")")
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

// Comments are the descriptions of tables and their columns, by table name.
type Comments struct {
	Tables  map[string]string
	Columns map[string]map[string]string
}

// catalogComments reads the descriptions of every dataset's table in two
// catalog queries, not two per dataset: duckdb_columns() lists the whole
// catalog each time it is read.
func catalogComments(ctx context.Context, conn *sql.Conn, datasets []Dataset) (*Comments, error) {
	var tables []string
	for _, d := range datasets {
		tables = append(tables, quote(d.Table))
	}
	in := strings.Join(tables, ", ")
	dict := &Comments{Tables: map[string]string{}, Columns: map[string]map[string]string{}}
	rows, err := conn.QueryContext(ctx, "SELECT table_name, coalesce(comment, '') FROM duckdb_tables() WHERE table_name IN ("+in+")")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return nil, err
		}
		if _, ok := dict.Tables[t]; !ok {
			dict.Tables[t] = c
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = conn.QueryContext(ctx, "SELECT table_name, column_name, coalesce(comment, '') FROM duckdb_columns() WHERE table_name IN ("+in+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t, n, c string
		if err := rows.Scan(&t, &n, &c); err != nil {
			return nil, err
		}
		if dict.Columns[t] == nil {
			dict.Columns[t] = map[string]string{}
		}
		dict.Columns[t][n] = c
	}
	return dict, rows.Err()
}

// SchemaDoc renders SCHEMA.md for the published datasets.
func SchemaDoc(ctx context.Context, conn *sql.Conn, parquet, csv []Dataset) (string, error) {
	dict, err := catalogComments(ctx, conn, append(slices.Clone(parquet), csv...))
	if err != nil {
		return "", err
	}
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
			table, cols, err := Describe(ctx, conn, dict, d)
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
