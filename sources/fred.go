package sources

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// FREDGraph is a FRED daily exchange-rate series as fredgraph.csv serves it
// (https://fred.stlouisfed.org/graph/fredgraph.csv?id=DEXUSUK): a date column
// and one column named after the series. The current header is
// observation_date,<ID> with blank cells for missing days; older downloads
// say DATE,<ID> and use ".". Both are landed as fetched; staging reads either.
type FREDGraph struct {
	base
	pattern string
}

func newFREDGraph(s Spec) (Source, error) {
	if err := requireLocation(s); err != nil {
		return nil, err
	}
	o := patternOptions{Pattern: "*.csv"}
	if err := decodeOptions(s, &o); err != nil {
		return nil, err
	}
	return &FREDGraph{base{s.Name, s.Type, s.Location}, o.Pattern}, nil
}

func (f *FREDGraph) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	files, err := fetchChecked(ctx, hc, f.location, f.pattern, "fred_fredgraph", checkFREDGraph)
	for i := range files {
		if ext(files[i].Name) != ".csv" {
			files[i].Name += ".csv" // the live URL ends in /fredgraph.csv?id=..., but a path may not
		}
	}
	return files, err
}

var fredSeriesRE = regexp.MustCompile(`^[A-Z0-9]+$`)

// checkFREDGraph requires a two-column header: a date column under either of
// its names, then a series id (the staging model looks the id up in
// seeds/fred_series.csv to know the currency and the quoting direction).
func checkFREDGraph(b []byte) error {
	lines := firstLines(b, 1)
	if len(lines) == 0 {
		return fmt.Errorf("empty file")
	}
	cols := strings.Split(lines[0], ",")
	if len(cols) != 2 {
		return fmt.Errorf("header %q: want 2 columns (date, series)", lines[0])
	}
	if cols[0] != "observation_date" && cols[0] != "DATE" {
		return fmt.Errorf("header %q: first column must be observation_date or DATE", lines[0])
	}
	if !fredSeriesRE.MatchString(cols[1]) {
		return fmt.Errorf("header %q: second column %q is not a FRED series id", lines[0], cols[1])
	}
	return nil
}
