package landing

import (
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heiststat/heiststat/sources/fetch"
	"github.com/schollz/progressbar/v3"
)

// Progress draws one bar over the sources being fetched, with the
// requests and bytes the HTTP layer has done so far (pages of a backfill
// count as requests) and the assets the demand-driven price feeds price. It is only created for a terminal; elsewhere each
// source logs one line per stage instead.
type Progress struct {
	bar    *progressbar.ProgressBar
	counts *fetch.Progress
	assets atomic.Int64
	// files and fileBytes count what file sources read: they make no requests.
	files, fileBytes atomic.Int64
	stop             chan struct{}
}

func NewProgress(w io.Writer, sourcesToFetch int) *Progress {
	if w == nil || sourcesToFetch == 0 {
		return nil
	}
	p := &Progress{
		bar: progressbar.NewOptions(sourcesToFetch, progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("fetching"), progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(20), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond)),
		counts: &fetch.Progress{},
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
				desc := fmt.Sprintf("fetching: %d requests, %.1f MB", p.counts.Requests.Load(), float64(p.counts.Bytes.Load())/1e6)
				if n := p.files.Load(); n > 0 {
					desc += fmt.Sprintf("; %d files, %.1f MB read", n, float64(p.fileBytes.Load())/1e6)
				}
				if n := p.assets.Load(); n > 0 {
					desc += fmt.Sprintf(", %d assets to price", n)
				}
				p.bar.Describe(desc)
			}
		}
	}()
	return p
}

// HTTPCounts is what the HTTP client counts into (nil without a bar).
func (p *Progress) HTTPCounts() *fetch.Progress {
	if p == nil {
		return nil
	}
	return p.counts
}

// Pricing shows how many assets the demand-driven price feeds will price.
func (p *Progress) Pricing(assets int) {
	if p != nil {
		p.assets.Store(int64(assets))
	}
}

func (p *Progress) Done(e Extracted) {
	if p == nil {
		return
	}
	if e.Snapshot != nil && !strings.Contains(e.Source.Location(), "://") {
		p.files.Add(int64(len(e.Snapshot.Files)))
		p.fileBytes.Add(e.Snapshot.Bytes())
	}
	_ = p.bar.Add(1)
}

func (p *Progress) Finish() {
	if p != nil {
		close(p.stop)
		_ = p.bar.Finish()
	}
}
