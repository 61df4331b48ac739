package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/sources/fetch"
)

// A release is a function of the binary (code, SQL models, seeds, bundled
// facts), the settings that shape the outputs, and each source's input bytes
// and fetch day (staging rejects records dated after it). Nothing else: the
// SQL never reads the clock. So a run whose fingerprint matches the one the
// current release was built from has nothing new to publish.

// binaryHash identifies the running executable. Hashing its ~105 MB took
// about 0.2 s of every run, so the hash is kept in one file in the user's
// cache directory beside the file's identity (fetch.StatFile: path,
// device, inode, size, modification and change times). Building or copying
// a new binary gives it a new inode or change time (which no user call can
// set back), so a stale hash is never reused; where no stat is available the
// binary is hashed every run.
var binaryHash = sync.OnceValues(func() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	cache, key := "", ""
	if st, ok := fetch.StatFile(p); ok {
		key = fmt.Sprintf("%s %d %d %d %d %d", st.Path, st.Dev, st.Inode, st.Size, st.MtimeNs, st.CtimeNs)
		if dir, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(dir, "heiststat", "binary.sha256")
		}
	}
	if b, err := os.ReadFile(cache); err == nil && cache != "" {
		if k, sum, ok := strings.Cut(strings.TrimSuffix(string(b), "\n"), "\n"); ok && k == key {
			return sum, nil
		}
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if cache != "" {
		// Only a cache: a run that cannot write it hashes again next time.
		tmp := fmt.Sprintf("%s.%d", cache, os.Getpid())
		if os.MkdirAll(filepath.Dir(cache), 0o755) == nil && os.WriteFile(tmp, []byte(key+"\n"+sum+"\n"), 0o644) == nil {
			if os.Rename(tmp, cache) != nil {
				_ = os.Remove(tmp)
			}
		}
	}
	return sum, nil
})

// runFingerprint hashes everything a release is built from.
func runFingerprint(cfg *Config, extracted []Extracted) (string, error) {
	bin, err := binaryHash()
	if err != nil {
		return "", fmt.Errorf("fingerprinting the binary: %w", err)
	}
	// Every setting that shapes the outputs, and only those: where the data
	// lives, HTTP tuning and scheduling don't change what is published.
	shaping := *cfg
	shaping.DataDir, shaping.HTTP, shaping.LockTimeout, shaping.Schedule = "", HTTPConfig{}, 0, ScheduleConfig{}
	shaping.Sources = slices.Clone(cfg.Sources)
	for i := range shaping.Sources {
		shaping.Sources[i].Schedule = ""
	}
	settings, err := yaml.Marshal(&shaping)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "binary %s\nschema %s\nsettings %s\n", bin, output.SchemaVersion, settings)
	for _, e := range extracted {
		fmt.Fprintf(h, "input %s %s\n", e.Source.Name(), e.Freshness)
		if e.Snapshot != nil {
			for _, f := range e.Snapshot.Files {
				fmt.Fprintf(h, "  %s %s %s %s\n", f.Name, f.Format, f.SHA256, fetchDay(e.Snapshot))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fetchDay(s *Snapshot) string { return s.FetchedAt.UTC().Format(time.DateOnly) }

// unchangedRelease returns the manifest of the current release when the last
// run that published built it from fingerprint fp and it is still current
// and readable; otherwise nil, and the run publishes.
func unchangedRelease(ctx context.Context, conn *sql.Conn, outDir, fp string) (*output.Manifest, error) {
	var runID, prev string
	err := conn.QueryRowContext(ctx, "SELECT run_id, fingerprint FROM meta_runs WHERE published ORDER BY started_at DESC LIMIT 1").Scan(&runID, &prev)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && prev != fp) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	current := filepath.Join(outDir, "current")
	if target, err := os.Readlink(current); err != nil || target != filepath.Join("releases", runID) {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(current, "manifest.json"))
	if err != nil {
		return nil, nil
	}
	var m output.Manifest
	if json.Unmarshal(b, &m) != nil || m.RunID != runID {
		return nil, nil
	}
	return &m, nil
}

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

// loadRaw creates the raw tables, skipping each one whose SQL and input files
// (bytes and fetch day) are those it was last loaded from, and returns the
// other models. The fingerprint is stored beside the table in the same
// transaction, so it can never describe a table that was not loaded.
func loadRaw(ctx context.Context, log *slog.Logger, conn *sql.Conn, models []Model, extracted []Extracted) ([]Model, error) {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS meta_raw_loads (
		model VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, loaded_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return nil, err
	}
	var rest []Model
	for _, m := range models {
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
			return nil, &rawLoadError{Model: m.Name, Err: err}
		}
		if _, err := conn.ExecContext(ctx, "INSERT OR REPLACE INTO meta_raw_loads VALUES (?, ?, now())", m.Name, fp); err != nil {
			return nil, err
		}
		var rows int64
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+m.Name).Scan(&rows); err != nil {
			return nil, err
		}
		log.Info("loaded", "stage", "load", "model", m.Name, "rows", rows, "duration_ms", time.Since(start).Milliseconds())
	}
	return rest, nil
}

// rawFingerprint hashes a raw model's SQL and the files it reads.
func rawFingerprint(m Model, extracted []Extracted) string {
	format := strings.TrimPrefix(m.Name, "raw_")
	var lines []string
	for _, e := range extracted {
		if e.Snapshot == nil {
			continue
		}
		for _, f := range e.Snapshot.Files {
			if f.Format == format {
				lines = append(lines, strings.Join([]string{e.Source.Name(), f.Path, f.SHA256, fetchDay(e.Snapshot)}, " "))
			}
		}
	}
	slices.Sort(lines)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", m.SQL, strings.Join(lines, "\n"))
	return hex.EncodeToString(h.Sum(nil))
}

// openWarehouse opens the run's warehouse. The warehouse is a cache of the
// landing zone: one that cannot be opened (damaged by a crash or a full disk)
// is moved aside and rebuilt rather than failing every later run.
func openWarehouse(log *slog.Logger, path string) (*sql.DB, error) {
	db, err := OpenWarehouse(path)
	if err == nil || errors.Is(err, ErrLocked) {
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
	return OpenWarehouse(path)
}
