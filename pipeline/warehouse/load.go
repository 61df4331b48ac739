package warehouse

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/heiststat/heiststat/pipeline/landing"
)

// inTransaction runs f in one warehouse transaction, so a run killed halfway
// leaves the tables of the last complete build, never partial ones.
func inTransaction(ctx context.Context, conn *sql.Conn, f func() error) error {
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	if err := f(); err != nil {
		// The context may be cancelled: roll back regardless.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	_, err := conn.ExecContext(ctx, "COMMIT")
	return err
}

// loadRaw creates the macros and the raw tables, skipping each one whose SQL and input files
// (bytes and fetch day) are those it was last loaded from, and returns the
// other models. The fingerprint and the record counts are stored beside the
// table in the same transaction, so they can never describe a table that
// was not loaded.
func loadRaw(ctx context.Context, log *slog.Logger, conn *sql.Conn, models []Model, extracted []landing.Extracted) ([]Model, error) {
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS meta_raw_loads (
			model VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, loaded_at TIMESTAMPTZ NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS meta_raw_records (
			model VARCHAR NOT NULL, source VARCHAR NOT NULL, feed VARCHAR NOT NULL, records BIGINT NOT NULL)`,
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return nil, err
		}
	}
	// Counts of a raw model since removed or renamed are no one's.
	var raw []string
	for _, m := range models {
		if m.Layer == "raw" {
			raw = append(raw, m.Name)
		}
	}
	if _, err := conn.ExecContext(ctx, "DELETE FROM meta_raw_records WHERE NOT list_contains("+sqlList(raw)+", model)"); err != nil {
		return nil, err
	}
	var rest []Model
	for _, m := range models {
		if m.Layer == "macros" {
			// TEMP, so created on every run, before any model that calls it.
			if err := buildModels(ctx, log, conn, []Model{m}); err != nil {
				return nil, err
			}
			continue
		}
		if m.Layer != "raw" {
			rest = append(rest, m)
			continue
		}
		fp := rawFingerprint(m, extracted)
		var prev string
		err := conn.QueryRowContext(ctx, `SELECT fingerprint FROM meta_raw_loads
			WHERE model = ? AND model IN (SELECT table_name FROM duckdb_tables())`, m.Name).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if prev == fp {
			log.Info("inputs unchanged, not reloaded", "stage", "load", "model", m.Name)
			continue
		}
		start := time.Now()
		if err := buildModels(ctx, log, conn, []Model{m}); err != nil {
			return nil, &RawLoadError{Model: m.Name, Err: err}
		}
		if _, err := conn.ExecContext(ctx, "INSERT OR REPLACE INTO meta_raw_loads VALUES (?, ?, now())", m.Name, fp); err != nil {
			return nil, err
		}
		rows, err := countRecords(ctx, conn, m)
		if err != nil {
			return nil, err
		}
		log.Info("loaded", "stage", "load", "model", m.Name, "rows", rows, "duration_ms", time.Since(start).Milliseconds())
	}
	return rest, nil
}

// countRecords counts a raw table's rows and, for a model with a records
// header, records them per source in meta_raw_records.
func countRecords(ctx context.Context, conn *sql.Conn, m Model) (int64, error) {
	if _, err := conn.ExecContext(ctx, "DELETE FROM meta_raw_records WHERE model = ?", m.Name); err != nil {
		return 0, err
	}
	if m.Records != "" {
		if _, err := conn.ExecContext(ctx, "INSERT INTO meta_raw_records SELECT ?, _source, ?, count(*) FROM "+m.Name+" GROUP BY _source", m.Name, m.Records); err != nil {
			return 0, err
		}
	}
	var rows int64
	err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+m.Name).Scan(&rows)
	return rows, err
}

// rawFingerprint hashes a raw model's SQL and the files it reads.
func rawFingerprint(m Model, extracted []landing.Extracted) string {
	format := strings.TrimPrefix(m.Name, "raw_")
	var lines []string
	for _, e := range extracted {
		if e.Snapshot == nil {
			continue
		}
		for _, f := range e.Snapshot.Files {
			if f.Format == format {
				lines = append(lines, strings.Join([]string{e.Source.Name(), f.Path, f.SHA256, e.Snapshot.FetchDay()}, " "))
			}
		}
	}
	slices.Sort(lines)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", m.SQL, strings.Join(lines, "\n"))
	return hex.EncodeToString(h.Sum(nil))
}

// OpenOrRebuild opens the run's warehouse. The warehouse is a cache of the
// landing zone: one that cannot be opened (damaged by a crash or a full disk)
// is moved aside and rebuilt rather than failing every later run.
func OpenOrRebuild(log *slog.Logger, path string) (*sql.DB, error) {
	db, err := Open(path)
	if err == nil || errors.Is(err, landing.ErrLocked) {
		return db, err
	}
	if _, serr := os.Stat(path); serr != nil {
		return nil, err
	}
	aside := path + ".broken-" + time.Now().UTC().Format("20060102T150405Z")
	log.Warn("warehouse unreadable: moved aside, rebuilding it from the landing zone", "stage", "load", "error", err.Error(), "moved_to", aside)
	if err := os.Rename(path, aside); err != nil {
		return nil, err
	}
	if err := os.Rename(path+".wal", aside+".wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return Open(path)
}
