package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/heiststat/heiststat/pipeline/landing"
	sqlmodels "github.com/heiststat/heiststat/sql"
)

// Settings are what a build needs from the configuration: its scratch and
// quarantine folders and the variables the models read.
type Settings struct {
	TmpDir, QuarantineDir string
	MaxPriceAgeDays       int
	Currencies            []string
	AsOf, ValueAt         string
	TheftCategories       []string
	IncludeDisputed       bool
	// Categories are every incident category the models may assign.
	Categories []string
}

// project is the models and data tests of sql/, read once per process.
func project() (models, tests []Model, err error) {
	p, err := readProject()
	return p.models, p.tests, err
}

var readProject = sync.OnceValues(func() (p struct{ models, tests []Model }, err error) {
	p.models, p.tests, err = LoadModels(sqlmodels.FS)
	return p, err
})

// readAfterBuild are the intermediate models Run reads once the models are
// built (the manifest's as-of date); the build keeps them.
var readAfterBuild = []string{"int_as_of"}

// Build loads the landed files and builds the models; withTests also runs
// the data tests (a build over part of the sources, for the price demand,
// would fail them for data it was never meant to hold). loaded, if set, is
// called once the raw tables are committed.
func Build(ctx context.Context, log *slog.Logger, conn *sql.Conn, s Settings, extracted []landing.Extracted, withTests bool, loaded func()) error {
	start := time.Now()
	tmp := s.TmpDir
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	models, tests, err := project()
	if err != nil {
		return err
	}
	extracted, quarantined, err := quarantine(extracted, models, s.QuarantineDir)
	if err != nil {
		return err
	}
	logQuarantined(log, quarantined)
	// Go-parsed feeds (OFAC XML) are registered as Arrow views first, so
	// their raw models read them like any landed file.
	release, err := registerArrowFeeds(ctx, conn, extracted)
	if err != nil {
		return err
	}
	defer release()
	// The raw tables and their load fingerprints are committed together, so
	// a run killed halfway never leaves a fingerprint for a table it did not
	// load. The models are then built outside that transaction, each one
	// committed on its own: DuckDB plans a query over a table created earlier
	// in the same transaction without its statistics, and picked a nested
	// loop join for int_incident_clusters. Nothing reads the models before the publish,
	// which only starts once every model and data test has passed.
	var rest []Model
	err = inTransaction(ctx, conn, func() error {
		if err := registerLanded(ctx, conn, extracted); err != nil {
			return err
		}
		if err := registerQuarantined(ctx, conn, quarantined); err != nil {
			return err
		}
		if err := dropPersistedModels(ctx, conn, models); err != nil {
			return err
		}
		if err := setVariables(ctx, conn, s, models, extracted, tmp); err != nil {
			return err
		}
		if err := loadSeeds(ctx, conn, sqlmodels.FS, tmp); err != nil {
			return err
		}
		rest, err = loadRaw(ctx, log, conn, models, extracted)
		return err
	})
	if err != nil {
		return err
	}
	if loaded != nil {
		loaded()
	}
	// The demand build's caller reads its intermediate models: only the full
	// build releases them early.
	if withTests {
		err = buildReleasing(ctx, log, conn, rest, tests, readAfterBuild)
	} else {
		err = buildModels(ctx, log, conn, rest)
	}
	if err != nil {
		return err
	}
	if err := applyComments(ctx, conn, sqlmodels.FS); err != nil {
		return err
	}
	log.Info("models built", "stage", "models", "models", len(models), "duration_ms", time.Since(start).Milliseconds())
	if !withTests {
		return nil
	}
	start = time.Now()
	if err := runDataTests(ctx, conn, tests); err != nil {
		return err
	}
	if err := releaseIntermediates(ctx, conn, rest, readAfterBuild); err != nil {
		return err
	}
	log.Info("data tests passed", "stage", "test", "tests", len(tests), "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// registerLanded records which landed file belongs to which source, so the
// raw models can tag every row with its source and fetch time.
func registerLanded(ctx context.Context, conn *sql.Conn, extracted []landing.Extracted) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TABLE meta_landed_files (
		source VARCHAR, type VARCHAR, format VARCHAR, name VARCHAR, path VARCHAR,
		sha256 VARCHAR, bytes BIGINT, freshness VARCHAR, fetched_at TIMESTAMPTZ)`); err != nil {
		return err
	}
	// Many rows per INSERT: one statement per file is slow for thousands of files.
	const batch = 500
	var rows []string
	var args []any
	insert := func() error {
		if len(rows) == 0 {
			return nil
		}
		_, err := conn.ExecContext(ctx, "INSERT INTO meta_landed_files VALUES "+strings.Join(rows, ", "), args...)
		rows, args = rows[:0], args[:0]
		return err
	}
	for _, e := range extracted {
		if e.Snapshot == nil {
			continue
		}
		for _, f := range e.Snapshot.Files {
			rows = append(rows, "(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, e.Source.Name(), e.Source.Type(), f.Format, f.Name, f.Path, f.SHA256, f.Bytes, string(e.Freshness), e.Snapshot.FetchedAt)
			if len(rows) == batch {
				if err := insert(); err != nil {
					return err
				}
			}
		}
	}
	return insert()
}

// setVariables passes the landed file lists (files_<format>) and the
// valuation settings to the models. A format with no files reads an empty
// placeholder, so every raw table exists with its declared columns.
func setVariables(ctx context.Context, conn *sql.Conn, s Settings, models []Model, extracted []landing.Extracted, tmp string) error {
	empty := filepath.Join(tmp, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		return err
	}
	byFormat := map[string][]string{}
	for _, e := range extracted {
		if e.Snapshot == nil {
			continue
		}
		for _, f := range e.Snapshot.Files {
			if f.Format != "" && !slices.Contains(byFormat[f.Format], f.Path) {
				byFormat[f.Format] = append(byFormat[f.Format], f.Path)
			}
		}
	}
	stmts := []string{
		fmt.Sprintf("SET VARIABLE max_price_age_days = %d", s.MaxPriceAgeDays),
		fmt.Sprintf("SET VARIABLE currencies = %s", sqlList(s.Currencies)),
		fmt.Sprintf("SET VARIABLE as_of = %s", QuoteString(s.AsOf)),
		fmt.Sprintf("SET VARIABLE value_at = %s", QuoteString(s.ValueAt)),
		fmt.Sprintf("SET VARIABLE theft_categories = %s", sqlList(s.TheftCategories)),
		fmt.Sprintf("SET VARIABLE include_disputed = %t", s.IncludeDisputed),
		fmt.Sprintf("SET VARIABLE categories = %s", sqlList(s.Categories)),
	}
	for _, m := range models {
		format, ok := strings.CutPrefix(m.Name, "raw_")
		if m.Layer != "raw" || !ok {
			continue
		}
		files := byFormat[format]
		slices.Sort(files)
		if len(files) == 0 {
			files = []string{empty}
		}
		stmts = append(stmts, fmt.Sprintf("SET VARIABLE files_%s = %s", format, sqlList(files)))
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// Checkpoint writes the committed warehouse changes to its file.
func Checkpoint(ctx context.Context, db *sql.DB) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.ExecContext(ctx, "CHECKPOINT")
	return err
}

// RawLoadError is a raw model that DuckDB could not load from the landed files.
type RawLoadError struct {
	Model string
	Err   error
}

func (e *RawLoadError) Error() string { return fmt.Sprintf("loading %s: %v", e.Model, e.Err) }
func (e *RawLoadError) Unwrap() error { return e.Err }

// Culprit finds the source whose snapshot fails the raw model on its own;
// -1 when none can be blamed (only landed snapshots can be replaced).
func Culprit(ctx context.Context, s Settings, extracted []landing.Extracted, rle *RawLoadError) (int, error) {
	models, _, err := project()
	if err != nil {
		return -1, err
	}
	i := slices.IndexFunc(models, func(m Model) bool { return m.Name == rle.Model })
	if i < 0 {
		return -1, nil
	}
	model := models[i]
	format := model.Name[len("raw_"):]
	if fileKind(models, format) == "" {
		return -1, nil
	}
	var candidates []int
	for i, e := range extracted {
		if e.Snapshot == nil || (e.Freshness != landing.Live && e.Freshness != landing.Archived) {
			continue
		}
		if slices.ContainsFunc(e.Snapshot.Files, func(f landing.LandedFile) bool { return f.Format == format }) {
			candidates = append(candidates, i)
		}
	}
	for _, i := range candidates {
		if err := loadAlone(ctx, s, models, model, extracted[i]); err != nil {
			return i, nil
		}
	}
	return -1, nil
}

// loadAlone loads one raw model from one source's files in a scratch
// in-memory database, with the macros it may call.
func loadAlone(ctx context.Context, s Settings, models []Model, model Model, e landing.Extracted) error {
	conn, err := OpenConn(ctx, "")
	if err != nil {
		return err
	}
	defer conn.Close()
	one, _, err := quarantine([]landing.Extracted{e}, models, s.QuarantineDir)
	if err != nil {
		return err
	}
	if err := registerLanded(ctx, conn.Conn, one); err != nil {
		return err
	}
	if err := setVariables(ctx, conn.Conn, s, []Model{model}, one, s.TmpDir); err != nil {
		return err
	}
	macros := slices.DeleteFunc(slices.Clone(models), func(m Model) bool { return m.Layer != "macros" })
	if err := buildModels(ctx, slog.New(slog.DiscardHandler), conn.Conn, macros); err != nil {
		return err
	}
	// Materialised: a count alone would let DuckDB skip the columns that fail.
	_, err = conn.ExecContext(ctx, "CREATE TABLE loaded AS "+model.SQL)
	return err
}

// Rebuild builds the models again over the raw tables a finished run left
// (the models are TEMP, gone with the run's connection), so that warehouse
// can be inspected.
func Rebuild(ctx context.Context, log *slog.Logger, conn *sql.Conn, s Settings) error {
	models, _, err := project()
	if err != nil {
		return err
	}
	if err := setVariables(ctx, conn, s, models, nil, s.TmpDir); err != nil {
		return err
	}
	if err := loadSeeds(ctx, conn, sqlmodels.FS, s.TmpDir); err != nil {
		return err
	}
	return buildModels(ctx, log, conn, slices.DeleteFunc(slices.Clone(models), func(m Model) bool { return m.Layer == "raw" }))
}
