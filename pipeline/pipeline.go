// Package pipeline runs heiststat's stages in order: extract (fetch and land
// raw bytes), load (typed reads of the landed files), models, data tests and
// publish. It is the only package that opens the warehouse.
package pipeline

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/sources"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
	sqlmodels "github.com/heiststat/heiststat/sql"
)

// Status is how a run ended.
type Status string

const (
	StatusOK Status = "ok"
	// StatusDegraded means published, but at least one source was not live:
	// it came from an archive or the bundled facts, or is missing.
	StatusDegraded Status = "degraded"
)

// Options adjust one run.
type Options struct {
	// Offline skips every fetch and replays the latest archived snapshots.
	Offline bool
	// Now is the clock (UTC); tests may pin it.
	Now func() time.Time
	// Fetched holds the outcomes of fetches made earlier (the scheduler's
	// fetch jobs); those sources are not fetched again: a live outcome is used
	// as it is, a failed one falls back like a failed fetch.
	Fetched map[string]Extracted
	// Progress, when set (a terminal), shows a fetch progress bar there.
	Progress io.Writer
}

// Result describes a finished run.
type Result struct {
	RunID    string
	Status   Status
	Release  string
	Current  string
	Manifest *output.Manifest
	// Unchanged means nothing changed since the current release, so nothing
	// was published: Release and Manifest are the current release's, and
	// Status is its status.
	Unchanged bool
	// Sources is what each source contributed to this run.
	Sources []Extracted
}

