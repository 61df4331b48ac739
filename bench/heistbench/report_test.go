package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeAnnual writes an annual.csv with the given rows under dir/sub.
func writeAnnual(t *testing.T, dir, sub, rows string) measurement {
	t.Helper()
	out := filepath.Join(dir, sub)
	require.NoError(t, os.MkdirAll(filepath.Join(out, "csv"), 0o755))
	text := "year,incidents,stolen_usd,stolen_gbp,returned_usd\n" + rows
	require.NoError(t, os.WriteFile(filepath.Join(out, "annual.csv"), []byte(text), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(out, "csv", "annual.csv"), []byte(text), 0o644))
	return measurement{Out: out}
}

func TestCompareFailsWhenJobsDisagree(t *testing.T) {
	dir := t.TempDir()
	h := writeAnnual(t, dir, "h", "2020,3,100.00,80.00,0\n2021,2,50.10,40.05,0\n")
	same := writeAnnual(t, dir, "same", "2020,3,100.00,80.00,0\n2021,2,50.10,40.05,0\n")
	cent := writeAnnual(t, dir, "cent", "2020,3,100.01,80.00,0\n2021,2,50.10,40.04,0\n")
	merged := writeAnnual(t, dir, "merged", "2020,2,90.00,72.00,0\n2021,2,50.10,40.05,0\n")
	off := writeAnnual(t, dir, "off", "2020,3,100.03,80.00,0\n2021,2,50.10,40.05,0\n")

	var r report
	require.NoError(t, r.compare("1x", h, same, same))
	require.Contains(t, r.Checks[0], "pandas' is identical")
	require.NoError(t, r.compare("1x", h, same, cent))
	require.Contains(t, r.Checks[1], "within a cent")

	err := r.compare("1x", h, merged, same)
	require.ErrorContains(t, err, "2020: heiststat 3,100.00,80.00, reference 2,90.00,72.00")
	require.ErrorContains(t, r.compare("1x", h, same, off), "pandas 3,100.03,80.00")
	require.ErrorContains(t, r.compare("1x", h, cent, same), "reference")
	require.Len(t, r.Checks, 2, "a failed comparison adds no check line")
}
