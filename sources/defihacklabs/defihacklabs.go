package defihacklabs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// List is the exploit list of SunWeb3Sec/DeFiHackLabs (Apache-2.0):
// the README files {location}/README.md (the current year) and
// {location}/past/YYYY/README.md (location
// https://raw.githubusercontent.com/SunWeb3Sec/DeFiHackLabs/main, or a local
// checkout or copy of those files). Each entry is a heading
// "### YYYYMMDD Name - Cause" ("### YYYYMMDD - Name - Cause" in 2022) and a
// "Lost: ..." line of free text, often in token units. The Markdown lands as
// fetched (archive only) beside the entries parsed from it, one JSON object
// a line (format defihacklabs); stg_defihacklabs__exploits reads the amounts.
type List struct {
	feed.Base
	past []int
}

// options: past lists the years with a past/YYYY/README.md.
type options struct {
	Past []int `yaml:"past"`
}

// NewList builds a defihacklabs source.
func NewList(s feed.Spec) (feed.Source, error) {
	o := options{Past: []int{2021, 2022, 2023, 2024, 2025}}
	b, err := feed.Located(s, &o)
	if err != nil {
		return nil, err
	}
	for _, y := range o.Past {
		if y < 2015 || y > 2100 {
			return nil, fmt.Errorf("options.past: %d is not a year of the list", y)
		}
	}
	return &List{b, o.Past}, nil
}

func (d *List) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	paths := []string{"README.md"}
	for _, y := range d.past {
		paths = append(paths, "past/"+strconv.Itoa(y)+"/README.md")
	}
	var out []feed.File
	for _, p := range paths {
		loc := fetch.BaseURL(d.Location()) + "/" + p
		if !fetch.IsURL(d.Location()) {
			loc = filepath.Join(d.Location(), filepath.FromSlash(p))
		}
		bs, err := fetch.Read(ctx, hc, loc, "")
		if err != nil {
			return nil, err
		}
		b := bs[0].Data
		entries, err := Parse(b, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		lines, err := feed.JSONLines(entries)
		if err != nil {
			return nil, err
		}
		name := strings.ReplaceAll(strings.TrimSuffix(p, ".md"), "/", "_")
		out = append(out, feed.File{Name: name + ".md", Data: b}, feed.File{Name: name + ".jsonl", Format: "defihacklabs", Data: lines})
	}
	return out, nil
}

// Entry is one exploit of the list, its texts as written.
type Entry struct {
	File  string `json:"file"`
	Date  string `json:"date"`
	Name  string `json:"name"`
	Cause string `json:"cause"`
	Lost  string `json:"lost"`
}

// Parse reads the entries of one README: a heading of three or
// more # whose text starts with eight digits opens an entry, and its first
// "Lost:" heading ("Total Lost :" in a few) gives the loss text. A file with
// no entry heading fails: the format changed, or it is not the list.
func Parse(b []byte, file string) ([]Entry, error) {
	var out []Entry
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
func parseEntryHeading(s, file string) Entry {
	e := Entry{File: file, Date: s[:8]}
	rest := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s[8:]), "-"))
	name, cause, ok := strings.Cut(rest, " - ")
	if !ok {
		name, cause, _ = strings.Cut(rest, "---")
	}
	e.Name, e.Cause = strings.TrimSpace(name), strings.TrimSpace(cause)
	return e
}
