package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Model is one SQL file holding one SELECT.
type Model struct {
	Layer, Name, SQL string
}

// layers are built in this order; inside a layer, files run in lexical order
// (a numeric prefix such as 10_ orders dependencies and is not part of the name).
var layers = []struct {
	dir, materialize string
}{
	{"raw", "TABLE"},
	{"staging", "VIEW"},
	{"intermediate", "TABLE"},
	{"marts", "TABLE"},
}

var orderPrefix = regexp.MustCompile(`^[0-9]+_`)

// LoadModels reads the model layers and the data tests from fsys.
func LoadModels(fsys fs.FS) (models, tests []Model, err error) {
	for _, l := range append(slices.Clone(layers), struct{ dir, materialize string }{"tests", ""}) {
		ms, err := readLayer(fsys, l.dir)
		if err != nil {
			return nil, nil, err
		}
		if l.dir == "tests" {
			tests = ms
		} else {
			models = append(models, ms...)
		}
	}
	return models, tests, nil
}

func readLayer(fsys fs.FS, dir string) ([]Model, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []Model
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		name := orderPrefix.ReplaceAllString(strings.TrimSuffix(path.Base(n), ".sql"), "")
		out = append(out, Model{Layer: dir, Name: name, SQL: string(b)})
	}
	return out, nil
}

// viewDirective and tableDirective let one model override its layer's
// materialization: a large pass-through model that is only filtered or
// counted downstream is cheaper as a VIEW than written out as a TABLE; a
// costly staging model read by several models is cheaper computed once as
// a TEMP TABLE (dropped after its last reader like the intermediates).
var (
	viewDirective  = regexp.MustCompile(`(?m)^-- materialized: view\s*$`)
	tableDirective = regexp.MustCompile(`(?m)^-- materialized: table\s*$`)
)

func materialization(m Model) string {
	if viewDirective.MatchString(m.SQL) {
		return "VIEW"
	}
	if tableDirective.MatchString(m.SQL) {
		return "TABLE"
	}
	for _, l := range layers {
		if l.dir == m.Layer {
			return l.materialize
		}
	}
	return "TABLE"
}

// buildModels creates every model in order, stopping at the first failure.
// Each model's build time is logged at debug level (heiststat --debug), to
// see where a slow run spends its time.
//
// Only the raw tables persist in the warehouse (reloading them is what the
// load fingerprints save). Every later model is a TEMP table or view: rebuilt
// by every run and read only by that run's tests and publish, it is neither
// compressed, logged nor checkpointed to disk (quiet machine, back to back:
// snapshot 3.2 s to 2.6 s end to end; 1000x 80 s to 69 s, 130 to 113 CPU
// seconds). At 1000x they spill past memory_limit: peak RSS 1.75 to 1.86 GB.
func buildModels(ctx context.Context, log *slog.Logger, conn *sql.Conn, models []Model) error {
	for _, m := range models {
		start := time.Now()
		kind := materialization(m)
		create := "CREATE OR REPLACE TEMP " + kind
		if m.Layer == "raw" {
			create = "CREATE OR REPLACE " + kind
			// A warehouse from an earlier run may hold the name as the other
			// kind, which CREATE OR REPLACE cannot replace.
			var old string
			err := conn.QueryRowContext(ctx, "SELECT CASE table_type WHEN 'VIEW' THEN 'VIEW' ELSE 'TABLE' END FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?", m.Name).Scan(&old)
			if err == nil && old != kind {
				if _, err := conn.ExecContext(ctx, fmt.Sprintf("DROP %s %s CASCADE", old, m.Name)); err != nil {
					return fmt.Errorf("model %s/%s: %w", m.Layer, m.Name, err)
				}
			}
		}
		stmt := fmt.Sprintf("%s %s AS\n%s", create, m.Name, m.SQL)
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("model %s/%s: %w", m.Layer, m.Name, err)
		}
		log.Debug("model built", "model", m.Name, "as", kind, "ms", time.Since(start).Milliseconds())
	}
	return nil
}

// buildReleasing builds models like buildModels and drops each TEMP
// intermediate table as soon as no later model, no data test and none of
// keep (read from Go after the build) mentions it; those the data tests read
// go after the tests (releaseIntermediates). The TEMP tables share
// DuckDB's memory_limit with the queries: at 1000x int_prices__daily alone
// holds 0.5 GB of it, which the marts built after its last reader spilled
// for.
func buildReleasing(ctx context.Context, log *slog.Logger, conn *sql.Conn, models, tests []Model, keep []string) error {
	drops := make([][]string, len(models))
	for i, m := range models {
		if !releasable(m) || slices.Contains(keep, m.Name) {
			continue
		}
		// A view over the table reads it whenever the view is read, so the
		// view's readers count as the table's (int_price_needs over
		// int_prices__daily).
		names := []string{regexp.QuoteMeta(m.Name)}
		uses := regexp.MustCompile(`\b` + names[0] + `\b`)
		last := i
		for j := i + 1; j < len(models); j++ {
			if uses.MatchString(models[j].SQL) {
				last = j
				if materialization(models[j]) == "VIEW" {
					names = append(names, regexp.QuoteMeta(models[j].Name))
					uses = regexp.MustCompile(`\b(` + strings.Join(names, "|") + `)\b`)
				}
			}
		}
		if slices.ContainsFunc(tests, func(t Model) bool { return uses.MatchString(t.SQL) }) {
			continue
		}
		drops[last] = append(drops[last], m.Name)
	}
	for i := range models {
		if err := buildModels(ctx, log, conn, models[i:i+1]); err != nil {
			return err
		}
		for _, name := range drops[i] {
			if _, err := conn.ExecContext(ctx, "DROP TABLE temp.main."+name); err != nil {
				return fmt.Errorf("releasing %s: %w", name, err)
			}
		}
	}
	return nil
}

