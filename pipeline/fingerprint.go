package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// A release is a function of the binary (code, SQL models, seeds, bundled
// facts), the settings that shape the outputs, and each source's input bytes
// and fetch day (staging rejects records dated after it). Nothing else: the
// SQL never reads the clock. So a run whose fingerprint matches the one the
// current release was built from has nothing new to publish.

// runFingerprint hashes everything a release is built from.
func runFingerprint(cfg *Config, extracted []landing.Extracted) (string, error) {
	bin, err := landing.BinaryHash()
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
				fmt.Fprintf(h, "  %s %s %s %s\n", f.Name, f.Format, f.SHA256, e.Snapshot.FetchDay())
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

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

// unchanged is the result of a run with nothing new to publish: the current
// release when the last run that published built it from the same
// fingerprint; nil otherwise.
func unchanged(ctx context.Context, conn *sql.Conn, cfg *Config, log *slog.Logger, runID string, rec *runHistory, extracted []landing.Extracted) (*Result, error) {
	m, err := unchangedRelease(ctx, conn, cfg.OutDir, rec.Fingerprint)
	if err != nil || m == nil {
		return nil, err
	}
	rec.Status, rec.Release = warehouse.StatusUnchanged, m.RunID
	pub := &output.Publisher{Root: cfg.OutDir}
	log.Info("nothing changed since the current release: nothing published", "stage", "publish", "release", m.RunID, "status", m.Status)
	return &Result{RunID: runID, Status: warehouse.Status(m.Status), Release: filepath.Join(cfg.OutDir, "releases", m.RunID),
		Current: pub.Current(), Manifest: m, Unchanged: true, Sources: extracted}, nil
}
