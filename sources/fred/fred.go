package fred

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/heiststat/heiststat/sources/feed"
)

// Graph is a FRED daily exchange-rate series as fredgraph.csv serves it
// (https://fred.stlouisfed.org/graph/fredgraph.csv?id=DEXUSUK): a date column
// and one column named after the series. The current header is
// observation_date,<ID> with blank cells for missing days; older downloads
// say DATE,<ID> and use ".". Both are landed as fetched; staging reads either.
type Graph struct {
	feed.Base
	pattern string
}

// NewGraph builds a fred_fredgraph source.
func NewGraph(s feed.Spec) (feed.Source, error) {
	o := feed.PatternOptions{Pattern: "*.csv"}
	b, err := feed.Located(s, &o)
	if err != nil {
		return nil, err
	}
	return &Graph{b, o.Pattern}, nil
}

func (f *Graph) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	files, err := feed.Checked(ctx, hc, f.Location(), f.pattern, "fred_fredgraph", checkGraph)
	return feed.WithExt(files, ".csv"), err // the live URL ends in /fredgraph.csv?id=..., but a path may not
}

var seriesRE = regexp.MustCompile(`^[A-Z0-9]+$`)

// checkGraph requires a two-column header: a date column under either of
// its names, then a series id (the staging model looks the id up in
// seeds/fred_series.csv to know the currency and the quoting direction).
func checkGraph(b []byte) error {
	lines := feed.FirstLines(b, 1)
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
	if !seriesRE.MatchString(cols[1]) {
		return fmt.Errorf("header %q: second column %q is not a FRED series id", lines[0], cols[1])
	}
	return nil
}
