package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
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
	files, err := fetchChecked(ctx, hc, loc, "*.json", "defillama_hacks", checkDefiLlamaHacks)
	if err != nil {
		return nil, err
	}
	for i := range files {
		if ext(files[i].Name) != ".json" {
			files[i].Name += ".json" // the live URL ends in /hacks
		}
	}
	return files, nil
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
//
// It streams the tokens instead of decoding every record into a map: at 1000x
// (144 MB, 584k records) the maps took 4 s of CPU and 1 GB of garbage, the
// token scan takes 0.3 s. It accepts what json.Unmarshal into
// []map[string]json.RawMessage accepted: null records, duplicate names (the
// last one counts) and invalid UTF-8 in strings.
func checkDefiLlamaHacks(b []byte) error {
	ok, recs, err := scanDefiLlamaHacks(b)
	if err != nil {
		return fmt.Errorf("not a JSON array of objects: %w", err)
	}
	if recs == 0 {
		return fmt.Errorf("empty array: the feed returned no incidents")
	}
	for i, req := range defiLlamaRequired {
		if ok[i] == 0 {
			return fmt.Errorf("required field %q is missing or not a %s in all %d records (renamed or retyped upstream?)", req.field, req.kind, recs)
		}
	}
	return nil
}

// scanDefiLlamaHacks counts, for each required field, the records where it
// has its normal kind, and the records.
func scanDefiLlamaHacks(b []byte) (ok []int, recs int, err error) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(b), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	ok = make([]int, len(defiLlamaRequired))
	switch k := dec.PeekKind(); k {
	case 'n':
		return ok, 0, wantEOF(dec, dec.SkipValue())
	case '[':
	case 0:
		_, err := dec.ReadToken()
		return nil, 0, err
	default:
		return nil, 0, fmt.Errorf("top-level value is a %s", jsonKindOf(k))
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, 0, err
	}
	kinds := make([]string, len(defiLlamaRequired)) // of the current record, the last duplicate winning
	for dec.PeekKind() != ']' {
		switch k := dec.PeekKind(); k {
		case 'n':
			if err := dec.SkipValue(); err != nil {
				return nil, 0, err
			}
			recs++
			continue
		case '{':
		case 0:
			_, err := dec.ReadToken()
			return nil, 0, err
		default:
			return nil, 0, fmt.Errorf("record %d is a %s", recs+1, jsonKindOf(k))
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, 0, err
		}
		clear(kinds)
		for dec.PeekKind() != '}' {
			raw, err := dec.ReadValue() // the name, quoted
			if err != nil {
				return nil, 0, err
			}
			name := raw[1 : len(raw)-1]
			if bytes.IndexByte(raw, '\\') >= 0 {
				// The decoder validated the string; the only error left is
				// invalid UTF-8, replaced as encoding/json did.
				name, _ = jsontext.AppendUnquote(nil, raw)
			}
			for i, req := range defiLlamaRequired {
				if req.field == string(name) {
					kinds[i] = jsonKindOf(dec.PeekKind())
				}
			}
			if err := dec.SkipValue(); err != nil {
				return nil, 0, err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, 0, err
		}
		for i, req := range defiLlamaRequired {
			if kinds[i] == req.kind {
				ok[i]++
			}
		}
		recs++
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, 0, err
	}
	return ok, recs, wantEOF(dec, nil)
}

// wantEOF fails on anything after the top-level value.
func wantEOF(dec *jsontext.Decoder, err error) error {
	if err != nil {
		return err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the top-level value")
		}
		return err
	}
	return nil
}

// jsonKindOf names a kind the way the required-field errors do.
func jsonKindOf(k jsontext.Kind) string {
	switch k {
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
	case '0':
		return "number"
	}
	return ""
}

// jsonKind is the kind of a raw JSON value (of a record decoded into a map).
func jsonKind(v json.RawMessage) string {
	v = bytes.TrimLeft(v, " \t\n\r")
	if len(v) == 0 {
		return ""
	}
	return jsonKindOf(jsontext.Value(v).Kind())
}
