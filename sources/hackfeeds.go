package sources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// The incident feeds below have no documented public endpoint: they are read
// from files as their maintainers or scrapers publish them (a URL to such a
// file works too). Their raw models read columns by name, so the header is
// pinned here and a renamed column fails before anything lands.

// SlowMistHeader is the header of a SlowMist Hacked export (hacked.slowmist.io).
const SlowMistHeader = "date,name,description,loss_usd,attack_method,reference,year"

// DefiRektHeader is the header of a flattened De.Fi REKT database export.
const DefiRektHeader = "id,date,name,category,chain,funds_lost,funds_recovered,funds_returned,scam_type,scam_parent,year"

// csvFeed is a feed that is one or more CSV files with a fixed header.
type csvFeed struct {
	base
	header, format string
}

func newCSVFeed(header, format string) func(Spec) (Source, error) {
	return func(s Spec) (Source, error) {
		return newLocated(s, func(b base) Source { return &csvFeed{b, header, format} })
	}
}

func (c *csvFeed) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	return fetchChecked(ctx, hc, c.location, "*.csv", c.format, func(b []byte) error {
		return checkHeader(b, c.header)
	})
}

// BlockSecEvents is a BlockSec security-incident API response: an object with
// count and list; each event has a loss as a decimal string, a date in unix
// milliseconds and per-transaction attacker addresses.
type BlockSecEvents struct{ base }

func newBlockSecEvents(s Spec) (Source, error) {
	return newLocated(s, func(b base) Source { return &BlockSecEvents{b} })
}

func (b *BlockSecEvents) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	return fetchChecked(ctx, hc, b.location, "*.json", "blocksec_events", checkBlockSec)
}

var blockSecRequired = []struct {
	field string
	kind  string
}{
	{"id", "number"},
	{"project", "string"},
	{"loss", "string"},
	{"date", "number"},
	{"transactions", "array"},
}

// checkBlockSec requires {"list": [...]} with the fields the staging model
// reads present with their usual kind in at least one event (single odd
// events are quarantined in staging).
func checkBlockSec(b []byte) error {
	var doc struct {
		List []map[string]json.RawMessage `json:"list"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("not a BlockSec response object: %w", err)
	}
	if len(doc.List) == 0 {
		return fmt.Errorf(`"list" is missing or empty: the feed returned no events`)
	}
	for _, req := range blockSecRequired {
		ok := 0
		for _, r := range doc.List {
			if v, present := r[req.field]; present && jsonKind(v) == req.kind {
				ok++
			}
		}
		if ok == 0 {
			return fmt.Errorf("required field %q is missing or not a %s in all %d events (renamed or retyped upstream?)", req.field, req.kind, len(doc.List))
		}
	}
	return nil
}
