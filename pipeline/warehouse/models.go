package warehouse

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
	"slices"
	"strings"
	"time"
)

// Model is one SQL file holding one SELECT, or, in macros/, one
// CREATE OR REPLACE TEMP MACRO statement named like its file.
type Model struct {
	Layer, Name, SQL string
	// Records, from a raw model's "-- records: <feed>" header, says each of
	// its rows is one record of that feed: the load counts them per source
	// (meta_raw_records) for the row balance of fct_source_rows.
	Records string
	// Materialize is TABLE or VIEW: the layer's, unless the file's header
	// says "-- materialized: view" or "-- materialized: table"; MACRO for a macro.
	Materialize string
	// Reads are the other models the SQL names: the edges of the model
	// graph, from which the build order and the drop points follow.
	Reads []string
}

// layers are the model folders and their default materialization.
var layers = []struct {
	dir, materialize string
}{
	{"macros", "MACRO"},
	{"raw", "TABLE"},
	{"staging", "VIEW"},
	{"intermediate", "TABLE"},
	{"marts", "TABLE"},
}

// LoadModels reads the model layers and the data tests from fsys and orders
// the models by the graph of what each reads: a model is built after every
// model it names, whatever its folder or file name.
func LoadModels(fsys fs.FS) (models, tests []Model, err error) {
	for _, l := range append(slices.Clone(layers), struct{ dir, materialize string }{"tests", ""}) {
		ms, err := readLayer(fsys, l.dir, l.materialize)
		if err != nil {
			return nil, nil, err
		}
		if l.dir == "tests" {
			tests = ms
		} else {
			models = append(models, ms...)
		}
	}
	names := map[string]bool{}
	for _, m := range models {
		if names[m.Name] {
			return nil, nil, fmt.Errorf("two models are named %s", m.Name)
		}
		names[m.Name] = true
	}
	for i := range models {
		models[i].Reads = reads(models[i], names)
	}
	for i := range tests {
		tests[i].Reads = reads(tests[i], names)
	}
	models, err = buildOrder(models)
	return models, tests, err
}

