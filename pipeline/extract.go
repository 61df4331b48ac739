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
func extract(ctx context.Context, log *slog.Logger, land *Landing, srcs []sources.Source, hc *http.Client, offline bool, now func() time.Time) []Extracted {
	out := make([]Extracted, len(srcs))
	var g errgroup.Group
	g.SetLimit(4)
	for i, src := range srcs {
		g.Go(func() error {
			out[i] = extractOne(ctx, log, land, src, hc, offline, now)
			return nil
		})
	}
	_ = g.Wait() // extractOne reports failures in its result, never as an error
	return out
}

func extractOne(ctx context.Context, log *slog.Logger, land *Landing, src sources.Source, hc *http.Client, offline bool, now func() time.Time) Extracted {
	log = log.With("stage", "extract", "source", src.Name())
	start := time.Now()
	res := Extracted{Source: src}
	embedded := src.Location() == sources.Embedded
	if !embedded && !offline {
		files, err := src.Fetch(ctx, hc)
		if err == nil {
			res.Snapshot, err = land.Store(src, files, now(), true)
		}
		if err == nil {
			res.Freshness = Live
			log.Info("fetched", "freshness", Live, "files", len(res.Snapshot.Files), "bytes", res.Snapshot.Bytes(), "duration_ms", time.Since(start).Milliseconds())
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
