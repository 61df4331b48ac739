// Package bundled holds the data files embedded in the binary: the curated
// DPRK incident list, and the price and FX points needed to value it when no
// feed and no archive is available. See README.md in this folder.
package bundled

import "embed"

//go:embed *.csv
var FS embed.FS
