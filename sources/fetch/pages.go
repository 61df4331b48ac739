package fetch

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
)

// MaxPages bounds a paged fetch, so a feed whose page count keeps growing
// (or a server that ignores the page number) cannot loop for ever.
const MaxPages = 1000

// PageName names the landed file of page n: pages sort by name in order.
func PageName(n int, ext string) string {
	return fmt.Sprintf("page_%03d%s", n, ext)
}

// Pages fetches pages 1, 2, ... through the shared client until the
// last page that check reports (from page 1), or a page after which check
// says to stop (an incremental fetch that reached what it has). check
// validates one page and returns the files to land for it and the number of
// pages; a page count that changes while paging fails the fetch, since the
// pages would then overlap or leave gaps. Nothing is returned unless every
// page passed.
func Pages[F any](ctx context.Context, fetch func(ctx context.Context, page int) ([]byte, error),
	check func(page int, b []byte) (files []F, pages int, stop bool, err error)) ([]F, error) {
	var out []F
	last := 1
	for page := 1; page <= last; page++ {
		b, err := fetch(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", page, err)
		}
		files, n, stop, err := check(page, b)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", page, err)
		}
		switch {
		case page == 1 && n > MaxPages:
			return nil, fmt.Errorf("page 1 announces %d pages, more than the %d a fetch may take", n, MaxPages)
		case page == 1:
			last = n
		case n != last:
			return nil, fmt.Errorf("page %d: the page count changed from %d to %d while paging", page, last, n)
		}
		out = append(out, files...)
		if stop {
			break
		}
	}
	return out, nil
}

// PostJSON POSTs a JSON body through the shared client and returns the
// response body, failing on a status other than 200 or an HTML page.
func PostJSON(ctx context.Context, hc *http.Client, url string, body []byte, hdr http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, RedactError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, RedactError(fmt.Errorf("POST %s: HTTP %s", url, resp.Status))
	}
	b, err := ReadLimited(resp.Body, resp.ContentLength)
	if err != nil {
		return nil, RedactError(fmt.Errorf("POST %s: reading body: %w", url, err))
	}
	if looksLikeHTML(b) {
		return nil, RedactError(fmt.Errorf("POST %s: %w", url, ErrHTMLPage))
	}
	return b, nil
}

// BaseURL is a location used as the base of API paths.
func BaseURL(loc string) string {
	return strings.TrimSuffix(loc, "/")
}
