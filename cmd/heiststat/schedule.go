package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/heiststat/heiststat/pipeline"
	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/schedule"
)

type scheduleCmd struct {
	LockTimeout *time.Duration `help:"How long each job waits for another writer to release the data folder (default: the config's lock_timeout)."`
	Listen      string         `help:"Serve /healthz and /metrics on this address, such as 127.0.0.1:9108 (default: the config's schedule.listen)."`
}

// exec runs until SIGTERM or SIGINT, then exits 0 once the running job has
// stopped; job failures are logged and counted in /metrics, not fatal.
func (s *scheduleCmd) exec(ctx context.Context, g *globals, log *slog.Logger, stderr io.Writer) int {
	cfg, err := g.load(s.LockTimeout)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitUsage
	}
	if s.Listen != "" {
		cfg.Schedule.Listen = s.Listen
	}
	err = schedule.Schedule(ctx, cfg, log)
	if errors.Is(err, schedule.ErrNothingScheduled) {
		fmt.Fprintf(stderr, "heiststat: config: %v\n", err)
		return exitUsage
	}
	if err != nil {
		log.Error("scheduler failed", "error", err.Error())
		return exitFailed
	}
	return exitOK
}

type runsCmd struct {
	Limit int `short:"n" help:"Show this many runs." default:"20"`
}

func (r *runsCmd) exec(ctx context.Context, g *globals, stdout, stderr io.Writer) int {
	cfg, err := g.load(nil)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitUsage
	}
	runs, err := pipeline.Runs(ctx, cfg, r.Limit)
	if errors.Is(err, landing.ErrLocked) {
		fmt.Fprintf(stderr, "heiststat: a run is writing the warehouse; try again when it ends (%v)\n", err)
		return exitLocked
	}
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitFailed
	}
	if len(runs) == 0 {
		fmt.Fprintf(stdout, "No runs recorded in %s yet.\n", cfg.DataDir)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN ID\tSTARTED (UTC)\tDURATION\tSTATUS\tRELEASE\tROWS\tERROR")
	for _, run := range runs {
		dur, rows := "-", "-"
		if !run.FinishedAt.IsZero() {
			dur = run.Duration.Round(time.Millisecond).String()
		}
		if run.Published {
			rows = fmt.Sprint(run.Rows)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", run.RunID, run.StartedAt.Format(time.DateTime), dur, run.Status,
			orDash(run.Release), rows, firstLine(run.Error))
	}
	tw.Flush()
	return exitOK
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i] + " ..."
		}
	}
	return s
}
