package landing

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Replace marks a source's unloadable snapshot unusable, with the reason,
// and replaces it by its latest good archived one (the mark makes Latest
// skip it), else its bundled facts, else nothing.
func (land *Landing) Replace(log *slog.Logger, bad Extracted, reason string, now func() time.Time) (Extracted, error) {
	if err := land.MarkUnusable(bad.Snapshot, reason, now()); err != nil {
		return bad, fmt.Errorf("marking the snapshot unusable: %w", err)
	}
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
	return res, nil
}
