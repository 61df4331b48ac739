package defirekt

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// API is the De.Fi REKT database as its web app reads it: GET
// {location}/v1/rekt/list?...&limit=100&page=N (location
// https://api.de.fi), JSON pages {items, currentPage, lastPage, total}, read
// to lastPage. Each page lands as fetched; raw_defi_rekt_api maps the items
// onto the columns of the export (raw_defi_rekt), so both forms give the
// same staged records.
type API struct{ feed.Base }

// NewAPI builds a defi_rekt_api source.
func NewAPI(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &API{b}, nil
}

// listPath is the request of one page, largest losses first.
const listPath = "/v1/rekt/list?sortField=fundsLost&sort=desc&sortDirection=desc&limit=100&page="

func (d *API) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	hdr := http.Header{"Accept": {"application/json"}}
	return fetch.Pages(ctx, func(ctx context.Context, page int) ([]byte, error) {
		return fetch.GetWithHeader(ctx, hc, fetch.BaseURL(d.Location())+listPath+strconv.Itoa(page), hdr)
	}, func(page int, b []byte) ([]feed.File, int, bool, error) {
		last, err := checkPage(b, page)
		if err != nil {
			return nil, 0, false, err
		}
		return []feed.File{{Name: fetch.PageName(page, ".json"), Format: "defi_rekt_api", Data: b}}, last, false, nil
	})
}

// apiRequired are the item fields raw_defi_rekt_api reads, with their
// usual JSON kind. Null counts too: the pages are sorted by loss, and every
// item of the later pages has a null funds_lost. Single odd items are
// quarantined in staging.
var apiRequired = []feed.Field{
	{Name: "id", Kind: "number"},
	{Name: "project_name", Kind: "string"},
	{Name: "date", Kind: "string"},
	{Name: "funds_lost", Kind: "number"},
	{Name: "scam_type", Kind: "object"},
}

// checkPage requires the page object with currentPage = page, a
// lastPage, and items carrying the fields the raw model reads; it returns lastPage.
func checkPage(b []byte, page int) (int, error) {
	var doc struct {
		Items       *[]map[string]json.RawMessage `json:"items"`
		CurrentPage *int                          `json:"currentPage"`
		LastPage    *int                          `json:"lastPage"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return 0, fmt.Errorf("not a De.Fi REKT page object: %w", err)
	}
	switch {
	case doc.Items == nil:
		return 0, fmt.Errorf(`field "items" is missing (renamed upstream?)`)
	case doc.CurrentPage == nil:
		return 0, fmt.Errorf(`field "currentPage" is missing (renamed upstream?)`)
	case doc.LastPage == nil:
		return 0, fmt.Errorf(`field "lastPage" is missing (renamed upstream?)`)
	case *doc.CurrentPage != page:
		return 0, fmt.Errorf(`"currentPage" is %d, asked for page %d`, *doc.CurrentPage, page)
	case *doc.LastPage < page:
		return 0, fmt.Errorf(`"lastPage" is %d, before this page`, *doc.LastPage)
	case len(*doc.Items) == 0:
		return 0, fmt.Errorf(`"items" is empty before the last page`)
	}
	if err := feed.RequireFields(*doc.Items, apiRequired, true, "items"); err != nil {
		return 0, err
	}
	return *doc.LastPage, nil
}
