package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"time"

	"github.com/heiststat/heiststat/sources"
)

// FetchOptions select what Fetch fetches.
type FetchOptions struct {
	// Sources names the sources to fetch; empty means every source.
	Sources []string
}

// Fetch fetches sources and lands their bytes, without building or
// publishing, holding the data folder lock. Embedded sources have nothing to
// fetch and are left out. A failed source is reported in its result
// (FetchErr, no snapshot) and in the returned error; nothing falls back.
func Fetch(ctx context.Context, cfg *Config, log *slog.Logger, opts FetchOptions) ([]Extracted, error) {
	srcs, err := sources.New(cfg.SourceSpecs())
	if err != nil {
		return nil, err
	}
	for _, name := range opts.Sources {
		if !slices.ContainsFunc(srcs, func(s sources.Source) bool { return s.Name() == name }) {
			return nil, fmt.Errorf("no source named %q in the configuration", name)
		}
	}
	unlock, err := lockDataDir(ctx, log, cfg.DataDir, cfg.LockTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()

	land := &Landing{Root: filepath.Join(cfg.DataDir, "landing")}
	hc := sources.NewHTTPClient(cfg.HTTP.Timeout, cfg.HTTP.ConnectTimeout)
	now := func() time.Time { return time.Now().UTC() }
	var out []Extracted
	var errs []error
	for _, src := range srcs {
		if src.Location() == sources.Embedded || (len(opts.Sources) > 0 && !slices.Contains(opts.Sources, src.Name())) {
			continue
		}
		flog := log.With("stage", "fetch", "source", src.Name())
		e := Extracted{Source: src}
		if e.Snapshot, e.FetchErr = fetchLive(ctx, flog, land, src, hc, now); e.FetchErr != nil {
			flog.Warn("fetch failed", "error", e.FetchErr.Error())
			errs = append(errs, fmt.Errorf("%s: %w", src.Name(), e.FetchErr))
		} else {
			e.Freshness = Live
		}
		out = append(out, e)
	}
	return out, errors.Join(errs...)
}
