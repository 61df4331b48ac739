package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// Status is how a run ended.
type Status string

// Run statuses in the history.
const (
	StatusOK Status = "ok"
	// StatusDegraded means published, but at least one source was not live:
	// it came from an archive or the bundled facts, or is missing.
	StatusDegraded Status = "degraded"

	// StatusUnchanged: nothing changed since the current release; nothing published.
	StatusUnchanged Status = "unchanged"
	StatusFailed    Status = "failed"
	// StatusRunning is a run in progress, or one whose process died: the next
	// run marks it StatusInterrupted.
	StatusRunning     Status = "running"
	StatusInterrupted Status = "interrupted"
)

// RunRecord is one row of the run history, meta_runs in the warehouse.
type RunRecord struct {
	RunID      string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running or when interrupted
	Duration   time.Duration
	Status     Status
	// Release is the release current after the run: its own when it
	// published, the previous one when nothing changed.
	Release     string
	Published   bool
	Rows        int64 // rows in the files it published
	Fingerprint string
	Error       string
}

// StartRun records a run as running. We hold the data folder lock, so a row
// still running belongs to a process that died: it is marked interrupted.
func StartRun(ctx context.Context, conn *sql.Conn, runID string, started time.Time) error {
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS meta_runs (
			run_id VARCHAR PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ,
			duration_ms BIGINT, status VARCHAR NOT NULL, release VARCHAR,
			published BOOLEAN NOT NULL DEFAULT false, rows_published BIGINT, fingerprint VARCHAR, error VARCHAR)`,
		fmt.Sprintf("UPDATE meta_runs SET status = '%s' WHERE status = '%s'", StatusInterrupted, StatusRunning),
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("run history: %w", err)
		}
	}
	_, err := conn.ExecContext(ctx, "INSERT INTO meta_runs (run_id, started_at, status) VALUES (?, ?, ?)", runID, started.UTC(), string(StatusRunning))
	return err
}

// FinishRun records how a run ended.
func FinishRun(ctx context.Context, conn *sql.Conn, r RunRecord) error {
	_, err := conn.ExecContext(ctx, `UPDATE meta_runs SET finished_at = ?, duration_ms = ?, status = ?, release = ?,
		published = ?, rows_published = ?, fingerprint = ?, error = ? WHERE run_id = ?`,
		r.FinishedAt.UTC(), r.Duration.Milliseconds(), string(r.Status), nullString(r.Release),
		r.Published, r.Rows, nullString(r.Fingerprint), nullString(r.Error), r.RunID)
	return err
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// Runs lists the newest runs first. It opens the warehouse read-only, so it
// fails with ErrLocked while a run is writing it.
func Runs(ctx context.Context, path string, limit int) ([]RunRecord, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	db, err := Open(path + "?access_mode=read_only")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta_runs'").Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT run_id, started_at, finished_at, coalesce(duration_ms, 0), status,
		coalesce(release, ''), published, coalesce(rows_published, 0), coalesce(fingerprint, ''), coalesce(error, '')
		FROM meta_runs ORDER BY started_at DESC, run_id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RunRecord
	for rows.Next() {
		var r RunRecord
		var finished sql.NullTime
		var ms int64
		if err := rows.Scan(&r.RunID, &r.StartedAt, &finished, &ms, &r.Status, &r.Release, &r.Published, &r.Rows, &r.Fingerprint, &r.Error); err != nil {
			return nil, err
		}
		r.StartedAt, r.FinishedAt, r.Duration = r.StartedAt.UTC(), finished.Time.UTC(), time.Duration(ms)*time.Millisecond
		out = append(out, r)
	}
	return out, rows.Err()
}
