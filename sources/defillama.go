package sources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// DefiLlamaHacks is the DeFiLlama hacks feed: GET https://api.llama.fi/hacks,
// a JSON array with date in unix seconds (00:00 UTC) and amount in USD. The
// Pro endpoint takes the key in the path: location
// https://pro-api.llama.fi/{api_key}/api/hacks with api_key_env set.
type DefiLlamaHacks struct {
	base
	keyEnv string
}

func newDefiLlamaHacks(s Spec) (Source, error) {
	src, err := newLocated(s, func(b base) Source { return &DefiLlamaHacks{b, s.APIKeyEnv} })
	if err != nil {
		return nil, err
	}
	if hasKey := strings.Contains(s.Location, APIKeyPlaceholder); hasKey != (s.APIKeyEnv != "") {
		return nil, fmt.Errorf("the Pro endpoint needs both api_key_env and %s in the location", APIKeyPlaceholder)
	}
	return src, nil
}

func (d *DefiLlamaHacks) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	loc, err := expandAPIKey(d.location, d.keyEnv)
	if err != nil {
		return nil, err
	}
	nbs, err := readLocation(ctx, hc, loc, "*.json")
	if err != nil {
		return nil, err
	}
	var out []File
	for _, nb := range nbs {
		if err := checkDefiLlamaHacks(nb.data); err != nil {
			return nil, fmt.Errorf("%s: %w", nb.name, err)
		}
		name := nb.name
		if ext(name) != ".json" {
			name += ".json" // the live URL ends in /hacks
		}
		out = append(out, File{Name: name, Format: "defillama_hacks", Data: nb.data})
	}
	return out, nil
}

// defiLlamaRequired lists the fields the staging model needs, with the JSON
// kind each normally has. A field may be null or odd in single records
// (staging quarantines those); it may not be absent, null or of another kind
// in every record, which is what a rename or a type change upstream looks like.
var defiLlamaRequired = []struct {
	field string
	kind  string
}{
	{"date", "number"},
	{"name", "string"},
	{"amount", "number"},
	{"chain", "array"},
}

// checkDefiLlamaHacks checks the shape of a /hacks response. Unknown fields are
// tolerated, and so is defillamaId as a number or a string (it changed type in 2026).
func checkDefiLlamaHacks(b []byte) error {
	var recs []map[string]json.RawMessage
	if err := json.Unmarshal(b, &recs); err != nil {
		return fmt.Errorf("not a JSON array of objects: %w", err)
	}
	if len(recs) == 0 {
		return fmt.Errorf("empty array: the feed returned no incidents")
	}
	for _, req := range defiLlamaRequired {
		ok := 0
		for _, r := range recs {
			if v, present := r[req.field]; present && jsonKind(v) == req.kind {
				ok++
			}
		}
		if ok == 0 {
			return fmt.Errorf("required field %q is missing or not a %s in all %d records (renamed or retyped upstream?)", req.field, req.kind, len(recs))
		}
	}
	return nil
}

func jsonKind(v json.RawMessage) string {
	for _, c := range v {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			return "string"
		case '[':
			return "array"
		case '{':
			return "object"
		case 't', 'f':
			return "bool"
		case 'n':
			return "null"
		default:
			return "number"
		}
	}
	return ""
}
