// Package slowmist reads SlowMist Hacked (hacked.slowmist.io), as a CSV
// export or from the site's HTML pages.
package slowmist

import "github.com/heiststat/heiststat/sources/feed"

// Header is the header of a SlowMist Hacked export.
const Header = "date,name,description,loss_usd,attack_method,reference,year"

// NewHacked builds a slowmist_hacked source: one or more export CSVs.
func NewHacked(s feed.Spec) (feed.Source, error) { return feed.NewCSV(s, Header) }
