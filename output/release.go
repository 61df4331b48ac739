package output

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Release is a published release loaded for reading: one table per dataset,
// in memory, with file access turned off.
type Release struct {
	db *sql.DB
	// Tables are the dataset names, each a table.
	Tables []string
}

// OpenRelease loads every dataset of the release in dir into db, an empty
// in-memory DuckDB it then owns, one table per dataset named after it
// (Parquet wins over a CSV of the same name), then turns off file access:
// nothing a query does can touch the release or the disk, and the warehouse
// (the writer's) is never opened.
func OpenRelease(ctx context.Context, db *sql.DB, dir string) (*Release, error) {
	db.SetMaxOpenConns(1) // one in-memory database, one connection
	parquet, err := filepath.Glob(filepath.Join(dir, "parquet", "*", "*.parquet"))
	if err != nil {
		db.Close()
		return nil, err
	}
	csvs, err := filepath.Glob(filepath.Join(dir, "csv", "*.csv"))
	if err != nil {
		db.Close()
		return nil, err
	}
	var names []string
	seen := map[string]bool{}
	for _, files := range []struct {
		paths  []string
		reader string
	}{{parquet, "read_parquet(%s)"}, {csvs, "read_csv(%s, header = true)"}} {
		for _, p := range files.paths {
			name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
			if seen[name] {
				continue
			}
			seen[name] = true
			names = append(names, name)
			stmt := fmt.Sprintf("CREATE TABLE %q AS SELECT * FROM "+files.reader, name, "'"+strings.ReplaceAll(p, "'", "''")+"'")
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				db.Close()
				return nil, fmt.Errorf("loading %s: %w", p, err)
			}
		}
	}
	for _, s := range []string{"SET enable_external_access = false", "SET lock_configuration = true"} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, err
		}
	}
	return &Release{db: db, Tables: names}, nil
}

// Close releases the in-memory database.
func (r *Release) Close() error { return r.db.Close() }

// HasColumn says whether a dataset of the release has the column.
func (r *Release) HasColumn(ctx context.Context, table, column string) (bool, error) {
	var ok bool
	err := r.db.QueryRowContext(ctx, "SELECT count(*) > 0 FROM duckdb_columns() WHERE table_name = ? AND column_name = ?", table, column).Scan(&ok)
	return ok, err
}

// QueryRow runs a query expected to return one row.
func (r *Release) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return r.db.QueryRowContext(ctx, query, args...)
}

// ReadOnly refuses anything but one query, by parsing it without running
// it: the release is for reading, so DROP or INSERT is an error instead of a
// change to a throwaway copy.
func (r *Release) ReadOnly(ctx context.Context, query string) error {
	var parsed string
	if err := r.db.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", query).Scan(&parsed); err != nil {
		return err
	}
	var p struct {
		Error      bool              `json:"error"`
		Message    string            `json:"error_message"`
		Statements []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(parsed), &p); err != nil {
		return err
	}
	switch {
	case p.Error && strings.HasPrefix(p.Message, "Only SELECT"):
		return errors.New("the release is read-only: only SELECT, DESCRIBE and SHOW run here")
	case p.Error:
		return errors.New(p.Message)
	case len(p.Statements) != 1:
		return errors.New("one query at a time")
	}
	return nil
}

// Result is a query result as text cells (for table and CSV) and JSON values.
type Result struct {
	Columns []string
	Text    [][]string
	JSON    [][]any
}

// Query runs a query on the release and renders every cell.
func (r *Release) Query(ctx context.Context, query string, args ...any) (*Result, error) {
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		text, js := make([]string, len(cols)), make([]any, len(cols))
		for i, v := range vals {
			text[i], js[i] = cell(v)
		}
		res.Text, res.JSON = append(res.Text, text), append(res.JSON, js)
	}
	return res, rows.Err()
}

// cell renders one value: fixed-point numbers (never scientific notation),
// ISO dates, exact decimals (JSON numbers keep every digit).
func cell(v any) (string, any) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case duckdb.Decimal:
		s := fixedPoint(x)
		return s, json.Number(s)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", nil
		}
		s := strconv.FormatFloat(x, 'f', -1, 64)
		return s, json.Number(s)
	case float32:
		return cell(float64(x))
	case time.Time:
		if x.Equal(x.Truncate(24 * time.Hour)) {
			s := x.UTC().Format(time.DateOnly)
			return s, s
		}
		s := x.UTC().Format(time.RFC3339)
		return s, s
	case []any:
		parts, js := make([]string, len(x)), make([]any, len(x))
		for i, e := range x {
			parts[i], js[i] = cell(e)
		}
		return "[" + strings.Join(parts, ", ") + "]", js
	case string, bool, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x), x
	default:
		return fmt.Sprint(x), fmt.Sprint(x)
	}
}

// Write prints the result as a table, csv or json.
func (r *Result) Write(w io.Writer, format string) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(r.Columns); err != nil {
			return err
		}
		if err := cw.WriteAll(r.Text); err != nil {
			return err
		}
		return cw.Error()
	case "json":
		// Objects keep the column order, so they are written key by key.
		var b strings.Builder
		b.WriteString("[")
		for i, row := range r.JSON {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n  {")
			for j, v := range row {
				k, err := json.Marshal(r.Columns[j])
				if err != nil {
					return err
				}
				val, err := json.Marshal(v)
				if err != nil {
					return err
				}
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%s: %s", k, val)
			}
			b.WriteString("}")
		}
		b.WriteString("\n]\n")
		_, err := io.WriteString(w, b.String())
		return err
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(r.Columns, "\t"))
		for _, row := range r.Text {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		fmt.Fprintf(tw, "(%d row%s)\n", len(r.Text), map[bool]string{true: "", false: "s"}[len(r.Text) == 1])
		return tw.Flush()
	}
}

// fixedPoint prints a decimal with all its scale digits (12.50, not 12.5).
func fixedPoint(d duckdb.Decimal) string {
	digits := new(big.Int).Abs(d.Value).String()
	sign := ""
	if d.Value.Sign() < 0 {
		sign = "-"
	}
	scale := int(d.Scale)
	if scale == 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}
