package pipeline

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/heiststat/heiststat/sources"
)

// fetchProgress draws one bar over the sources being fetched, with the
// requests and bytes the HTTP layer has done so far (pages of a backfill
// count as requests). It is only created for a terminal; elsewhere each
// source logs one line per stage instead.
type fetchProgress struct {
	bar    *progressbar.ProgressBar
	counts *sources.Progress
	stop   chan struct{}
}

func newFetchProgress(w io.Writer, sourcesToFetch int) *fetchProgress {
	if w == nil || sourcesToFetch == 0 {
		return nil
	}
	p := &fetchProgress{
		bar: progressbar.NewOptions(sourcesToFetch, progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("fetching"), progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(20), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond)),
		counts: &sources.Progress{},
		stop:   make(chan struct{}),
	}
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.bar.Describe(fmt.Sprintf("fetching: %d requests, %.1f MB", p.counts.Requests.Load(), float64(p.counts.Bytes.Load())/1e6))
			}
		}
	}()
	return p
}

// httpCounts is what the HTTP client counts into (nil without a bar).
func (p *fetchProgress) httpCounts() *sources.Progress {
	if p == nil {
		return nil
	}
	return p.counts
}

func (p *fetchProgress) done() {
	if p != nil {
		_ = p.bar.Add(1)
	}
}

func (p *fetchProgress) finish() {
	if p != nil {
		close(p.stop)
		_ = p.bar.Finish()
	}
}
