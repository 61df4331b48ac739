// Package pipeline runs heiststat's stages in order: fetch and land raw bytes
// (pipeline/landing), price demand, load, models and data tests
// (pipeline/warehouse), then publish (output). Scheduling is pipeline/schedule.
package pipeline

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
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
	Fetched map[string]landing.Extracted
	// Progress, when set (a terminal), shows a fetch progress bar there.
	Progress io.Writer
}

// Result describes a finished run.
type Result struct {
	RunID    string
	Status   warehouse.Status
	Release  string
	Current  string
	Manifest *output.Manifest
	// Unchanged means nothing changed since the current release, so nothing
	// was published: Release and Manifest are the current release's, and
	// Status is its status.
	Unchanged bool
	// Sources is what each source contributed to this run.
	Sources []landing.Extracted
}

// Run executes one full run: fetch and land, load, models, data tests,
// publish. It is recorded in the run history (meta_runs), whatever its
// outcome.
func Run(ctx context.Context, cfg *Config, log *slog.Logger, opts Options) (res *Result, err error) {
	// Hashed beside the warehouse open and the fetches, not when the first
	// source lands.
	go landing.BinaryHash()
	now := utcClock(opts.Now)
	unlock, err := landing.LockDataDir(ctx, log, cfg.DataDir, cfg.LockTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Named once the lock is held, so two runs started in the same
	// millisecond do not share an ID; the suffix keeps apart the releases of
	// runs on separate data folders sharing an out_dir.
	started := now()
	runID := started.Format("20060102T150405.000Z") + "-" + runSuffix()
	log = log.With("run_id", runID)

	db, err := warehouse.OpenOrRebuild(log, cfg.WarehousePath())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rec, err := startHistory(ctx, conn, log, runID, started, now)
	if err != nil {
		return nil, err
	}
	defer func() { rec.finish(err) }()

	// Fetch and land, with the prices the incidents need.
	land := &landing.Landing{Root: filepath.Join(cfg.DataDir, "landing")}
	extracted, err := fetchAndLand(ctx, cfg, log, land, opts, now)
	if err != nil {
		return nil, err
	}
	if rec.Fingerprint, err = runFingerprint(cfg, extracted); err != nil {
		return nil, err
	}
	if res, err := unchanged(ctx, conn, cfg, log, runID, rec, extracted); err != nil || res != nil {
		return res, err
	}

	// Load, models and data tests; the raw tables are checkpointed on a
	// second connection while the models build.
	checkpointed := checkpointer(ctx, log, db)
	defer checkpointed.Wait()
	if extracted, err = buildFallingBack(ctx, log, conn, cfg, land, extracted, true, checkpointed.start, now); err != nil {
		return nil, err
	}
	// A snapshot found unusable was replaced: the release is built from these.
	if rec.Fingerprint, err = runFingerprint(cfg, extracted); err != nil {
		return nil, err
	}

	// Publish, then retention.
	if res, err = publish(ctx, conn, cfg, log, runID, started, extracted, now); err != nil {
		return nil, err
	}
	rec.published(res)
	prune(cfg, log, land, extracted)
	return res, nil
}

// runSuffix ends a run id: six random base-32 characters.
var runSuffix = func() string { return rand.Text()[:6] }

func utcClock(now func() time.Time) func() time.Time {
	if now != nil {
		return now
	}
	return func() time.Time { return time.Now().UTC() }
}
