package main

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
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// current is the release the read commands work on: the config's
// out_dir/current, or --out's.
func (g *globals) current() (string, error) {
	out := g.Out
	if out == "" {
		cfg, err := g.load(nil)
		if err != nil {
			return "", err
		}
		out = cfg.OutDir
	}
	dir := filepath.Join(out, "current")
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		return "", noRelease{fmt.Errorf("no published release at %s (run heiststat run first): %w", dir, err)}
	}
	return dir, nil
}

// noRelease is a read command's missing release: a failure, not a usage error.
type noRelease struct{ error }

// releaseError prints why a read command has no release and gives its exit
// status: 1 when nothing is published yet, 2 for a configuration error.
func releaseError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "heiststat: %v\n", err)
	if _, ok := errors.AsType[noRelease](err); ok {
		return exitFailed
	}
	return exitUsage
}

// openRelease loads every dataset of a release into an in-memory DuckDB, one
// table per dataset named after it (Parquet wins over a CSV of the same
// name), then turns off file access: nothing a query does can touch the
// release or the disk, and the warehouse (the writer's) is never opened.
func openRelease(ctx context.Context, dir string) (*sql.DB, []string, error) {
	db, err := warehouse.Open("")
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1) // one in-memory database, one connection
	parquet, err := filepath.Glob(filepath.Join(dir, "parquet", "*", "*.parquet"))
	if err != nil {
		return nil, nil, err
	}
	csvs, err := filepath.Glob(filepath.Join(dir, "csv", "*.csv"))
	if err != nil {
		return nil, nil, err
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
				return nil, nil, fmt.Errorf("loading %s: %w", p, err)
			}
		}
	}
	for _, s := range []string{"SET enable_external_access = false", "SET lock_configuration = true"} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	return db, names, nil
}

// result is a query result as text cells (for table and CSV) and JSON values.
type result struct {
	cols  []string
	text  [][]string
	jsonv [][]any
}

func queryResult(ctx context.Context, db *sql.DB, query string, args ...any) (*result, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	r := &result{cols: cols}
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
		r.text, r.jsonv = append(r.text, text), append(r.jsonv, js)
	}
	return r, rows.Err()
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

func (r *result) write(w io.Writer, format string) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(r.cols); err != nil {
			return err
		}
		if err := cw.WriteAll(r.text); err != nil {
			return err
		}
		return cw.Error()
	case "json":
		// Objects keep the column order, so they are written key by key.
		var b strings.Builder
		b.WriteString("[")
		for i, row := range r.jsonv {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n  {")
			for j, v := range row {
				k, err := json.Marshal(r.cols[j])
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
		fmt.Fprintln(tw, strings.Join(r.cols, "\t"))
		for _, row := range r.text {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		fmt.Fprintf(tw, "(%d row%s)\n", len(r.text), map[bool]string{true: "", false: "s"}[len(r.text) == 1])
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
