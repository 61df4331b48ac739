package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
	_ "time/tzdata" // CRON_TZ= zones work on hosts without a zoneinfo database

	"github.com/heiststat/heiststat/pipeline"
	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
	"github.com/heiststat/heiststat/sources/feed"

	"github.com/robfig/cron/v3"
)

// ErrNothingScheduled means the configuration has no schedule at all.
var ErrNothingScheduled = errors.New("nothing to schedule: set schedule.build and/or a schedule on sources")

// Schedule runs the fetch and build jobs on their cron schedules until ctx
// ends (SIGTERM or SIGINT in the CLI). Then it starts nothing new, aborts the
// running job through its context (a publish either completes or leaves
// current as it was) and returns nil.
func Schedule(ctx context.Context, cfg *pipeline.Config, log *slog.Logger) error {
	var names []string
	for _, s := range cfg.Sources {
		names = append(names, s.Name)
	}
	s := &scheduler{cfg: cfg, log: log, metrics: newMetrics(names), fetched: map[string]landing.Extracted{}}
	cl := cronLogger{log.With("stage", "schedule")}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithParser(pipeline.CronParser), cron.WithLogger(cl),
		// Skip before Recover: the other order skips a job forever after one panic (robfig/cron#366).
		cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)))
	jobs := map[cron.EntryID]string{}
	for _, src := range cfg.Sources {
		if src.Schedule == "" {
			continue
		}
		id, err := c.AddFunc(src.Schedule, func() { s.fetchJob(ctx, src.Name) })
		if err != nil {
			return err
		}
		jobs[id] = "fetch " + src.Name
	}
	if cfg.Schedule.Build != "" {
		id, err := c.AddFunc(cfg.Schedule.Build, func() { s.exclusive(ctx, s.build) })
		if err != nil {
			return err
		}
		jobs[id] = "build"
	}
	if len(jobs) == 0 {
		return ErrNothingScheduled
	}
	if cfg.Schedule.Listen != "" {
		ln, err := net.Listen("tcp", cfg.Schedule.Listen)
		if err != nil {
			return fmt.Errorf("schedule.listen: %w", err)
		}
		srv := &http.Server{Handler: s.metrics.handler(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		log.Info("serving /healthz and /metrics", "stage", "schedule", "address", ln.Addr().String())
	}

	c.Start()
	for _, e := range c.Entries() {
		log.Info("scheduled", "stage", "schedule", "job", jobs[e.ID], "next", e.Next.UTC().Format(time.RFC3339))
	}
	<-ctx.Done()
	log.Info("stopping: no new jobs; a running job is aborted without publishing", "stage", "schedule")
	<-c.Stop().Done()
	log.Info("stopped", "stage", "schedule")
	return nil
}

type scheduler struct {
	cfg     *pipeline.Config
	log     *slog.Logger
	metrics *metrics
	// mu runs one job at a time in this process; the data folder lock keeps
	// other processes out.
	mu sync.Mutex

	fetchedMu sync.Mutex
	fetched   map[string]landing.Extracted // the latest outcome of each scheduled fetch
}

func (s *scheduler) exclusive(ctx context.Context, job func(context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx.Err() == nil {
		job(ctx)
	}
}

func (s *scheduler) fetchJob(ctx context.Context, name string) {
	s.exclusive(ctx, func(ctx context.Context) {
		start := time.Now()
		res, err := pipeline.Fetch(ctx, s.cfg, s.log, pipeline.FetchOptions{Sources: []string{name}})
		s.fetchedMu.Lock()
		for _, e := range res {
			s.metrics.fetched(e, time.Now())
			s.fetched[e.Source.Name()] = e
		}
		s.fetchedMu.Unlock()
		status := jobStatus(ctx, err)
		if err == nil && slices.ContainsFunc(res, func(e landing.Extracted) bool { return e.Freshness == landing.Failed }) {
			status = string(warehouse.StatusFailed)
		}
		s.metrics.job("fetch", status, time.Since(start))
		s.log.Info("job finished", "stage", "schedule", "job", "fetch", "source", name, "status", status, "duration_ms", time.Since(start).Milliseconds())
		if s.cfg.Schedule.Build == "" && !errors.Is(err, landing.ErrLocked) && ctx.Err() == nil {
			s.build(ctx)
		}
	})
}

func (s *scheduler) build(ctx context.Context) {
	start := time.Now()
	s.fetchedMu.Lock()
	fetched := maps.Clone(s.fetched)
	s.fetchedMu.Unlock()
	res, err := pipeline.Run(ctx, s.cfg, s.log, pipeline.Options{Fetched: fetched})
	status := jobStatus(ctx, err)
	if err == nil {
		status = string(res.Status)
		if res.Unchanged {
			status = string(warehouse.StatusUnchanged)
		}
		s.metrics.built(res, time.Now())
		for _, e := range res.Sources {
			if _, earlier := fetched[e.Source.Name()]; !earlier && e.Source.Location() != feed.Embedded {
				s.metrics.fetched(e, time.Now())
			}
		}
	}
	s.metrics.job("build", status, time.Since(start))
	attrs := []any{"stage", "schedule", "job", "build", "status", status, "duration_ms", time.Since(start).Milliseconds()}
	if status == string(warehouse.StatusInterrupted) {
		s.log.Warn("job interrupted: nothing published", attrs...)
		return
	}
	if err != nil {
		s.log.Error("job failed", append(attrs, "error", err.Error())...)
		return
	}
	s.log.Info("job finished", append(attrs, "release", res.Release)...)
}

func jobStatus(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return string(warehouse.StatusOK)
	case ctx.Err() != nil:
		return string(warehouse.StatusInterrupted)
	case errors.Is(err, landing.ErrLocked):
		return "lock_busy"
	default:
		return string(warehouse.StatusFailed)
	}
}

// cronLogger hands cron's messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	// cron reports every wake-up; only a skipped overlapping run matters.
	level := slog.LevelDebug
	if msg == "skip" {
		level, msg = slog.LevelWarn, "previous run of this job still running: skipped"
	}
	l.log.Log(context.Background(), level, msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error(msg, append(kv, "error", err.Error())...)
}