// releasable reports whether m is a TEMP table only later models read: an
// intermediate table or a staging model materialized as one.
func releasable(m Model) bool {
	return (m.Layer == "intermediate" || m.Layer == "staging") && materialization(m) == "TABLE"
}

// releaseIntermediates drops the TEMP intermediate tables still held, but
// keep, once the data tests have read them: the publish sorts the marts
// in the memory they held.
func releaseIntermediates(ctx context.Context, conn *sql.Conn, models []Model, keep []string) error {
	for _, m := range models {
		if !releasable(m) || slices.Contains(keep, m.Name) {
			continue
		}
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS temp.main."+m.Name); err != nil {
			return fmt.Errorf("releasing %s: %w", m.Name, err)
		}
	}
	return nil
}

// dropPersistedModels removes what warehouses written before the models
// became TEMP still hold under a model's or seed's name: dead weight in the
// file, and a TEMP object of the same name would only hide it.
func dropPersistedModels(ctx context.Context, conn *sql.Conn, models []Model) error {
	var names []string
	for _, m := range models {
		if m.Layer != "raw" {
			names = append(names, m.Name)
		}
	}
	rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT table_name, CASE table_type WHEN 'VIEW' THEN 'VIEW' ELSE 'TABLE' END
		FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main'
		AND (table_name IN (SELECT unnest(%s)) OR table_name LIKE 'seed\_%%' ESCAPE '\')`, sqlList(names)))
	if err != nil {
		return err
	}
	var drops []string
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			rows.Close()
			return err
		}
		drops = append(drops, fmt.Sprintf("DROP %s IF EXISTS main.%s CASCADE", kind, name))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range drops {
		if _, err := conn.ExecContext(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// DataTestError lists the data tests that returned rows.
type DataTestError struct {
	Failures []DataTestFailure
}

// DataTestFailure is one failing data test: how many rows and the first one.
type DataTestFailure struct {
	Test  string
	Rows  int
	First string
}

func (e *DataTestError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d data test(s) failed:", len(e.Failures))
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "\n  %s: %d row(s), first: %s", f.Test, f.Rows, f.First)
	}
	return b.String()
}

// runDataTests runs every test; each must return zero rows.
func runDataTests(ctx context.Context, conn *sql.Conn, tests []Model) error {
	var fails []DataTestFailure
	for _, t := range tests {
		rows, err := conn.QueryContext(ctx, t.SQL)
		if err != nil {
			return fmt.Errorf("data test %s: %w", t.Name, err)
		}
		n, first, err := countRows(rows)
		if err != nil {
			return fmt.Errorf("data test %s: %w", t.Name, err)
		}
		if n > 0 {
			fails = append(fails, DataTestFailure{Test: t.Name, Rows: n, First: first})
		}
	}
	if len(fails) > 0 {
		return &DataTestError{Failures: fails}
	}
	return nil
}

func countRows(rows *sql.Rows) (int, string, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, "", err
	}
	n, first := 0, ""
	for rows.Next() {
		if n == 0 {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return 0, "", err
			}
			parts := make([]string, len(cols))
			for i, c := range cols {
				parts[i] = fmt.Sprintf("%s=%v", c, vals[i])
			}
			first = strings.Join(parts, " ")
		}
		n++
	}
	return n, first, rows.Err()
}

// loadSeeds creates a TEMP seed_<name> table from each seeds/*.csv (all
// text; the models cast what they use).
func loadSeeds(ctx context.Context, conn *sql.Conn, fsys fs.FS, tmp string) error {
	names, err := fs.Glob(fsys, "seeds/*.csv")
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return err
		}
		p := filepath.Join(tmp, path.Base(n))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
		table := "seed_" + strings.TrimSuffix(path.Base(n), ".csv")
		stmt := fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT * FROM read_csv(%s, header = true, all_varchar = true, delim = ',', quote = '\"')", table, sqlString(p))
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			errs = append(errs, fmt.Errorf("seed %s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}

// applyComments runs the data dictionary (COMMENT ON ...) in comments/*.sql,
// in one transaction: each of its 215 statements committed on its own cost
// 78-99 ms of the snapshot run, 33-35 ms together.
func applyComments(ctx context.Context, conn *sql.Conn, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "comments/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	return inTransaction(ctx, conn, func() error {
		for _, n := range names {
			b, err := fs.ReadFile(fsys, n)
			if err != nil {
				return err
			}
			if _, err := conn.ExecContext(ctx, string(b)); err != nil {
				return fmt.Errorf("comments %s: %w", n, err)
			}
		}
		return nil
	})
}