// Run executes one full run: extract, load, models, data tests, publish. It
// is recorded in the run history (meta_runs), whatever its outcome.
func Run(ctx context.Context, cfg *Config, log *slog.Logger, opts Options) (res *Result, err error) {
	// A new binary is hashed once (binaryHash, ~0.1 s for 105 MB): start it
	// now, beside the warehouse open and the fetches, instead of when the
	// first source lands (the bench's cold run is a new binary's first run).
	go binaryHash()
	now := opts.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	unlock, err := lockDataDir(ctx, log, cfg.DataDir, cfg.LockTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Named once the lock is held: two runs started in the same millisecond
	// (one waiting for the other's lock) otherwise shared a run ID, and the
	// second failed to record its run. Runs on separate data folders share
	// no lock but may share an out_dir: the random suffix keeps their
	// release names apart.
	started := now()
	runID := started.Format("20060102T150405.000Z") + "-" + runSuffix()
	log = log.With("run_id", runID)

	db, err := openWarehouse(log, filepath.Join(cfg.DataDir, "warehouse.duckdb"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := startRun(ctx, conn, runID, started); err != nil {
		return nil, err
	}
	rec := RunRecord{RunID: runID, Status: StatusFailed}
	defer func() {
		rec.FinishedAt = now()
		rec.Duration = rec.FinishedAt.Sub(started)
		if err != nil {
			rec.Error = err.Error()
		}
		// A signal or a caller's cancel is an interruption, not a failure.
		if err != nil && ctx.Err() != nil {
			rec.Status = StatusInterrupted
		}
		// Recorded even when the run was cancelled.
		if herr := finishRun(context.WithoutCancel(ctx), conn, rec); herr != nil {
			log.Error("recording the run", "stage", "history", "error", herr.Error())
		}
	}()

	srcs, err := sources.New(cfg.SourceSpecs())
	if err != nil {
		return nil, err
	}

	land := &Landing{Root: filepath.Join(cfg.DataDir, "landing")}
	var progress io.Writer
	if !opts.Offline {
		progress = opts.Progress
	}
	hc, prog := fetchClient(cfg, log, progress, srcs)
	// Extract holds each source's fetched bytes until they are landed (0.8 GB
	// at 1000x). They hold no pointers, so collecting more often costs little
	// and keeps the heap near that instead of growing to twice it.
	gc := debug.SetGCPercent(25)
	extracted, err := extractWithDemand(ctx, log, land, srcs, srcs, hc, cfg, extractOpts{offline: opts.Offline, now: now, progress: prog, fetched: opts.Fetched})
	prog.finish()
	debug.SetGCPercent(gc)
	if err != nil {
		return nil, err
	}
	// The fetched bytes are landed and no longer referenced: give the Go heap
	// back to the OS before DuckDB takes its share, so the two peaks do not
	// add up (3.1 GB peak RSS at 1000x).
	debug.FreeOSMemory()

	if rec.Fingerprint, err = runFingerprint(cfg, extracted); err != nil {
		return nil, err
	}
	if m, err := unchangedRelease(ctx, conn, cfg.OutDir, rec.Fingerprint); err != nil || m != nil {
		if err != nil {
			return nil, err
		}
		rec.Status, rec.Release = StatusUnchanged, m.RunID
		pub := &output.Publisher{Root: cfg.OutDir}
		log.Info("nothing changed since the current release: nothing published", "stage", "publish", "release", m.RunID, "status", m.Status)
		return &Result{RunID: runID, Status: Status(m.Status), Release: filepath.Join(cfg.OutDir, "releases", m.RunID),
			Current: pub.Current(), Manifest: m, Unchanged: true, Sources: extracted}, nil
	}

	// The raw tables are final once their load commits: checkpoint them on a
	// second connection while the models (TEMP, never checkpointed), data
	// tests and publish run, instead of when the run closes the warehouse
	// (0.5-0.9 s of the snapshot run's wall time) or beside the publish,
	// whose Parquet writes queued behind its tasks (fx.parquet took 200-300
	// ms instead of 65). If it cannot run now, closing the warehouse still
	// checkpoints.
	var checkpointing sync.WaitGroup
	// Before the run record is written (deferred earlier, so run later).
	defer checkpointing.Wait()
	loaded := func() {
		checkpointing.Go(func() {
			start := time.Now()
			if err := checkpoint(ctx, db); err != nil {
				// Not a failed run: the commit is in the WAL, and closing the
				// warehouse checkpoints again.
				log.Warn("checkpoint deferred to close", "stage", "load", "error", err.Error())
				return
			}
			log.Debug("raw tables checkpointed", "stage", "load", "ms", time.Since(start).Milliseconds())
		})
	}
	if extracted, err = buildFallingBack(ctx, log, conn, cfg, land, extracted, true, loaded, now); err != nil {
		return nil, err
	}
	// A snapshot found unusable was replaced: the release is built from these.
	if rec.Fingerprint, err = runFingerprint(cfg, extracted); err != nil {
		return nil, err
	}

	res = &Result{RunID: runID, Status: StatusOK, Sources: extracted}
	m := &output.Manifest{
		RunID:         runID,
		StartedAt:     started.Format(time.RFC3339),
		Status:        string(StatusOK),
		SchemaVersion: output.SchemaVersion,
		Currencies:    append([]string{"USD"}, cfg.Currencies...),
	}
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(strftime(as_of_date, '%Y-%m-%d'), '') FROM int_as_of").Scan(&m.AsOfDate); err != nil {
		return nil, err
	}
	if m.IncidentFeeds, err = incidentFeeds(ctx, conn); err != nil {
		return nil, err
	}
	m.Coverage = output.CoverageOf(m.IncidentFeeds)
	for _, e := range extracted {
		ms, err := manifestSource(ctx, conn, e)
		if err != nil {
			return nil, err
		}
		m.Sources = append(m.Sources, ms)
		if degraded(e) {
			res.Status = StatusDegraded
		}
	}
	if m.Notes, err = qualityNotes(ctx, conn); err != nil {
		return nil, err
	}
	_, tests, err := LoadModels(sqlmodels.FS)
	if err != nil {
		return nil, err
	}
	warnings, err := warnTests(ctx, conn, tests)
	if err != nil {
		return nil, err
	}
	m.Notes = append(m.Notes, warnings...)
	valueAt, err := valueAtNotes(ctx, conn, cfg)
	if err != nil {
		return nil, err
	}
	m.Notes = append(m.Notes, valueAt...)
	for _, n := range m.Notes {
		log.Warn(n, "stage", "test")
	}
	m.Status = string(res.Status)
	m.FinishedAt = now().Format(time.RFC3339)

	// The publish and its prune hold the out_dir lock; the wait is at least
	// a publish's length, so a second writer's finished build is not lost.
	unlockOut, err := lockOutDir(ctx, log, cfg.OutDir, max(cfg.LockTimeout, outLockWait))
	if err != nil {
		return nil, err
	}
	defer unlockOut()
	start := time.Now()
	pub := &output.Publisher{Root: cfg.OutDir, Keep: cfg.KeepReleases}
	parquet, csv := output.Datasets(cfg.ExtraCurrencies())
	if cfg.ValueAt != "" {
		m.ValueAt = cfg.ValueAt
		parquet, csv = output.WithValueAt(parquet, csv, cfg.Currencies)
	}
	res.Release, err = pub.Publish(ctx, conn, runID, parquet, csv, m)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	res.Current, res.Manifest = pub.Current(), m
	rec.Status, rec.Release, rec.Published = res.Status, runID, true
	for _, f := range m.Files {
		rec.Rows += f.Rows
	}
	log.Info("published", "stage", "publish", "release", res.Release, "status", res.Status, "files", len(m.Files), "duration_ms", time.Since(start).Milliseconds())
	// Retention is housekeeping: a failure to remove old files is logged,
	// and the next run tries again.
	var names []string
	for _, e := range extracted {
		if e.Source.Location() != feed.Embedded {
			names = append(names, e.Source.Name())
		}
	}
	if err := pruneLanding(land, filepath.Join(cfg.DataDir, "quarantine"), names, cfg.KeepReleases+1); err != nil {
		log.Warn("pruning old snapshots", "stage", "publish", "error", err.Error())
	}
	if err := pruneBrokenWarehouses(filepath.Join(cfg.DataDir, "warehouse.duckdb")); err != nil {
		log.Warn("pruning warehouses moved aside", "stage", "publish", "error", err.Error())
	}
	return res, nil
}

// runSuffix ends a run id: six random base-32 characters.
var runSuffix = func() string { return rand.Text()[:6] }

// outLockWait is the shortest wait for another writer's publish to the
// same out_dir.
const outLockWait = 5 * time.Minute

// checkpoint writes the committed warehouse changes to its file.
func checkpoint(ctx context.Context, db *sql.DB) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.ExecContext(ctx, "CHECKPOINT")
	return err
}

// readAfterBuild are the intermediate models Run reads once the models are
// built (the manifest's as-of date); the build keeps them.
var readAfterBuild = []string{"int_as_of"}

// degraded reports whether a source served something other than its normal data.
func degraded(e Extracted) bool {
	switch e.Freshness {
	case Live:
		return false
	case Bundled:
		return e.Source.Location() != feed.Embedded
	default:
		return true
	}
}

// build loads the landed files and builds the models; withTests also runs
// the data tests (a build over part of the sources, for the price demand,
// would fail them for data it was never meant to hold). loaded, if set, is
// called once the raw tables are committed.
func build(ctx context.Context, log *slog.Logger, conn *sql.Conn, cfg *Config, extracted []Extracted, withTests bool, loaded func()) error {
	start := time.Now()
	tmp := filepath.Join(cfg.DataDir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	models, tests, err := LoadModels(sqlmodels.FS)
	if err != nil {
		return err
	}
	extracted, quarantined, err := quarantine(extracted, models, filepath.Join(cfg.DataDir, "quarantine"))
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
	// loop join that made int_incident_clusters 30x slower (5.7 s instead of
	// 0.15 s on the snapshot). Nothing reads the models before the publish,
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
		if err := setVariables(ctx, conn, cfg, models, extracted, tmp); err != nil {
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
func registerLanded(ctx context.Context, conn *sql.Conn, extracted []Extracted) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TABLE meta_landed_files (
		source VARCHAR, type VARCHAR, format VARCHAR, name VARCHAR, path VARCHAR,
		sha256 VARCHAR, bytes BIGINT, freshness VARCHAR, fetched_at TIMESTAMPTZ)`); err != nil {
		return err
	}
	// Many rows per INSERT: one statement per file took 1.2 s for the 2,000
	// price files at 1000x, and 36-53 ms for the snapshot's 40.
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
func setVariables(ctx context.Context, conn *sql.Conn, cfg *Config, models []Model, extracted []Extracted, tmp string) error {
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
		fmt.Sprintf("SET VARIABLE max_price_age_days = %d", cfg.MaxPriceAgeDays),
		fmt.Sprintf("SET VARIABLE currencies = %s", sqlList(cfg.Currencies)),
		fmt.Sprintf("SET VARIABLE as_of = %s", sqlString(cfg.AsOf)),
		fmt.Sprintf("SET VARIABLE value_at = %s", sqlString(cfg.ValueAt)),
		fmt.Sprintf("SET VARIABLE theft_categories = %s", sqlList(cfg.TheftCategories)),
		fmt.Sprintf("SET VARIABLE include_disputed = %t", cfg.IncludeDisputed),
		fmt.Sprintf("SET VARIABLE categories = %s", sqlList(Categories)),
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

func manifestSource(ctx context.Context, conn *sql.Conn, e Extracted) (output.ManifestSource, error) {
	ms := output.ManifestSource{
		Name: e.Source.Name(), Type: e.Source.Type(), Location: fetch.Redact(e.Source.Location()),
		Freshness: string(e.Freshness), NotModified: e.NotModified, Files: []output.ManifestFile{}, Rows: []output.RowCount{},
	}
	if e.FetchErr != nil {
		ms.Error = e.FetchErr.Error()
	}
	if s := e.Snapshot; s != nil {
		ms.Bytes = s.Bytes()
		ms.FetchedAt = s.FetchedAt.Format(time.RFC3339)
		if e.Freshness == Archived {
			ms.ArchivedAt = ms.FetchedAt
		}
		for _, f := range s.Files {
			ms.Files = append(ms.Files, output.ManifestFile{Name: f.Name, Format: f.Format, SHA256: f.SHA256, Bytes: f.Bytes})
		}
	}
	rows, err := conn.QueryContext(ctx, "SELECT feed, rows_in, accepted, rejected FROM fct_source_rows WHERE source = ? ORDER BY feed", e.Source.Name())
	if err != nil {
		return ms, err
	}
	defer rows.Close()
	for rows.Next() {
		var rc output.RowCount
		if err := rows.Scan(&rc.Feed, &rc.RowsIn, &rc.Accepted, &rc.Rejected); err != nil {
			return ms, err
		}
		ms.Rows = append(ms.Rows, rc)
	}
	return ms, rows.Err()
}

// staleDays is how far before the theft date a rate may be before the
// release says so (a week covers weekends and holiday runs).
const staleDays = 7

// priceJump is the day-on-day move of a close beyond which a price used
// for a valuation is named in the release notes (docs/operations.md).
const priceJump = 10

// qualityNotes states, in the manifest and the log, what a reader of the
// figures should know: stale FX, unvalued incidents and rejected records.
func qualityNotes(ctx context.Context, conn *sql.Conn) ([]string, error) {
	var notes []string
	var stale int64
	var latest sql.NullString
	if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), strftime(max(fx_rate_date), '%%Y-%%m-%%d') FROM fct_incidents
		WHERE amount_usd IS NOT NULL AND incident_date - fx_rate_date > %d`, staleDays)).Scan(&stale, &latest); err != nil {
		return nil, err
	}
	if stale > 0 {
		notes = append(notes, fmt.Sprintf("%d incident(s) converted at an ECB rate more than %d days older than the theft date (the FX data ends %s): refresh the FX source", stale, staleDays, latest.String))
	}
	var unvalued, rejected int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM fct_incidents WHERE amount_usd IS NULL").Scan(&unvalued); err != nil {
		return nil, err
	}
	if unvalued > 0 {
		notes = append(notes, fmt.Sprintf("%d incident(s) have no USD value (no native amounts and no reported figure): counted, not summed", unvalued))
	}
	// A price used for a valuation that moved more than priceJump times
	// from the day before is kept (crypto can crash) but named, so a reader
	// can check it before quoting the figure.
	var jumps int64
	var example sql.NullString
	if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), min(a.priced_as || ' ' || strftime(a.price_date, '%%Y-%%m-%%d'))
		FROM (SELECT DISTINCT priced_as, price_date, price_usd FROM fct_incident_assets WHERE price_usd > 0) a
		JOIN fct_prices_daily p ON p.asset = a.priced_as AND p.price_date = a.price_date - 1
		WHERE p.close_usd > 0 AND greatest(a.price_usd / p.close_usd, p.close_usd / a.price_usd) > %d`, priceJump)).Scan(&jumps, &example); err != nil {
		return nil, err
	}
	if jumps > 0 {
		notes = append(notes, fmt.Sprintf("%d price(s) used for valuation moved more than %dx from the day before (first: %s): check the price feed before quoting those incidents", jumps, priceJump, example.String))
	}
	var replaced int64
	var first sql.NullString
	if err := conn.QueryRowContext(ctx, `SELECT count(*), min(source || ' ' || file_name || ' line ' || line)
		FROM meta_quarantined_lines WHERE NOT rejected`).Scan(&replaced, &first); err != nil {
		return nil, err
	}
	if replaced > 0 {
		notes = append(notes, fmt.Sprintf("%d file(s) held invalid UTF-8, replaced with U+FFFD at load (first: %s)", replaced, first.String))
	}
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM fct_rejects").Scan(&rejected); err != nil {
		return nil, err
	}
	if rejected > 0 {
		notes = append(notes, fmt.Sprintf("%d input record(s) rejected: see csv/rejects.csv", rejected))
	}
	return notes, nil
}

// incidentFeeds lists the feeds behind the published incidents.
func incidentFeeds(ctx context.Context, conn *sql.Conn) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT DISTINCT f FROM (SELECT unnest(feeds) AS f FROM fct_incidents) ORDER BY f")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	feeds := []string{}
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, err
		}
		feeds = append(feeds, f)
	}
	return feeds, rows.Err()
}
