package sources

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
)

// OFACSDNCSV is OFAC's sdn.csv (https://www.treasury.gov/ofac/downloads/sdn.csv):
// no header, 12 columns, "-0- " for null, digital currency addresses inside
// the Remarks column (which OFAC truncates; the overflow is in sdn_comments.csv).
type OFACSDNCSV struct{ base }

func newOFACSDNCSV(s Spec) (Source, error) {
	return newLocated(s, func(b base) Source { return &OFACSDNCSV{b} })
}

func (o *OFACSDNCSV) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	return fetchChecked(ctx, hc, o.location, "*.csv", "ofac_sdn_csv", checkSDNCSV)
}

const sdnColumns = 12

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
	if !regexp.MustCompile(`^[0-9]+$`).MatchString(rec[0]) {
		return fmt.Errorf("first column %q is not an ent_num (sdn.csv has no header row)", rec[0])
	}
	return nil
}

// OFACAddresses reads the per-asset address lists that
// 0xB10C/ofac-sanctioned-digital-currency-addresses extracts from OFAC's
// sdn_advanced.xml: sanctioned_addresses_<ASSET>.json, each a JSON array of
// address strings. They are complete but carry no entity names.
type OFACAddresses struct {
	base
	pattern string
}

func newOFACAddresses(s Spec) (Source, error) {
	if err := requireLocation(s); err != nil {
		return nil, err
	}
	o := patternOptions{Pattern: "sanctioned_addresses_*.json"}
	if err := decodeOptions(s, &o); err != nil {
		return nil, err
	}
	return &OFACAddresses{base{s.Name, s.Type, s.Location}, o.Pattern}, nil
}

// addressListName is what the raw model derives the asset from.
var addressListName = regexp.MustCompile(`^sanctioned_addresses_[A-Za-z0-9]+\.json$`)

func (o *OFACAddresses) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	nbs, err := readLocation(ctx, hc, o.location, o.pattern)
	if err != nil {
		return nil, err
	}
	out := make([]File, 0, len(nbs))
	for _, nb := range nbs {
		if !addressListName.MatchString(nb.name) {
			return nil, fmt.Errorf("%s: file name must be sanctioned_addresses_<ASSET>.json (the asset comes from it)", nb.name)
		}
		var addrs []string
		if err := json.Unmarshal(nb.data, &addrs); err != nil {
			return nil, fmt.Errorf("%s: not a JSON array of address strings: %w", nb.name, err)
		}
		out = append(out, File{Name: nb.name, Format: "ofac_addresses", Data: nb.data})
	}
	return out, nil
}
