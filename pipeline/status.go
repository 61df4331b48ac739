package pipeline

import (
	"errors"
	"path/filepath"
	"time"

	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/sources"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// SourceState is what the archive knows about one configured source
// (`heiststat sources`).
type SourceState struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Location string `json:"location"`
	// Freshness is live when the latest fetch succeeded, archived when it
	// failed (or none is recorded) but a good snapshot exists, bundled for an
	// embedded dataset, missing when there is no good snapshot.
	Freshness landing.Freshness `json:"freshness"`
	// LastSuccess is the fetch time of the latest good snapshot.
	LastSuccess *time.Time `json:"last_success,omitempty"`
	// Bytes is the size of that snapshot's files.
	Bytes       int64      `json:"bytes"`
	NotModified bool       `json:"not_modified,omitempty"`
	LastAttempt *time.Time `json:"last_attempt,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	// Skipped describes corrupt or incomplete snapshots passed over.
	Skipped []string `json:"skipped,omitempty"`
	// Unusable lists the snapshots a run could not load, with the reason.
	Unusable []landing.Unusable `json:"unusable,omitempty"`
}

// Sources reports each configured source's archive state without fetching
// and without the lock (it only reads).
func Sources(cfg *Config) ([]SourceState, error) {
	srcs, err := sources.New(cfg.SourceSpecs())
	if err != nil {
		return nil, err
	}
	land := &landing.Landing{Root: filepath.Join(cfg.DataDir, "landing")}
	out := make([]SourceState, 0, len(srcs))
	for _, src := range srcs {
		st := SourceState{Name: src.Name(), Type: src.Type(), Location: fetch.Redact(src.Location()), Freshness: landing.Missing}
		if src.Location() == feed.Embedded {
			st.Freshness = landing.Bundled
			out = append(out, st)
			continue
		}
		snap, notes, err := land.Latest(src.Name())
		if err != nil && !errors.Is(err, landing.ErrNoArchive) {
			return nil, err
		}
		st.Skipped = notes
		if st.Unusable, err = land.Unusable(src.Name()); err != nil {
			return nil, err
		}
		if snap != nil {
			st.LastSuccess, st.Bytes, st.NotModified, st.Freshness = &snap.FetchedAt, snap.Bytes(), snap.NotModified, landing.Archived
		}
		a, err := land.LastAttempt(src.Name())
		if err != nil {
			return nil, err
		}
		if a != nil {
			st.LastAttempt, st.LastError = &a.At, a.Error
			// Live only when the latest fetch is the snapshot runs use: a
			// fetch marked unusable since leaves an older one in use.
			if a.OK && snap != nil && snap.FetchedAt.Equal(a.At) {
				st.Freshness = landing.Live
			}
		}
		out = append(out, st)
	}
	return out, nil
}
