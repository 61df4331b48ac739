// Package defirekt reads the De.Fi REKT database, as a flattened CSV export
// or from the API its web app reads.
package defirekt

import "github.com/heiststat/heiststat/sources/feed"

// Header is the header of a flattened De.Fi REKT database export.
const Header = "id,date,name,category,chain,funds_lost,funds_recovered,funds_returned,scam_type,scam_parent,year"

// NewExport builds a defi_rekt source: one or more export CSVs.
func NewExport(s feed.Spec) (feed.Source, error) { return feed.NewCSV(s, Header) }
