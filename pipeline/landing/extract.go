package landing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
	"golang.org/x/sync/errgroup"
)

// Freshness says where the data a source contributed to a run came from.
type Freshness string

const (
	Live     Freshness = "live"     // fetched during this run
	Archived Freshness = "archived" // the latest good snapshot in the landing zone
	Bundled  Freshness = "bundled"  // facts embedded in the binary
	Missing  Freshness = "missing"  // nothing available
)

// Failed is the outcome of a fetch-only run (heiststat fetch) whose fetch
// failed: nothing landed, and no fallback was looked for.
const Failed Freshness = "failed"

// Extracted is the outcome of the extract stage for one source.
type Extracted struct {
	Source    feed.Source
	Snapshot  *Snapshot // nil when Missing or Failed
	Freshness Freshness
	// FetchErr is why the live fetch failed (nil when live or offline); API
	// keys are redacted from it.
	FetchErr error
	// NotModified means the feed answered 304: live, verified unchanged, and
	// the archived bytes were reused.
	NotModified bool
	// Unchanged means a live fetch gave exactly the bytes of the previous good
	// snapshot (always so when NotModified), so a reload can be skipped.
	Unchanged bool
	// Retries counts HTTP attempts repeated after a failure.
	Retries int64
}

// Options are the knobs of the extract stage.
type Options struct {
	Offline bool
	// NoFallback is for fetch-only runs: a failed fetch is reported, not replaced.
	NoFallback bool
	Now        func() time.Time
	Progress   *Progress
	// Fetched holds outcomes of earlier fetches in this job (the scheduler
	// fetches on each source's own schedule), used instead of fetching again.
	Fetched map[string]Extracted
}

// Extract fetches every source concurrently and lands what it gets. A failing
// source does not stop the others: it falls back to its latest good archived
// snapshot, then to its bundled facts, and the run reports itself degraded.
func Extract(ctx context.Context, log *slog.Logger, land *Landing, srcs []feed.Source, hc *http.Client, o Options) []Extracted {
	out := make([]Extracted, len(srcs))
	var g errgroup.Group
	g.SetLimit(4)
	for i, src := range srcs {
		g.Go(func() error {
			out[i] = extractOne(ctx, log, land, src, hc, o)
			if src.Location() != feed.Embedded {
				o.Progress.Done(out[i])
			}
			return nil
		})
	}
	_ = g.Wait() // extractOne reports failures in its result, never as an error
	return out
}

func extractOne(ctx context.Context, log *slog.Logger, land *Landing, src feed.Source, hc *http.Client, o Options) Extracted {
	log = log.With("stage", "extract", "source", src.Name())
	start := time.Now()
	res := Extracted{Source: src}
	embedded := src.Location() == feed.Embedded
	pre, hasPre := o.Fetched[src.Name()]
	if hasPre && pre.Freshness == Live {
		log.Info("fetched earlier", "freshness", Live, "fetched_at", pre.Snapshot.FetchedAt.Format(time.RFC3339), "bytes", pre.Snapshot.Bytes())
		return pre
	}
	if hasPre {
		res.FetchErr = pre.FetchErr
	}
	var (
		prev  *Snapshot
		noPrv error = ErrNoArchive
	)
	if !embedded {
		var notes []string
		prev, notes, noPrv = land.Latest(src.Name())
		for _, n := range notes {
			log.Warn(n)
		}
	}
	if !embedded && !o.Offline && !hasPre {
		ex := &fetch.Exchange{Archived: land.archivedBody(src.Name())}
		if prev != nil {
			ex.Previous = map[string]fetch.Response{}
			for _, r := range prev.Responses {
				ex.Previous[r.URL] = r
			}
			ex.PreviousFiles = map[string]string{}
			for _, f := range prev.Files {
				ex.PreviousFiles[f.Name] = f.SHA256
			}
			known := land.reusable(prev)
			ex.Unchanged = func(st fetch.FileStat) (string, bool) {
				sum, ok := known[st]
				return sum, ok
			}
		}
		files, err := src.Fetch(fetch.WithExchange(ctx, ex), hc)
		if err == nil {
			res.Snapshot, err = land.Store(src, files, ex, prev, o.Now(), true)
		}
		res.Retries = ex.Retries()
		if err == nil {
			res.Freshness, res.NotModified = Live, res.Snapshot.NotModified
			res.Unchanged = prev != nil && sameFiles(prev, res.Snapshot)
			recordAttempt(log, land, src, Attempt{At: res.Snapshot.FetchedAt, OK: true, NotModified: res.NotModified})
			log.Info("fetched", "freshness", Live, "not_modified", res.NotModified, "unchanged", res.Unchanged,
				"files", len(res.Snapshot.Files), "bytes", res.Snapshot.Bytes(), "retries", res.Retries,
				"duration_ms", time.Since(start).Milliseconds())
			return res
		}
		// Naming the source makes a drifted field traceable from the manifest alone.
		res.FetchErr = fetch.RedactError(fmt.Errorf("source %s: %w", src.Name(), err))
		recordAttempt(log, land, src, Attempt{At: o.Now(), Error: res.FetchErr.Error()})
	}
	if o.NoFallback {
		res.Freshness = Failed
		if res.FetchErr != nil {
			log.Warn("fetch failed", "freshness", Failed, "retries", res.Retries, "fetch_error", res.FetchErr.Error())
		}
		return res
	}
	err := noPrv
	if prev != nil {
		res.Snapshot, res.Freshness = prev, Archived
	}
	if res.Snapshot == nil && (embedded || errors.Is(err, ErrNoArchive)) {
		if b, ok := src.(feed.Bundler); ok {
			res.Snapshot, err = land.Store(src, b.Bundled(), nil, nil, o.Now(), false)
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
		attrs = append(attrs, "retries", res.Retries, "fetch_error", res.FetchErr.Error())
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

// sameFiles reports whether two snapshots hold the same bytes under the same names.
func sameFiles(a, b *Snapshot) bool {
	return slices.EqualFunc(a.Files, b.Files, func(x, y LandedFile) bool {
		return x.Name == y.Name && x.Format == y.Format && x.SHA256 == y.SHA256
	})
}

// recordAttempt keeps the outcome for `heiststat sources`; failing to write
// it only costs that listing, so it is logged, not fatal.
func recordAttempt(log *slog.Logger, land *Landing, src feed.Source, a Attempt) {
	if err := land.recordAttempt(src.Name(), a); err != nil {
		log.Warn("could not record the fetch attempt", "error", err.Error())
	}
}
