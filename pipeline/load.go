package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// buildFallingBack is warehouse.Build, except that a landed snapshot DuckDB cannot
// load (bytes that passed the fetch checks and the quarantine, such as a
// JSON document broken mid-way) does not fail the run: the snapshot is
// marked unusable with the reason, the source falls back to its previous
// good snapshot (or its bundled facts, or nothing), and the build runs
// again. It returns the sources as finally built.
func buildFallingBack(ctx context.Context, log *slog.Logger, conn *sql.Conn, cfg *Config, land *landing.Landing, extracted []landing.Extracted, withTests bool, loaded func(), now func() time.Time) ([]landing.Extracted, error) {
	extracted = slices.Clone(extracted)
	for {
		err := warehouse.Build(ctx, log, conn, cfg.buildSettings(), extracted, withTests, loaded)
		rle, ok := errors.AsType[*warehouse.RawLoadError](err)
		if !ok || ctx.Err() != nil {
			return extracted, err
		}
		i, err2 := warehouse.Culprit(ctx, cfg.buildSettings(), extracted, rle)
		if err2 != nil || i < 0 {
			return extracted, errors.Join(err, err2)
		}
		bad := extracted[i]
		// DuckDB's first line says what is wrong; the next ones are hints
		// (such as ignore_errors) that do not apply here.
		msg, _, _ := strings.Cut(rle.Err.Error(), "\n")
		reason := fmt.Sprintf("%s cannot load it: %s", rle.Model, msg)
		if extracted[i], err2 = land.Replace(log, bad, reason, now); err2 != nil {
			return extracted, errors.Join(err, err2)
		}
	}
}

// checkpoints writes the raw tables to the warehouse file on a second
// connection once their load commits, while the models (TEMP, never
// checkpointed), data tests and publish run, instead of at close or beside
// the publish, whose Parquet writes would queue behind it.
type checkpoints struct {
	sync.WaitGroup
	start func()
}

func checkpointer(ctx context.Context, log *slog.Logger, db *sql.DB) *checkpoints {
	c := &checkpoints{}
	c.start = func() {
		c.Go(func() {
			start := time.Now()
			if err := warehouse.Checkpoint(ctx, db); err != nil {
				// Not a failed run: the commit is in the WAL, and closing the
				// warehouse checkpoints again.
				log.Warn("checkpoint deferred to close", "stage", "load", "error", err.Error())
				return
			}
			log.Debug("raw tables checkpointed", "stage", "load", "ms", time.Since(start).Milliseconds())
		})
	}
	return c
}