func readLayer(fsys fs.FS, dir, materialize string) ([]Model, error) {
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
		name := strings.TrimSuffix(path.Base(n), ".sql")
		m := Model{Layer: dir, Name: name, SQL: string(b), Materialize: materialize, Records: sqlHeader(string(b), "records")}
		if materialize == "MACRO" {
			if ids := identifiers(m.SQL); len(ids) < 6 || strings.Join(ids[:6], " ") != "create or replace temp macro "+name {
				return nil, fmt.Errorf("%s: must hold CREATE OR REPLACE TEMP MACRO %s", n, name)
			}
			out = append(out, m)
			continue
		}
		if h := sqlHeader(m.SQL, "materialized"); h != "" {
			m.Materialize = strings.ToUpper(h)
			if m.Materialize != "TABLE" && m.Materialize != "VIEW" {
				return nil, fmt.Errorf("%s: materialized must be table or view, not %q", n, h)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// sqlHeader is the value of a "-- key: value" line among a file's leading
// comment lines.
func sqlHeader(sql, key string) string {
	for line := range strings.Lines(sql) {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "--")
		if !ok {
			if line == "" {
				continue
			}
			return ""
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(rest), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// reads lists the models among names that m's SQL mentions as identifiers,
// outside comments and string literals, in a stable order.
func reads(m Model, names map[string]bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range identifiers(m.SQL) {
		if names[id] && id != m.Name && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// identifiers splits SQL into its bare and double-quoted identifiers,
// skipping -- and /* */ comments and '...' literals.
func identifiers(sql string) []string {
	var ids []string
	isID := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; i < len(sql); {
		switch c := sql[i]; {
		case strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case strings.HasPrefix(sql[i:], "/*"):
			if k := strings.Index(sql[i+2:], "*/"); k >= 0 {
				i += k + 4
			} else {
				i = len(sql)
			}
		case c == '\'' || c == '"':
			k := i + 1
			for k < len(sql) && (sql[k] != c || k+1 < len(sql) && sql[k+1] == c) {
				if sql[k] == c {
					k++ // a doubled quote inside
				}
				k++
			}
			if c == '"' {
				ids = append(ids, strings.ToLower(sql[i+1:min(k, len(sql))]))
			}
			i = k + 1
		case isID(c):
			k := i
			for k < len(sql) && isID(sql[k]) {
				k++
			}
			ids = append(ids, strings.ToLower(sql[i:k]))
			i = k
		default:
			i++
		}
	}
	return ids
}

// buildOrder sorts the models so each comes after everything it reads,
// keeping the folder and file order wherever the graph allows it; a cycle
// is an error that names it.
func buildOrder(models []Model) ([]Model, error) {
	index := map[string]int{}
	for i, m := range models {
		index[m.Name] = i
	}
	done := make([]bool, len(models))
	var out []Model
	for len(out) < len(models) {
		progressed := false
		for i, m := range models {
			if done[i] || slices.ContainsFunc(m.Reads, func(r string) bool { return !done[index[r]] }) {
				continue
			}
			done[i], progressed = true, true
			out = append(out, m)
			break // restart: an earlier model may now be ready
		}
		if !progressed {
			var stuck []string
			for i, m := range models {
				if !done[i] {
					stuck = append(stuck, m.Name)
				}
			}
			return nil, fmt.Errorf("the models read each other in a cycle: %s", strings.Join(stuck, ", "))
		}
	}
	return out, nil
}

// buildModels creates every model in order, stopping at the first failure.
// Each model's build time is logged at debug level (heiststat --debug), to
// see where a slow run spends its time.
//
// Only the raw tables persist in the warehouse (reloading them is what the
// load fingerprints save). Every later model is a TEMP table or view: rebuilt
// by every run and read only by that run's tests and publish, it is neither
// compressed, logged nor checkpointed to disk.
func buildModels(ctx context.Context, log *slog.Logger, conn *sql.Conn, models []Model) error {
	for _, m := range models {
		start := time.Now()
		kind := m.Materialize
		if kind == "MACRO" {
			if _, err := conn.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("macro %s: %w", m.Name, err)
			}
			continue
		}
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
// keep (read from Go after the build) reads it, by the model graph; those the
// data tests read go after the tests (releaseIntermediates). The TEMP tables
// share DuckDB's memory_limit with the queries, so a table held past its
// last reader makes the later marts spill.
func buildReleasing(ctx context.Context, log *slog.Logger, conn *sql.Conn, models, tests []Model, keep []string) error {
	drops := make([][]string, len(models))
	for i, m := range models {
		if !releasable(m) || slices.Contains(keep, m.Name) {
			continue
		}
		// A view over the table reads it whenever the view is read, so the
		// view's readers count as the table's.
		readers := map[string]bool{m.Name: true}
		last := i
		for j := i + 1; j < len(models); j++ {
			if slices.ContainsFunc(models[j].Reads, func(r string) bool { return readers[r] }) {
				last = j
				if models[j].Materialize == "VIEW" {
					readers[models[j].Name] = true
				}
			}
		}
		if slices.ContainsFunc(tests, func(t Model) bool {
			return slices.ContainsFunc(t.Reads, func(r string) bool { return readers[r] })
		}) {
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
	return (m.Layer == "intermediate" || m.Layer == "staging") && m.Materialize == "TABLE"
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

// runDataTests runs every test of severity error; each must return zero
// rows. A test whose header says "-- severity: warn" is left to warnTests,
// which reports it in the release notes instead of stopping the run (dbt's
// severity).
func runDataTests(ctx context.Context, conn *sql.Conn, tests []Model) error {
	fails, err := failingTests(ctx, conn, tests, false)
	if err != nil {
		return err
	}
	if len(fails) > 0 {
		return &DataTestError{Failures: fails}
	}
	return nil
}

// failingTests runs the tests of one severity (warn or not) and returns
// those that returned rows.
func failingTests(ctx context.Context, conn *sql.Conn, tests []Model, warn bool) ([]DataTestFailure, error) {
	var fails []DataTestFailure
	for _, t := range tests {
		if (sqlHeader(t.SQL, "severity") == "warn") != warn {
			continue
		}
		rows, err := conn.QueryContext(ctx, t.SQL)
		if err != nil {
			return nil, fmt.Errorf("data test %s: %w", t.Name, err)
		}
		n, first, err := countRows(rows)
		if err != nil {
			return nil, fmt.Errorf("data test %s: %w", t.Name, err)
		}
		if n > 0 {
			fails = append(fails, DataTestFailure{Test: t.Name, Rows: n, First: first})
		}
	}
	return fails, nil
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
		stmt := fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS SELECT * FROM read_csv(%s, header = true, all_varchar = true, delim = ',', quote = '\"')", table, QuoteString(p))
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			errs = append(errs, fmt.Errorf("seed %s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}

// applyComments runs the data dictionary (COMMENT ON ...) in comments/*.sql,
// in one transaction, which is faster than a commit per statement.
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

// warnTests runs the data tests of severity warn and describes each that
// returned rows. It runs after the build has released the intermediate
// models, so a warn test reads marts only.
func WarnTests(ctx context.Context, conn *sql.Conn) ([]string, error) {
	_, tests, err := project()
	if err != nil {
		return nil, err
	}
	fails, err := failingTests(ctx, conn, tests, true)
	if err != nil {
		return nil, err
	}
	notes := make([]string, 0, len(fails))
	for _, f := range fails {
		notes = append(notes, fmt.Sprintf("data test %s (warning): %d row(s), first: %s", f.Test, f.Rows, f.First))
	}
	return notes, nil
}
