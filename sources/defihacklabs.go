package sources

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
)

// DeFiHackLabs is the exploit list of SunWeb3Sec/DeFiHackLabs (Apache-2.0):
// the README files {location}/README.md (the current year) and
// {location}/past/YYYY/README.md (location
// https://raw.githubusercontent.com/SunWeb3Sec/DeFiHackLabs/main, or a local
// checkout or copy of those files). Each entry is a heading
// "### YYYYMMDD Name - Cause" ("### YYYYMMDD - Name - Cause" in 2022) and a
// "Lost: ..." line of free text, often in token units. The Markdown lands as
// fetched (archive only) beside the entries parsed from it, one JSON object
// a line (format defihacklabs); stg_defihacklabs__exploits reads the amounts.
type DeFiHackLabs struct {
	base
	past []int
}

// defiHackLabsOptions: past lists the years with a past/YYYY/README.md.
type defiHackLabsOptions struct {
	Past []int `yaml:"past"`
}

func newDeFiHackLabs(s Spec) (Source, error) {
	if err := requireLocation(s); err != nil {
		return nil, err
	}
	o := defiHackLabsOptions{Past: []int{2021, 2022, 2023, 2024, 2025}}
	if err := decodeOptions(s, &o); err != nil {
		return nil, err
	}
	for _, y := range o.Past {
		if y < 2015 || y > 2100 {
			return nil, fmt.Errorf("options.past: %d is not a year of the list", y)
		}
	}
	return &DeFiHackLabs{base{s.Name, s.Type, s.Location}, o.Past}, nil
}

func (d *DeFiHackLabs) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	paths := []string{"README.md"}
	for _, y := range d.past {
		paths = append(paths, "past/"+strconv.Itoa(y)+"/README.md")
	}
	var out []File
	for _, p := range paths {
		loc := baseURL(d.location) + "/" + p
		if !isURL(d.location) {
			loc = filepath.Join(d.location, filepath.FromSlash(p))
		}
		nbs, err := readLocation(ctx, hc, loc, "")
		if err != nil {
			return nil, err
		}
		b := nbs[0].data
		entries, err := ParseDeFiHackLabs(b, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for _, e := range entries {
			if err := enc.Encode(e); err != nil {
				return nil, err
			}
		}
		name := strings.ReplaceAll(strings.TrimSuffix(p, ".md"), "/", "_")
		out = append(out, File{Name: name + ".md", Data: b}, File{Name: name + ".jsonl", Format: "defihacklabs", Data: buf.Bytes()})
	}
	return out, nil
}

// DeFiHackLabsEntry is one exploit of the list, its texts as written.
type DeFiHackLabsEntry struct {
	File  string `json:"file"`
	Date  string `json:"date"`
	Name  string `json:"name"`
	Cause string `json:"cause"`
	Lost  string `json:"lost"`
}

// ParseDeFiHackLabs reads the entries of one README: a heading of three or
// more # whose text starts with eight digits opens an entry, and its first
// "Lost:" heading ("Total Lost :" in a few) gives the loss text. A file with
// no entry heading fails: the format changed, or it is not the list.
func ParseDeFiHackLabs(b []byte, file string) ([]DeFiHackLabsEntry, error) {
	var out []DeFiHackLabsEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		text, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "###")
		if !ok {
			continue
		}
		text = strings.TrimSpace(strings.TrimLeft(text, "#"))
		if isEntryDate(text) {
			out = append(out, parseEntryHeading(text, file))
			continue
		}
		if len(out) == 0 || out[len(out)-1].Lost != "" {
			continue
		}
		for _, label := range []string{"Lost:", "Lost :", "Total Lost:", "Total Lost :"} {
			if rest, ok := strings.CutPrefix(text, label); ok {
				out[len(out)-1].Lost = strings.TrimSpace(rest)
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf(`no entry heading ("### YYYYMMDD Name - Cause"): not the DeFiHackLabs list, or its format changed`)
	}
	return out, nil
}

func isEntryDate(s string) bool {
	if len(s) < 9 {
		return false
	}
	for _, c := range s[:8] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s[8] == ' ' || s[8] == '-'
}

// parseEntryHeading splits "YYYYMMDD Name - Cause"; the 2022 file puts a
// dash after the date, and one 2024 heading is a slug
// ("20240924-MARA---price-manipulation").
func parseEntryHeading(s, file string) DeFiHackLabsEntry {
	e := DeFiHackLabsEntry{File: file, Date: s[:8]}
	rest := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s[8:]), "-"))
	name, cause, ok := strings.Cut(rest, " - ")
	if !ok {
		name, cause, _ = strings.Cut(rest, "---")
	}
	e.Name, e.Cause = strings.TrimSpace(name), strings.TrimSpace(cause)
	return e
}
