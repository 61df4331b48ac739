package rektnews

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/net/html"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Leaderboard is the rekt.news leaderboard (https://rekt.news/leaderboard): a
// Next.js page whose <script id="__NEXT_DATA__"> JSON holds the entries at
// props.pageProps.leaderboard, each {date, title, rekt{amount, audit, date},
// tags[], excerpt, slug}. The page is landed as fetched (archive only) and
// the leaderboard array beside it, as it appears in the page, for
// raw_rekt_news.
type Leaderboard struct{ feed.Base }

// NewLeaderboard builds a rekt_news source.
func NewLeaderboard(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &Leaderboard{b}, nil
}

func (r *Leaderboard) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	var page []byte
	if fetch.IsURL(r.Location()) {
		// Not fetch.Get: the feed is an HTML page, which Get refuses as an error page.
		b, err := fetch.GetBody(ctx, hc, r.Location(), nil)
		if err != nil {
			return nil, fetch.RedactError(err)
		}
		page = b
	} else {
		b, err := fetch.ReadOne(ctx, hc, r.Location(), "*.html", "pages")
		if err != nil {
			return nil, err
		}
		page = b.Data
	}
	board, err := Extract(page)
	if err != nil {
		return nil, fmt.Errorf("leaderboard page: %w", err)
	}
	return []feed.File{
		{Name: "leaderboard.html", Data: page},
		{Name: "rekt_news_leaderboard.json", Format: "rekt_news", Data: board},
	}, nil
}

// rektRequired are the fields of an entry staging reads, with their JSON
// kind; rekt holds amount and date. Single odd entries are quarantined in
// staging; a field absent from every entry is a rename upstream.
var required = []struct{ field, kind string }{
	{"date", "string"},
	{"title", "string"},
	{"rekt", "object"},
	{"tags", "array"},
	{"slug", "string"},
}

var inner = []struct{ field, kind string }{
	{"amount", "number"},
	{"date", "string"},
}

// Extract returns the leaderboard array of a rekt.news
// leaderboard page, as written in its __NEXT_DATA__ script, after checking
// the path to it and the fields of its entries; a failure names the field.
func Extract(page []byte) ([]byte, error) {
	data, err := nextData(page)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Props *struct {
			PageProps *struct {
				Leaderboard json.RawMessage `json:"leaderboard"`
			} `json:"pageProps"`
		} `json:"props"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("__NEXT_DATA__ is not JSON: %w", err)
	}
	switch {
	case doc.Props == nil:
		return nil, errors.New(`__NEXT_DATA__ has no field "props"`)
	case doc.Props.PageProps == nil:
		return nil, errors.New(`__NEXT_DATA__ has no field "props.pageProps"`)
	case feed.JSONKind(doc.Props.PageProps.Leaderboard) != "array":
		return nil, errors.New(`__NEXT_DATA__ field "props.pageProps.leaderboard" is missing or not an array`)
	}
	var entries []map[string]json.RawMessage
	if err := json.Unmarshal(doc.Props.PageProps.Leaderboard, &entries); err != nil {
		return nil, fmt.Errorf(`"props.pageProps.leaderboard": %w`, err)
	}
	if len(entries) == 0 {
		return nil, errors.New(`"props.pageProps.leaderboard" is empty: the page lists no entries`)
	}
	for _, req := range required {
		if !anyEntry(entries, req.field, req.kind) {
			return nil, fmt.Errorf("leaderboard field %q is missing or not a %s in all %d entries (renamed upstream?)", req.field, req.kind, len(entries))
		}
	}
	rekts := make([]map[string]json.RawMessage, 0, len(entries))
	for _, e := range entries {
		var m map[string]json.RawMessage
		if json.Unmarshal(e["rekt"], &m) == nil {
			rekts = append(rekts, m)
		}
	}
	for _, req := range inner {
		if !anyEntry(rekts, req.field, req.kind) {
			return nil, fmt.Errorf("leaderboard field \"rekt.%s\" is missing or not a %s in all %d entries (renamed upstream?)", req.field, req.kind, len(entries))
		}
	}
	return bytes.TrimSpace(doc.Props.PageProps.Leaderboard), nil
}

func anyEntry(entries []map[string]json.RawMessage, field, kind string) bool {
	for _, e := range entries {
		if v, ok := e[field]; ok && feed.JSONKind(v) == kind {
			return true
		}
	}
	return false
}

// nextData returns the text of the page's <script id="__NEXT_DATA__">.
func nextData(page []byte) ([]byte, error) {
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return nil, fmt.Errorf("reading the page: %w", err)
			}
			return nil, errors.New(`no <script id="__NEXT_DATA__"> in the page (not a Next.js page any more?)`)
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "script" || !hasAttr || !isNextData(z) {
				continue
			}
			// A script's content is one raw text token.
			if z.Next() != html.TextToken {
				return nil, errors.New(`<script id="__NEXT_DATA__"> is empty`)
			}
			return bytes.Clone(z.Text()), nil
		}
	}
}

func isNextData(z *html.Tokenizer) bool {
	for {
		k, v, more := z.TagAttr()
		if string(k) == "id" && string(v) == "__NEXT_DATA__" {
			return true
		}
		if !more {
			return false
		}
	}
}
