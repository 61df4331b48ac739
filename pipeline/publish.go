package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// publish writes the release of a built warehouse: its manifest (sources,
// row counts and the notes a reader should know), the datasets, and the
// current symlink, under the out_dir lock.
func publish(ctx context.Context, conn *sql.Conn, cfg *Config, log *slog.Logger, runID string, started time.Time, extracted []landing.Extracted, now func() time.Time) (*Result, error) {
	res := &Result{RunID: runID, Status: warehouse.StatusOK, Sources: extracted}
	m, err := manifest(ctx, conn, cfg, log, res, started)
	if err != nil {
		return nil, err
	}
	m.FinishedAt = now().Format(time.RFC3339)

	// The publish and its prune hold the out_dir lock; the wait is at least
	// a publish's length, so a second writer's finished build is not lost.
	unlockOut, err := landing.LockOutDir(ctx, log, cfg.OutDir, max(cfg.LockTimeout, outLockWait))
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
	log.Info("published", "stage", "publish", "release", res.Release, "status", res.Status, "files", len(m.Files), "duration_ms", time.Since(start).Milliseconds())
	return res, nil
}

// manifest describes the release: its sources and their row counts, its
// coverage and the notes a reader of the figures should know. It sets the
// result's status to degraded when a source was not live.
func manifest(ctx context.Context, conn *sql.Conn, cfg *Config, log *slog.Logger, res *Result, started time.Time) (*output.Manifest, error) {
	m := &output.Manifest{
		RunID:         res.RunID,
		StartedAt:     started.Format(time.RFC3339),
		Status:        string(warehouse.StatusOK),
		SchemaVersion: output.SchemaVersion,
		Currencies:    append([]string{"USD"}, cfg.Currencies...),
	}
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(strftime(as_of_date, '%Y-%m-%d'), '') FROM int_as_of").Scan(&m.AsOfDate); err != nil {
		return nil, err
	}
	var err error
	if m.IncidentFeeds, err = incidentFeeds(ctx, conn); err != nil {
		return nil, err
	}
	m.Coverage = output.CoverageOf(m.IncidentFeeds)
	for _, e := range res.Sources {
		ms, err := manifestSource(ctx, conn, e)
		if err != nil {
			return nil, err
		}
		m.Sources = append(m.Sources, ms)
		if degraded(e) {
			res.Status = warehouse.StatusDegraded
		}
	}
	if m.Notes, err = qualityNotes(ctx, conn); err != nil {
		return nil, err
	}
	warnings, err := warehouse.WarnTests(ctx, conn)
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
	return m, nil
}

// prune applies the retention after a publish. It is housekeeping: a
// failure to remove old files is logged, and the next run tries again.
func prune(cfg *Config, log *slog.Logger, land *landing.Landing, extracted []landing.Extracted) {
	var names []string
	for _, e := range extracted {
		if e.Source.Location() != feed.Embedded {
			names = append(names, e.Source.Name())
		}
	}
	if err := land.Prune(filepath.Join(cfg.DataDir, "quarantine"), names, cfg.KeepReleases+1); err != nil {
		log.Warn("pruning old snapshots", "stage", "publish", "error", err.Error())
	}
	if err := warehouse.PruneBroken(cfg.WarehousePath()); err != nil {
		log.Warn("pruning warehouses moved aside", "stage", "publish", "error", err.Error())
	}
}

// outLockWait is the shortest wait for another writer's publish to the
// same out_dir.
const outLockWait = 5 * time.Minute

// degraded reports whether a source served something other than its normal data.
func degraded(e landing.Extracted) bool {
	switch e.Freshness {
	case landing.Live:
		return false
	case landing.Bundled:
		return e.Source.Location() != feed.Embedded
	default:
		return true
	}
}

func manifestSource(ctx context.Context, conn *sql.Conn, e landing.Extracted) (output.ManifestSource, error) {
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
		if e.Freshness == landing.Archived {
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
