package ofac

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/heiststat/heiststat/sources/feed"
)

// Advanced is OFAC's SDN list in its advanced XML form
// (https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML,
// about 122 MB). It is the one feed DuckDB cannot read itself, so Go parses
// it: streaming, token by token, keeping only the digital currency addresses
// with their entity and programs (ParseAdvanced). The XML is landed as
// fetched and parsed again from the landed file at load time, into Arrow
// record batches (AdvancedBatches).
type Advanced struct{ feed.Base }

// NewAdvanced builds an ofac_sdn_advanced source.
func NewAdvanced(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &Advanced{b}, nil
}

func (o *Advanced) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	files, err := feed.Checked(ctx, hc, o.Location(), "*.xml", "ofac_sdn_advanced", func(b []byte) error {
		// The whole document is parsed: a truncated download or a renamed
		// element fails here, before anything lands.
		_, err := ParseAdvanced(bytes.NewReader(b))
		return err
	})
	for i := range files {
		files[i].Name = "sdn_advanced.xml" // whatever the URL's case
	}
	return files, err
}

// SanctionedAddress is one digital currency address of a sanctioned party.
// A party under several programs gives one row per program.
type SanctionedAddress struct {
	ProfileID string
	Address   string
	// Asset is the currency code of the feature type ("ETH" for
	// "Digital Currency Address - ETH").
	Asset   string
	Entity  string
	Program string
}

const digitalCurrencyPrefix = "Digital Currency Address - "

// parser holds what a streaming pass collects. The reference values
// (feature and sanctions types) come first in the document, the parties next
// and the sanctions entries (programs) last, so addresses are emitted at the end.
type parser struct {
	assetOfFeature map[string]string   // FeatureType ID -> asset code
	programType    map[string]bool     // SanctionsType IDs whose text is "Program"
	programs       map[string][]string // ProfileID -> program codes
	entity         map[string]string   // ProfileID -> primary name
	addrs          []SanctionedAddress // in document order, Program unset
	sawRoot        bool
}

// ParseAdvanced reads an sdn_advanced.xml document and returns its digital
// currency addresses in document order, one row per (address, program).
func ParseAdvanced(r io.Reader) ([]SanctionedAddress, error) {
	p := &parser{
		assetOfFeature: map[string]string{}, programType: map[string]bool{},
		programs: map[string][]string{}, entity: map[string]string{},
	}
	if err := p.parse(xml.NewDecoder(r)); err != nil {
		return nil, err
	}
	return p.rows()
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (p *parser) parse(dec *xml.Decoder) error {
	var profile string // ID of the Profile being read
	var primaryID bool // inside an Identity with Primary="true"
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !p.sawRoot {
				if t.Name.Local != "Sanctions" {
					return fmt.Errorf("root element is <%s>, want <Sanctions> (not an sdn_advanced.xml document)", t.Name.Local)
				}
				p.sawRoot = true
				continue
			}
			if err := p.start(dec, t, &profile, &primaryID); err != nil {
				return err
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "Profile":
				profile = ""
			case "Identity":
				primaryID = false
			}
		}
	}
	if !p.sawRoot {
		return errors.New("empty document")
	}
	return nil
}

// start handles one start element; small elements of interest are decoded
// whole (DecodeElement consumes them up to their end tag).
func (p *parser) start(dec *xml.Decoder, se xml.StartElement, profile *string, primaryID *bool) error {
	switch se.Name.Local {
	case "FeatureType":
		var text string
		if err := dec.DecodeElement(&text, &se); err != nil {
			return fmt.Errorf("FeatureType: %w", err)
		}
		if asset, ok := strings.CutPrefix(strings.TrimSpace(text), digitalCurrencyPrefix); ok {
			p.assetOfFeature[attr(se, "ID")] = strings.TrimSpace(asset)
		}
	case "SanctionsType":
		var text string
		if err := dec.DecodeElement(&text, &se); err != nil {
			return fmt.Errorf("SanctionsType: %w", err)
		}
		if strings.TrimSpace(text) == "Program" {
			p.programType[attr(se, "ID")] = true
		}
	case "Profile":
		*profile = attr(se, "ID")
	case "Identity":
		*primaryID = attr(se, "Primary") == "true"
	case "Alias":
		if *profile == "" || !*primaryID || attr(se, "Primary") != "true" || p.entity[*profile] != "" {
			return nil
		}
		var a struct {
			Names []struct {
				Parts []string `xml:"DocumentedNamePart>NamePartValue"`
			} `xml:"DocumentedName"`
		}
		if err := dec.DecodeElement(&a, &se); err != nil {
			return fmt.Errorf("profile %s: Alias: %w", *profile, err)
		}
		if len(a.Names) > 0 {
			p.entity[*profile] = strings.Join(strings.Fields(strings.Join(a.Names[0].Parts, " ")), " ")
		}
	case "Feature":
		asset, ok := p.assetOfFeature[attr(se, "FeatureTypeID")]
		if !ok || *profile == "" {
			return nil
		}
		var f struct {
			Details []string `xml:"FeatureVersion>VersionDetail"`
		}
		if err := dec.DecodeElement(&f, &se); err != nil {
			return fmt.Errorf("profile %s: Feature: %w", *profile, err)
		}
		addr := ""
		for _, d := range f.Details {
			if addr = strings.TrimSpace(d); addr != "" {
				break
			}
		}
		// An empty address is kept: staging quarantines it with its reason.
		p.addrs = append(p.addrs, SanctionedAddress{ProfileID: *profile, Address: addr, Asset: asset})
	case "SanctionsEntry":
		var e struct {
			Measures []struct {
				TypeID  string `xml:"SanctionsTypeID,attr"`
				Comment string `xml:"Comment"`
			} `xml:"SanctionsMeasure"`
		}
		if err := dec.DecodeElement(&e, &se); err != nil {
			return fmt.Errorf("SanctionsEntry: %w", err)
		}
		id := attr(se, "ProfileID")
		for _, m := range e.Measures {
			if prog := strings.TrimSpace(m.Comment); p.programType[m.TypeID] && prog != "" && !slices.Contains(p.programs[id], prog) {
				p.programs[id] = append(p.programs[id], prog)
			}
		}
	}
	return nil
}

// rows joins each address to its entity and programs. A document without
// digital currency feature types or addresses has changed shape: that is an
// error naming what is missing, not an empty list.
func (p *parser) rows() ([]SanctionedAddress, error) {
	if len(p.assetOfFeature) == 0 {
		return nil, fmt.Errorf("no %q feature types in ReferenceValueSets/FeatureTypeValues", digitalCurrencyPrefix+"*")
	}
	if !slices.ContainsFunc(p.addrs, func(a SanctionedAddress) bool { return a.Address != "" }) {
		return nil, errors.New("no digital currency addresses in DistinctParties (Feature/FeatureVersion/VersionDetail)")
	}
	if len(p.programType) == 0 {
		return nil, errors.New(`no "Program" sanctions type in ReferenceValueSets/SanctionsTypeValues`)
	}
	var out []SanctionedAddress
	for _, a := range p.addrs {
		a.Entity = p.entity[a.ProfileID]
		progs := slices.Sorted(slices.Values(p.programs[a.ProfileID]))
		if len(progs) == 0 {
			out = append(out, a) // no program: staging quarantines it
			continue
		}
		for _, prog := range progs {
			a.Program = prog
			out = append(out, a)
		}
	}
	return out, nil
}
