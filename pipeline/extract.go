package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/heiststat/heiststat/sources"
)

// Freshness says where the data a source contributed to a run came from.
type Freshness string

const (
	Live     Freshness = "live"     // fetched during this run
	Archived Freshness = "archived" // the latest good snapshot in the landing zone
	Bundled  Freshness = "bundled"  // facts embedded in the binary
	Missing  Freshness = "missing"  // nothing available
)

// Extracted is the outcome of the extract stage for one source.
type Extracted struct {
	Source    sources.Source
	Snapshot  *Snapshot // nil when Missing
	Freshness Freshness
	// FetchErr is why the live fetch failed (nil when live or offline).
	FetchErr error
}

// extract fetches every source concurrently and lands what it gets. A failing
// source does not stop the others: it falls back to its latest good archived
// snapshot, then to its bundled facts, and the run reports itself degraded.
func extract(ctx context.Context, log *slog.Logger, land *Landing, srcs []sources.Source, hc *http.Client, opts Options, now func() time.Time) []Extracted {
	out := make([]Extracted, len(srcs))
	var g errgroup.Group
	g.SetLimit(4)
	for i, src := range srcs {
		g.Go(func() error {
			var pre *Extracted
			if e, ok := opts.Fetched[src.Name()]; ok {
				pre = &e
			}
			out[i] = extractOne(ctx, log, land, src, hc, opts.Offline, pre, now)
			return nil
		})
	}
	_ = g.Wait() // extractOne reports failures in its result, never as an error
	return out
}

// pre, when not nil, is the outcome of an earlier fetch of src, used instead of fetching.
func extractOne(ctx context.Context, log *slog.Logger, land *Landing, src sources.Source, hc *http.Client, offline bool, pre *Extracted, now func() time.Time) Extracted {
	log = log.With("stage", "extract", "source", src.Name())
	res := Extracted{Source: src}
	embedded := src.Location() == sources.Embedded
	switch {
	case pre != nil && pre.Freshness == Live:
		log.Info("fetched earlier", "freshness", Live, "fetched_at", pre.Snapshot.FetchedAt.Format(time.RFC3339), "bytes", pre.Snapshot.Bytes())
		return *pre
	case pre != nil:
		res.FetchErr = pre.FetchErr
	case !embedded && !offline:
		snap, err := fetchLive(ctx, log, land, src, hc, now)
		if err == nil {
			res.Snapshot, res.Freshness = snap, Live
			return res
		}
		res.FetchErr = err
	}
	var err error
	if !embedded {
		var notes []string
		res.Snapshot, notes, err = land.Latest(src.Name())
		for _, n := range notes {
			log.Warn(n)
		}
		if err == nil {
			res.Freshness = Archived
		}
	}
	if res.Snapshot == nil && (embedded || errors.Is(err, ErrNoArchive)) {
		if b, ok := src.(sources.Bundler); ok {
			res.Snapshot, err = land.Store(src, b.Bundled(), now(), false)
			if err == nil {
				res.Freshness = Bundled
			}
		}
	}
	if res.Snapshot == nil {
		res.Freshness = Missing
	}
	attrs := []any{"freshness", res.Freshness}
	if res.Snapshot != nil {
		attrs = append(attrs, "bytes", res.Snapshot.Bytes())
	}
	if res.Freshness == Archived {
		attrs = append(attrs, "archived_at", res.Snapshot.FetchedAt.Format(time.RFC3339))
	}
	if res.FetchErr != nil {
		attrs = append(attrs, "fetch_error", res.FetchErr.Error())
	}
	if err != nil && !errors.Is(err, ErrNoArchive) {
		attrs = append(attrs, "error", err.Error())
	}
	if embedded && res.Freshness == Bundled {
		log.Info("read embedded dataset", attrs...)
	} else {
		log.Warn("using fallback", attrs...)
	}
	return res
}

// fetchLive fetches a source and lands its bytes.
func fetchLive(ctx context.Context, log *slog.Logger, land *Landing, src sources.Source, hc *http.Client, now func() time.Time) (*Snapshot, error) {
	start := time.Now()
	files, err := src.Fetch(ctx, hc)
	if err != nil {
		return nil, err
	}
	snap, changed, err := land.storeFetch(src, files, now())
	if err != nil {
		return nil, err
	}
	log.Info("fetched", "freshness", Live, "changed", changed, "files", len(snap.Files), "bytes", snap.Bytes(), "duration_ms", time.Since(start).Milliseconds())
	return snap, nil
}
