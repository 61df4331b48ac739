// Package ofac reads OFAC's sanctions list in its three forms: sdn.csv,
// sdn_advanced.xml (parsed in Go) and the per-asset address lists.
package ofac

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// SDNCSV is OFAC's sdn.csv (https://www.treasury.gov/ofac/downloads/sdn.csv):
// no header, 12 columns, "-0- " for null, digital currency addresses inside
// the Remarks column (which OFAC truncates; the overflow is in sdn_comments.csv).
type SDNCSV struct{ feed.Base }

// NewSDNCSV builds an ofac_sdn_csv source.
func NewSDNCSV(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &SDNCSV{b}, nil
}

func (o *SDNCSV) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	return feed.Checked(ctx, hc, o.Location(), "*.csv", "ofac_sdn_csv", checkSDNCSV)
}

const sdnColumns = 12

var entNumRE = regexp.MustCompile(`^[0-9]+$`)

// checkSDNCSV requires the first record to have the 12 sdn.csv columns with a
// numeric ent_num: a header row or a changed layout fails here.
func checkSDNCSV(b []byte) error {
	r := csv.NewReader(bytes.NewReader(b))
	r.LazyQuotes = true
	rec, err := r.Read()
	if err != nil {
		return fmt.Errorf("not an sdn.csv file: %w", err)
	}
	if len(rec) != sdnColumns {
		return fmt.Errorf("first record has %d columns, want %d (ent_num .. Remarks)", len(rec), sdnColumns)
	}
	if !entNumRE.MatchString(rec[0]) {
		return fmt.Errorf("first column %q is not an ent_num (sdn.csv has no header row)", rec[0])
	}
	return nil
}

// Addresses reads the per-asset address lists that
// 0xB10C/ofac-sanctioned-digital-currency-addresses extracts from OFAC's
// sdn_advanced.xml: sanctioned_addresses_<ASSET>.json, each a JSON array of
// address strings. They are complete but carry no entity names.
type Addresses struct {
	feed.Base
	pattern string
}

// NewAddresses builds an ofac_addresses source.
func NewAddresses(s feed.Spec) (feed.Source, error) {
	o := feed.PatternOptions{Pattern: "sanctioned_addresses_*.json"}
	b, err := feed.Located(s, &o)
	if err != nil {
		return nil, err
	}
	return &Addresses{b, o.Pattern}, nil
}

// addressListName is what the raw model derives the asset from.
var addressListName = regexp.MustCompile(`^sanctioned_addresses_[A-Za-z0-9]+\.json$`)

func (o *Addresses) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	bs, err := fetch.Read(ctx, hc, o.Location(), o.pattern)
	if err != nil {
		return nil, err
	}
	out := make([]feed.File, 0, len(bs))
	for _, b := range bs {
		if !addressListName.MatchString(b.Name) {
			return nil, fmt.Errorf("%s: file name must be sanctioned_addresses_<ASSET>.json (the asset comes from it)", b.Name)
		}
		var addrs []string
		if err := json.Unmarshal(b.Data, &addrs); err != nil {
			return nil, fmt.Errorf("%s: not a JSON array of address strings: %w", b.Name, err)
		}
		out = append(out, feed.File{Name: b.Name, Format: "ofac_addresses", Data: b.Data})
	}
	return out, nil
}
