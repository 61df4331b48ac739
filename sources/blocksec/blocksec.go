// Package blocksec reads BlockSec's security-incident list, as an exported
// API response or from the API itself.
package blocksec

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/heiststat/heiststat/sources/feed"
)

// Events is a BlockSec security-incident API response: an object with
// count and list; each event has a loss as a decimal string, a date in unix
// milliseconds and per-transaction attacker addresses.
type Events struct{ feed.Base }

// NewEvents builds a blocksec_events source.
func NewEvents(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &Events{b}, nil
}

func (b *Events) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	return feed.Checked(ctx, hc, b.Location(), "*.json", "blocksec_events", checkEvents)
}

var required = []feed.Field{
	{Name: "id", Kind: "number"},
	{Name: "project", Kind: "string"},
	{Name: "loss", Kind: "string"},
	{Name: "date", Kind: "number"},
	{Name: "transactions", Kind: "array"},
}

// checkEvents requires {"list": [...]} with the fields the staging model
// reads present with their usual kind in at least one event (single odd
// events are quarantined in staging).
func checkEvents(b []byte) error {
	var doc struct {
		List []map[string]json.RawMessage `json:"list"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("not a BlockSec response object: %w", err)
	}
	if len(doc.List) == 0 {
		return fmt.Errorf(`"list" is missing or empty: the feed returned no events`)
	}
	return feed.RequireFields(doc.List, required, false, "events")
}
