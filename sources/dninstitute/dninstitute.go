package dninstitute

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Wiki is the dn-institute Crypto Attacks Wiki (Unlicense): the
// GitHub tarball of 1712n/dn-institute, whose
// content/research/cyberattacks/incidents/ folder holds one Markdown file per
// incident with YAML front matter (date, target-entities, entity-types,
// attack-types, title, loss, tags). DuckDB cannot read YAML, so the front
// matter is parsed here: the tarball is landed as fetched (archive only) and
// the incidents beside it as JSON lines, one per file, for raw_dn_institute.
type Wiki struct{ feed.Base }

// NewWiki builds a dn_institute source.
func NewWiki(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &Wiki{b}, nil
}

// tarballName is the landed name of the tarball, whatever the URL is
// called (the live one ends in refs/heads/main).
const tarballName = "dn-institute.tar.gz"

func (d *Wiki) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	tb, err := fetch.ReadOne(ctx, hc, d.Location(), "*.tar.gz", "tarballs")
	if err != nil {
		return nil, err
	}
	recs, err := Parse(bytes.NewReader(tb.Data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tb.Name, err)
	}
	lines, err := feed.JSONLines(recs)
	if err != nil {
		return nil, err
	}
	return []feed.File{
		{Name: tarballName, Data: tb.Data},
		{Name: "dn_institute_incidents.jsonl", Format: "dn_institute", Data: lines},
	}, nil
}

// Incident is one incident file of the wiki. A file whose front matter
// cannot be read keeps its name and the reason in Error (staging rejects it).
type Incident struct {
	// File is the file name under the incidents folder.
	File string `json:"file"`
	// FileDate is the YYYY-MM-DD the file name starts with ("" if none).
	FileDate string `json:"file_date"`
	// Date is the front matter's date, as written.
	Date           string   `json:"date"`
	Title          string   `json:"title"`
	TargetEntities []string `json:"target_entities"`
	EntityTypes    []string `json:"entity_types"`
	AttackTypes    []string `json:"attack_types"`
	// Loss is the front matter's loss as written: USD digits or "unknown".
	Loss string   `json:"loss"`
	Tags []string `json:"tags"`
	// Body is the Markdown after the front matter.
	Body  string `json:"body"`
	Error string `json:"error,omitempty"`
}

// incidentsDir is the folder kept from the tarball, under its top folder
// (dn-institute-main/ for the live tarball).
const incidentsDir = "content/research/cyberattacks/incidents/"

var fileDate = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})`)

// Parse streams a gzipped tarball and returns the incident files
// directly under */content/research/cyberattacks/incidents/ (the folder's
// _index.md and anything else are skipped), sorted by file name. A broken
// archive, a tarball without that folder, or front matter whose fields are
// renamed (absent from every file) fails; one unreadable file does not.
func Parse(r io.Reader) ([]Incident, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("not a gzip file: %w", err)
	}
	tr := tar.NewReader(gz)
	var out []Incident
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the tarball: %w", err)
		}
		name, ok := incidentName(h)
		if !ok {
			continue
		}
		b, err := fetch.ReadLimited(tr, h.Size)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h.Name, err)
		}
		out = append(out, parseIncident(name, b))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no incident files under */%s (layout changed upstream?)", incidentsDir)
	}
	slices.SortFunc(out, func(a, b Incident) int { return strings.Compare(a.File, b.File) })
	return out, checkFields(out)
}

// incidentName returns the file name of a regular Markdown file directly
// in the incidents folder.
func incidentName(h *tar.Header) (string, bool) {
	if h.Typeflag != tar.TypeReg {
		return "", false
	}
	_, rest, ok := strings.Cut(h.Name, "/")
	if !ok || !strings.HasPrefix(rest, incidentsDir) {
		return "", false
	}
	name := strings.TrimPrefix(rest, incidentsDir)
	if strings.Contains(name, "/") || strings.HasPrefix(name, "_") || path.Ext(name) != ".md" {
		return "", false
	}
	return name, true
}

// frontMatter is the front matter as the wiki writes it. Date and loss
// stay nodes so their text is kept as written (a date is not turned into a
// timestamp, loss may be "unknown").
type frontMatter struct {
	Date           yaml.Node  `yaml:"date"`
	TargetEntities stringList `yaml:"target-entities"`
	EntityTypes    stringList `yaml:"entity-types"`
	AttackTypes    stringList `yaml:"attack-types"`
	Title          string     `yaml:"title"`
	Loss           yaml.Node  `yaml:"loss"`
	Tags           stringList `yaml:"tags"`
}

// stringList is a field written either as one string or as a list.
type stringList []string

func (s *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*s = nil
			return nil
		}
		*s = []string{n.Value}
		return nil
	case yaml.SequenceNode:
		var xs []string
		if err := n.Decode(&xs); err != nil {
			return err
		}
		*s = xs
		return nil
	}
	return fmt.Errorf("line %d: want a string or a list of strings", n.Line)
}

func parseIncident(name string, b []byte) Incident {
	rec := Incident{File: name}
	if m := fileDate.FindStringSubmatch(name); m != nil {
		rec.FileDate = m[1]
	}
	fm, body, err := splitFrontMatter(b)
	if err != nil {
		rec.Error = err.Error()
		return rec
	}
	var f frontMatter
	if err := yaml.Unmarshal(fm, &f); err != nil {
		rec.Error = "front matter: " + err.Error()
		return rec
	}
	for _, n := range []*yaml.Node{&f.Date, &f.Loss} {
		if n.Kind != 0 && n.Kind != yaml.ScalarNode {
			rec.Error = fmt.Sprintf("front matter: line %d: want a single value", n.Line)
			return rec
		}
	}
	rec.Date, rec.Title, rec.Loss = f.Date.Value, f.Title, f.Loss.Value
	rec.TargetEntities, rec.EntityTypes, rec.AttackTypes, rec.Tags = f.TargetEntities, f.EntityTypes, f.AttackTypes, f.Tags
	rec.Body = body
	return rec
}

// splitFrontMatter cuts a Markdown file into its front matter (between a
// first line "---" and the next) and body, after any UTF-8 byte order mark.
func splitFrontMatter(b []byte) (fm []byte, body string, err error) {
	s := strings.ReplaceAll(string(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))), "\r\n", "\n")
	rest, ok := strings.CutPrefix(s, "---\n")
	if !ok {
		return nil, "", errors.New("no front matter: the file does not start with ---")
	}
	if strings.HasPrefix(rest, "---\n") {
		return nil, "", errors.New("empty front matter")
	}
	head, tail, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		head, ok = strings.CutSuffix(rest, "\n---")
		if !ok {
			return nil, "", errors.New("front matter is not closed by ---")
		}
	}
	return []byte(head), strings.TrimSpace(tail), nil
}

// checkFields fails when a field staging reads is in no file: a rename
// upstream, not a bad file.
func checkFields(recs []Incident) error {
	fields := []struct {
		name string
		set  func(Incident) bool
	}{
		{"date", func(r Incident) bool { return r.Date != "" }},
		{"title", func(r Incident) bool { return r.Title != "" }},
		{"target-entities", func(r Incident) bool { return len(r.TargetEntities) > 0 }},
		{"loss", func(r Incident) bool { return r.Loss != "" }},
	}
	for _, f := range fields {
		if !slices.ContainsFunc(recs, f.set) {
			return fmt.Errorf("front matter field %q is missing from all %d incident files (renamed upstream?)", f.name, len(recs))
		}
	}
	return nil
}
