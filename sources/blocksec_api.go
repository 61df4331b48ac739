package sources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// BlockSecAPI is BlockSec's security-incident list as its web page reads it:
// POST {location}/api/v1/attack/events (location https://blocksec.com) with
// {"page":N,"pageSize":100,"ignoreEmpty":true}, answered {count, list}, read
// to ceil(count/100). Each page lands as fetched in the export's format
// (blocksec_events), which is one such response.
type BlockSecAPI struct{ base }

func newBlockSecAPI(s Spec) (Source, error) {
	return newLocated(s, func(b base) Source { return &BlockSecAPI{b} })
}

// blockSecPageSize is the largest page the site's own client asks for.
const blockSecPageSize = 100

func (b *BlockSecAPI) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	hdr := http.Header{"Referer": {"https://blocksec.com/security-incident"}}
	return fetchPages(ctx, func(ctx context.Context, page int) ([]byte, error) {
		body := fmt.Appendf(nil, `{"page":%d,"pageSize":%d,"ignoreEmpty":true}`, page, blockSecPageSize)
		return postJSON(ctx, hc, baseURL(b.location)+"/api/v1/attack/events", body, hdr)
	}, func(page int, data []byte) ([]File, int, bool, error) {
		var doc struct {
			Count *int `json:"count"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, 0, false, fmt.Errorf("not a BlockSec response object: %w", err)
		}
		if doc.Count == nil {
			return nil, 0, false, fmt.Errorf(`field "count" is missing (renamed upstream?)`)
		}
		if err := checkBlockSec(data); err != nil {
			return nil, 0, false, err
		}
		return []File{{Name: pageName(page, ".json"), Format: "blocksec_events", Data: data}},
			(*doc.Count + blockSecPageSize - 1) / blockSecPageSize, false, nil
	})
}
