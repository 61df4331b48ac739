package defillama

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Hacks is the DeFiLlama hacks feed: GET https://api.llama.fi/hacks,
// a JSON array with date in unix seconds (00:00 UTC) and amount in USD. The
// Pro endpoint takes the key in the path: location
// https://pro-api.llama.fi/{api_key}/api/hacks with api_key_env set.
type Hacks struct {
	feed.Base
	keyEnv string
}

// NewHacks builds a defillama_hacks source.
func NewHacks(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	if hasKey := strings.Contains(s.Location, fetch.APIKeyPlaceholder); hasKey != (s.APIKeyEnv != "") {
		return nil, fmt.Errorf("the Pro endpoint needs both api_key_env and %s in the location", fetch.APIKeyPlaceholder)
	}
	return &Hacks{b, s.APIKeyEnv}, nil
}

func (d *Hacks) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	loc, err := fetch.ExpandAPIKey(d.Location(), d.keyEnv)
	if err != nil {
		return nil, err
	}
	files, err := feed.Checked(ctx, hc, loc, "*.json", "defillama_hacks", checkHacks)
	if err != nil {
		return nil, err
	}
	return feed.WithExt(files, ".json"), nil // the live URL ends in /hacks
}

// hacksRequired lists the fields the staging model needs, with the JSON
// kind each normally has. A field may be null or odd in single records
// (staging quarantines those); it may not be absent, null or of another kind
// in every record, which is what a rename or a type change upstream looks like.
var hacksRequired = []struct {
	field string
	kind  string
}{
	{"date", "number"},
	{"name", "string"},
	{"amount", "number"},
	{"chain", "array"},
}

// checkHacks checks the shape of a /hacks response. Unknown fields are
// tolerated, and so is defillamaId as a number or a string (it changed type in 2026).
//
// It streams the tokens instead of decoding every record into a map, which
// costs far less memory on a large feed (docs/benchmarks.md). It accepts what
// json.Unmarshal into []map[string]json.RawMessage accepted: null records,
// duplicate names (the last one counts) and invalid UTF-8 in strings.
func checkHacks(b []byte) error {
	ok, recs, err := scanHacks(b)
	if err != nil {
		return fmt.Errorf("not a JSON array of objects: %w", err)
	}
	if recs == 0 {
		return fmt.Errorf("empty array: the feed returned no incidents")
	}
	for i, req := range hacksRequired {
		if ok[i] == 0 {
			return fmt.Errorf("required field %q is missing or not a %s in all %d records (renamed or retyped upstream?)", req.field, req.kind, recs)
		}
	}
	return nil
}

// scanHacks counts, for each required field, the records where it
// has its normal kind, and the records.
func scanHacks(b []byte) (ok []int, recs int, err error) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(b), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	ok = make([]int, len(hacksRequired))
	switch k := dec.PeekKind(); k {
	case 'n':
		return ok, 0, wantEOF(dec, dec.SkipValue())
	case '[':
	case 0:
		_, err := dec.ReadToken()
		return nil, 0, err
	default:
		return nil, 0, fmt.Errorf("top-level value is a %s", feed.KindName(k))
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, 0, err
	}
	kinds := make([]string, len(hacksRequired)) // of the current record, the last duplicate winning
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
			return nil, 0, fmt.Errorf("record %d is a %s", recs+1, feed.KindName(k))
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
			for i, req := range hacksRequired {
				if req.field == string(name) {
					kinds[i] = feed.KindName(dec.PeekKind())
				}
			}
			if err := dec.SkipValue(); err != nil {
				return nil, 0, err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, 0, err
		}
		for i, req := range hacksRequired {
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
