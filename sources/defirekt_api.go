package sources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// DefiRektAPI is the De.Fi REKT database as its web app reads it: GET
// {location}/v1/rekt/list?...&limit=100&page=N (location
// https://api.de.fi), JSON pages {items, currentPage, lastPage, total}, read
// to lastPage. Each page lands as fetched; raw_defi_rekt_api maps the items
// onto the columns of the export (raw_defi_rekt), so both forms give the
// same staged records.
type DefiRektAPI struct{ base }

func newDefiRektAPI(s Spec) (Source, error) {
	return newLocated(s, func(b base) Source { return &DefiRektAPI{b} })
}

// defiRektList is the request of one page, largest losses first.
const defiRektList = "/v1/rekt/list?sortField=fundsLost&sort=desc&sortDirection=desc&limit=100&page="

func (d *DefiRektAPI) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	hdr := http.Header{"Accept": {"application/json"}}
	return fetchPages(ctx, func(ctx context.Context, page int) ([]byte, error) {
		return getWithHeader(ctx, hc, baseURL(d.location)+defiRektList+strconv.Itoa(page), hdr)
	}, func(page int, b []byte) ([]File, int, bool, error) {
		last, err := checkDefiRektPage(b, page)
		if err != nil {
			return nil, 0, false, err
		}
		return []File{{Name: pageName(page, ".json"), Format: "defi_rekt_api", Data: b}}, last, false, nil
	})
}

// defiRektRequired are the item fields raw_defi_rekt_api reads, with their
// usual JSON kind. Null counts too: the pages are sorted by loss, and every
// item of the later pages has a null funds_lost. Single odd items are
// quarantined in staging.
var defiRektRequired = []struct {
	field string
	kind  string
}{
	{"id", "number"},
	{"project_name", "string"},
	{"date", "string"},
	{"funds_lost", "number"},
	{"scam_type", "object"},
}

// checkDefiRektPage requires the page object with currentPage = page, a
// lastPage, and items carrying the fields the raw model reads; it returns lastPage.
func checkDefiRektPage(b []byte, page int) (int, error) {
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
	for _, req := range defiRektRequired {
		ok := 0
		for _, it := range *doc.Items {
			if v, present := it[req.field]; present && (jsonKind(v) == req.kind || jsonKind(v) == "null") {
				ok++
			}
		}
		if ok == 0 {
			return 0, fmt.Errorf("required field %q is missing or not a %s (or null) in all %d items (renamed or retyped upstream?)", req.field, req.kind, len(*doc.Items))
		}
	}
	return *doc.LastPage, nil
}
