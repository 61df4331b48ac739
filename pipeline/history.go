package pipeline

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// runHistory is the run's row in meta_runs, written when the run ends,
// whatever its outcome.
type runHistory struct {
	warehouse.RunRecord
	ctx     context.Context
	conn    *sql.Conn
	log     *slog.Logger
	started time.Time
	now     func() time.Time
}

func startHistory(ctx context.Context, conn *sql.Conn, log *slog.Logger, runID string, started time.Time, now func() time.Time) (*runHistory, error) {
	if err := warehouse.StartRun(ctx, conn, runID, started); err != nil {
		return nil, err
	}
	return &runHistory{RunRecord: warehouse.RunRecord{RunID: runID, Status: warehouse.StatusFailed},
		ctx: ctx, conn: conn, log: log, started: started, now: now}, nil
}

// published records the release a run published.
func (h *runHistory) published(res *Result) {
	h.Status, h.Release, h.Published = res.Status, res.RunID, true
	for _, f := range res.Manifest.Files {
		h.Rows += f.Rows
	}
}

// finish records how the run ended; err is the run's error.
func (h *runHistory) finish(err error) {
	h.FinishedAt = h.now()
	h.Duration = h.FinishedAt.Sub(h.started)
	if err != nil {
		h.Error = err.Error()
		// A signal or a caller's cancel is an interruption, not a failure.
		if h.ctx.Err() != nil {
			h.Status = warehouse.StatusInterrupted
		}
	}
	// Recorded even when the run was cancelled.
	if herr := warehouse.FinishRun(context.WithoutCancel(h.ctx), h.conn, h.RunRecord); herr != nil {
		h.log.Error("recording the run", "stage", "history", "error", herr.Error())
	}
}

// Runs lists the newest runs first, from the warehouse's run history.
func Runs(ctx context.Context, cfg *Config, limit int) ([]warehouse.RunRecord, error) {
	return warehouse.Runs(ctx, cfg.WarehousePath(), limit)
}
