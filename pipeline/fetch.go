package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"slices"
	"time"

	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/sources"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// FetchOptions adjust a fetch-only run.
type FetchOptions struct {
	// Sources are the names to fetch; empty means every configured source.
	Sources []string
	// Progress, when set (a terminal), shows a progress bar there.
	Progress io.Writer
	// Now is the clock (UTC); tests may pin it.
	Now func() time.Time
}

// Fetch fetches and archives sources without building or publishing
// anything. A failing source is reported with freshness landing.Failed and leaves
// its archive as it was; the others still land. It returns an error only
// when nothing could be attempted (lock busy, unknown source name).
func Fetch(ctx context.Context, cfg *Config, log *slog.Logger, opts FetchOptions) ([]landing.Extracted, error) {
	now := opts.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	all, err := sources.New(cfg.SourceSpecs())
	if err != nil {
		return nil, err
	}
	// An embedded dataset has nothing to fetch.
	srcs := slices.DeleteFunc(slices.Clone(all), func(s feed.Source) bool { return s.Location() == feed.Embedded })
	if len(opts.Sources) > 0 {
		var picked []feed.Source
		for _, name := range opts.Sources {
			i := slices.IndexFunc(srcs, func(s feed.Source) bool { return s.Name() == name })
			if i < 0 {
				return nil, fmt.Errorf("%w %q (fetchable: %v)", ErrUnknownSource, name, sourceNames(srcs))
			}
			picked = append(picked, srcs[i])
		}
		srcs = picked
	}
	log = log.With("run_id", "fetch-"+now().Format("20060102T150405.000Z"))
	unlock, err := landing.LockDataDir(ctx, log, cfg.DataDir, cfg.LockTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	land := &landing.Landing{Root: filepath.Join(cfg.DataDir, "landing")}
	hc, prog := fetchClient(cfg, log, opts.Progress, srcs)
	defer prog.Finish()
	return extractWithDemand(ctx, log, land, srcs, all, hc, cfg, landing.Options{NoFallback: true, Now: now, Progress: prog})
}

// ErrUnknownSource means a source name given on the command line is not configured.
var ErrUnknownSource = fmt.Errorf("unknown source")

func sourceNames(srcs []feed.Source) []string {
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.Name()
	}
	return names
}

// fetchClient builds the shared HTTP client and, on a terminal, a progress
// bar over the sources that will be fetched.
func fetchClient(cfg *Config, log *slog.Logger, progress io.Writer, srcs []feed.Source) (*http.Client, *landing.Progress) {
	n := 0
	for _, s := range srcs {
		if s.Location() != feed.Embedded {
			n++
		}
	}
	prog := landing.NewProgress(progress, n)
	o := cfg.HTTP.options()
	o.Log, o.Progress = log, prog.HTTPCounts()
	return fetch.NewClient(o), prog
}

// fetchAndLand fetches every source (none offline), lands what it gets and
// falls back where a fetch fails; the price feeds fetch what the incidents
// need (demand.go).
func fetchAndLand(ctx context.Context, cfg *Config, log *slog.Logger, land *landing.Landing, opts Options, now func() time.Time) ([]landing.Extracted, error) {
	srcs, err := sources.New(cfg.SourceSpecs())
	if err != nil {
		return nil, err
	}
	var progress io.Writer
	if !opts.Offline {
		progress = opts.Progress
	}
	hc, prog := fetchClient(cfg, log, progress, srcs)
	// The fetched bytes hold no pointers: collecting more often costs little
	// and keeps the heap near their size instead of twice it.
	gc := debug.SetGCPercent(25)
	extracted, err := extractWithDemand(ctx, log, land, srcs, srcs, hc, cfg, landing.Options{Offline: opts.Offline, Now: now, Progress: prog, Fetched: opts.Fetched})
	prog.Finish()
	debug.SetGCPercent(gc)
	// The landed bytes are no longer referenced: give the heap back before
	// DuckDB takes its share, so the two peaks do not add up.
	debug.FreeOSMemory()
	return extracted, err
}
