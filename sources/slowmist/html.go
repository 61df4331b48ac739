package slowmist

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// HTML is SlowMist Hacked as its site serves it: HTML pages
// GET {location}/?c=&page=N (location https://hacked.slowmist.io), 20 events
// a page, newest first, read to the last page its pager names. Each page
// lands as fetched (archive only) beside events.jsonl, the events parsed
// from them one JSON object a line (format slowmist_html), which
// raw_slowmist_html maps onto the export's columns. The site turns away
// non-browser clients, so this source alone sends fetch.BrowserUserAgent; keep its
// host at a low rate (configs/default.yaml).
//
// With options.incremental, paging stops after the first page whose events
// are all in the last good snapshot, and that snapshot's other events are
// carried over: an hourly run reads a page or two instead of about 106.
// Every options.full_refresh (default 7 days) all pages are read again, so
// older events edited upstream are picked up; refresh.json records when.
type HTML struct {
	feed.Base
	opts htmlOptions
	now  func() time.Time
}

type htmlOptions struct {
	Incremental bool          `yaml:"incremental"`
	FullRefresh time.Duration `yaml:"full_refresh"`
}

// NewHTML builds a slowmist_html source.
func NewHTML(s feed.Spec) (feed.Source, error) {
	o := htmlOptions{FullRefresh: 7 * 24 * time.Hour}
	b, err := feed.Located(s, &o)
	if err != nil {
		return nil, err
	}
	if o.FullRefresh <= 0 {
		return nil, fmt.Errorf("options.full_refresh must be positive")
	}
	return &HTML{b, o, time.Now}, nil
}

// refreshState is refresh.json: when every page was last read.
type refreshState struct {
	FullRefreshAt time.Time `json:"full_refresh_at"`
}

func (s *HTML) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	now := s.now().UTC().Truncate(time.Second)
	prev, refresh, ok := s.previous(ctx)
	full := !s.opts.Incremental || !ok || now.Sub(refresh.FullRefreshAt) >= s.opts.FullRefresh
	if full {
		prev, refresh = nil, refreshState{FullRefreshAt: now}
	}
	left := map[Event]int{} // previous events not yet seen on a fetched page
	for _, e := range prev {
		left[e]++
	}
	var events []Event
	hdr := http.Header{"User-Agent": {fetch.BrowserUserAgent}, "Accept": {"text/html"}}
	files, err := fetch.Pages(ctx, func(ctx context.Context, page int) ([]byte, error) {
		return fetch.GetBody(ctx, hc, fmt.Sprintf("%s/?c=&page=%d", fetch.BaseURL(s.Location()), page), hdr)
	}, func(page int, b []byte) ([]feed.File, int, bool, error) {
		evs, last, err := ParsePage(b, page)
		if err != nil {
			return nil, 0, false, err
		}
		known := !full
		for _, e := range evs {
			if left[e] > 0 {
				left[e]--
			} else {
				known = false
			}
		}
		events = append(events, evs...)
		return []feed.File{{Name: fetch.PageName(page, ".html"), Data: b}}, last, known, nil
	})
	if err != nil {
		return nil, err
	}
	for _, e := range prev { // carried over, in their order, those not fetched again
		if left[e] > 0 {
			left[e]--
			events = append(events, e)
		}
	}
	lines, err := feed.JSONLines(events)
	if err != nil {
		return nil, err
	}
	state, err := json.Marshal(refresh)
	if err != nil {
		return nil, err
	}
	return append(files, feed.File{Name: "events.jsonl", Format: "slowmist_html", Data: lines}, feed.File{Name: "refresh.json", Data: state}), nil
}

// previous reads the events and refresh time of the last good snapshot.
func (s *HTML) previous(ctx context.Context) ([]Event, refreshState, bool) {
	var refresh refreshState
	b, ok := fetch.PreviousFile(ctx, "refresh.json")
	if !ok || json.Unmarshal(b, &refresh) != nil {
		return nil, refresh, false
	}
	b, ok = fetch.PreviousFile(ctx, "events.jsonl")
	if !ok {
		return nil, refresh, false
	}
	var events []Event
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var e Event
		if dec.Decode(&e) != nil {
			return nil, refresh, false
		}
		events = append(events, e)
	}
	return events, refresh, true
}

// Event is one event block of a SlowMist Hacked page, its texts as
// shown (entities decoded, white space collapsed).
type Event struct {
	Date         string `json:"date"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Amount       string `json:"amount"`
	AttackMethod string `json:"attack_method"`
	Reference    string `json:"reference"`
}

// labels are the labels (<em>) of an event's fields.
var labels = []struct {
	label string
	field func(*Event) *string
}{
	{"Hacked target:", func(e *Event) *string { return &e.Name }},
	{"Description of the event:", func(e *Event) *string { return &e.Description }},
	{"Amount of loss:", func(e *Event) *string { return &e.Amount }},
	{"Attack method:", func(e *Event) *string { return &e.AttackMethod }},
}

// ParsePage reads the events and the page count ("Page N of M") of
// page n. A page without the event list or the pager (a challenge or error
// page served with status 200), or whose events all lack one of the fields,
// fails, naming what is missing; one odd event is kept for staging to
// quarantine.
func ParsePage(b []byte, n int) ([]Event, int, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, 0, fmt.Errorf("not an HTML page: %w", err)
	}
	title := collapse(doc.Find("title").First().Text())
	items := doc.Find("div.case-content > ul > li")
	var page, last int
	doc.Find("ul.pagination a").EachWithBreak(func(_ int, a *goquery.Selection) bool {
		_, err := fmt.Sscanf(collapse(a.Text()), "Page %d of %d", &page, &last)
		return err != nil
	})
	switch {
	case items.Length() == 0 && last == 0:
		return nil, 0, fmt.Errorf("no event list (div.case-content) and no pager: not a SlowMist Hacked page (title %q), a bot challenge or error page?", title)
	case last == 0:
		return nil, 0, fmt.Errorf(`no pager ("Page N of M" in ul.pagination): the page layout changed?`)
	case page != n:
		return nil, 0, fmt.Errorf("the pager says page %d", page)
	case items.Length() == 0:
		return nil, 0, fmt.Errorf("no events (div.case-content > ul > li) on page %d of %d", n, last)
	}
	events := make([]Event, 0, items.Length())
	items.Each(func(_ int, li *goquery.Selection) {
		e := Event{Date: collapse(li.Find("span.time").First().Text())}
		li.Find("em").Each(func(_ int, em *goquery.Selection) {
			label := collapse(em.Text())
			for _, l := range labels {
				if label == l.label {
					*l.field(&e) = collapse(strings.TrimPrefix(em.Parent().Text(), em.Text()))
				}
			}
		})
		e.Reference, _ = li.Find("p.link-reference a").First().Attr("href")
		e.Reference = strings.TrimSpace(e.Reference)
		events = append(events, e)
	})
	fields := append([]struct {
		label string
		field func(*Event) *string
	}{{"time", func(e *Event) *string { return &e.Date }}}, labels...)
	for _, f := range fields {
		found := false
		for i := range events {
			found = found || *f.field(&events[i]) != ""
		}
		if !found {
			return nil, 0, fmt.Errorf("field %q is missing in all %d events (the page layout changed?)", f.label, len(events))
		}
	}
	return events, last, nil
}

// collapse trims s and turns each run of white space into one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
