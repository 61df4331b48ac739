package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
	sqlmodels "github.com/heiststat/heiststat/sql"
)

// rawLoadError is a raw model that DuckDB could not load from the landed files.
type rawLoadError struct {
	Model string
	Err   error
}

func (e *rawLoadError) Error() string { return fmt.Sprintf("loading %s: %v", e.Model, e.Err) }
func (e *rawLoadError) Unwrap() error { return e.Err }

// buildFallingBack is build, except that a landed snapshot DuckDB cannot
// load (bytes that passed the fetch checks and the quarantine, such as a
// JSON document broken mid-way) does not fail the run: the snapshot is
// marked unusable with the reason, the source falls back to its previous
// good snapshot (or its bundled facts, or nothing), and the build runs
// again. It returns the sources as finally built.
func buildFallingBack(ctx context.Context, log *slog.Logger, conn *sql.Conn, cfg *Config, land *Landing, extracted []Extracted, withTests bool, loaded func(), now func() time.Time) ([]Extracted, error) {
	extracted = slices.Clone(extracted)
	for {
		err := build(ctx, log, conn, cfg, extracted, withTests, loaded)
		rle, ok := errors.AsType[*rawLoadError](err)
		if !ok || ctx.Err() != nil {
			return extracted, err
		}
		i, err2 := culprit(ctx, cfg, extracted, rle)
		if err2 != nil || i < 0 {
			return extracted, errors.Join(err, err2)
		}
		bad := extracted[i]
		// DuckDB's first line says what is wrong; the next ones are hints
		// (such as ignore_errors) that do not apply here.
		msg, _, _ := strings.Cut(rle.Err.Error(), "\n")
		reason := fmt.Sprintf("%s cannot load it: %s", rle.Model, msg)
		if merr := land.MarkUnusable(bad.Snapshot, reason, now()); merr != nil {
			return extracted, errors.Join(err, fmt.Errorf("marking the snapshot unusable: %w", merr))
		}
		extracted[i] = fallBack(log, land, bad, reason, now)
	}
}

// culprit finds the source whose snapshot fails the raw model on its own;
// -1 when none can be blamed (only landed snapshots can be replaced).
func culprit(ctx context.Context, cfg *Config, extracted []Extracted, rle *rawLoadError) (int, error) {
	models, _, err := LoadModels(sqlmodels.FS)
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
		if e.Snapshot == nil || (e.Freshness != Live && e.Freshness != Archived) {
			continue
		}
		if slices.ContainsFunc(e.Snapshot.Files, func(f LandedFile) bool { return f.Format == format }) {
			candidates = append(candidates, i)
		}
	}
	for _, i := range candidates {
		if err := loadAlone(ctx, cfg, models, model, extracted[i]); err != nil {
			return i, nil
		}
	}
	return -1, nil
}

// loadAlone loads one raw model from one source's files in a scratch
// in-memory database.
func loadAlone(ctx context.Context, cfg *Config, models []Model, model Model, e Extracted) error {
	db, err := OpenWarehouse("")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	one, _, err := quarantine([]Extracted{e}, models, filepath.Join(cfg.DataDir, "quarantine"))
	if err != nil {
		return err
	}
	if err := registerLanded(ctx, conn, one); err != nil {
		return err
	}
	if err := setVariables(ctx, conn, cfg, []Model{model}, one, filepath.Join(cfg.DataDir, "tmp")); err != nil {
		return err
	}
	// Materialised: a count alone would let DuckDB skip the columns that fail.
	_, err = conn.ExecContext(ctx, "CREATE TABLE loaded AS "+model.SQL)
	return err
}

// fallBack replaces a source's unloadable snapshot by its latest good
// archived one (the unusable mark makes Latest skip it), else its bundled
// facts, else nothing.
func fallBack(log *slog.Logger, land *Landing, bad Extracted, reason string, now func() time.Time) Extracted {
	src := bad.Source
	res := Extracted{Source: src, Freshness: Missing,
		FetchErr: fetch.RedactError(fmt.Errorf("source %s: snapshot of %s is unusable (%s)", src.Name(), bad.Snapshot.FetchedAt.Format(time.RFC3339), reason))}
	if prev, _, err := land.Latest(src.Name()); err == nil {
		res.Snapshot, res.Freshness = prev, Archived
	} else if b, ok := src.(feed.Bundler); ok {
		if snap, err := land.Store(src, b.Bundled(), nil, nil, now(), false); err == nil {
			res.Snapshot, res.Freshness = snap, Bundled
		}
	}
	log.Warn("snapshot unusable: falling back", "stage", "load", "source", src.Name(),
		"snapshot", recordName(bad.Snapshot), "reason", reason, "freshness", res.Freshness)
	return res
}
