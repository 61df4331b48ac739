package blocksec

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// API is BlockSec's security-incident list as its web page reads it:
// POST {location}/api/v1/attack/events (location https://blocksec.com) with
// {"page":N,"pageSize":100,"ignoreEmpty":true}, answered {count, list}, read
// to ceil(count/100). Each page lands as fetched in the export's format
// (blocksec_events), which is one such response.
type API struct{ feed.Base }

// NewAPI builds a blocksec_api source.
func NewAPI(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &API{b}, nil
}

// pageSize is the largest page the site's own client asks for.
const pageSize = 100

func (b *API) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	hdr := http.Header{"Referer": {"https://blocksec.com/security-incident"}}
	return fetch.Pages(ctx, func(ctx context.Context, page int) ([]byte, error) {
		body := fmt.Appendf(nil, `{"page":%d,"pageSize":%d,"ignoreEmpty":true}`, page, pageSize)
		return fetch.PostJSON(ctx, hc, fetch.BaseURL(b.Location())+"/api/v1/attack/events", body, hdr)
	}, func(page int, data []byte) ([]feed.File, int, bool, error) {
		var doc struct {
			Count *int `json:"count"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, 0, false, fmt.Errorf("not a BlockSec response object: %w", err)
		}
		if doc.Count == nil {
			return nil, 0, false, fmt.Errorf(`field "count" is missing (renamed upstream?)`)
		}
		if err := checkEvents(data); err != nil {
			return nil, 0, false, err
		}
		return []feed.File{{Name: fetch.PageName(page, ".json"), Format: "blocksec_events", Data: data}},
			(*doc.Count + pageSize - 1) / pageSize, false, nil
	})
}
