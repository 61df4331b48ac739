package pipeline

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readCells parses a published CSV into rows of cells (header included).
func readCells(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err, path)
	return rows
}

func releaseCSVs(t *testing.T, current string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(current, "csv", "*.csv"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

var (
	scientific = regexp.MustCompile(`^[-+]?[0-9]*\.?[0-9]+[eE][-+]?[0-9]+$`)
	formula    = regexp.MustCompile(`^[=+\-@\t\r]`)
	number     = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
)

// Every published CSV (the summary tables included) exists after a snapshot
// run, and no cell holds scientific notation, inf or NaN.
func TestSnapshotSummaryCSVsFixedPoint(t *testing.T) {
	res := snapshotRun(t)
	for _, name := range []string{"annual_by_victim_type", "annual_by_chain", "annual_by_technique",
		"annual_by_country", "top_incidents", "actor_share"} {
		require.FileExists(t, filepath.Join(res.Current, "csv", name+".csv"))
	}
	for _, f := range releaseCSVs(t, res.Current) {
		for i, row := range readCells(t, f) {
			for _, cell := range row {
				require.False(t, scientific.MatchString(cell), "%s row %d: %q", f, i, cell)
				switch strings.ToLower(strings.TrimLeft(cell, "+-")) {
				case "inf", "infinity", "nan":
					t.Fatalf("%s row %d: %q", f, i, cell)
				}
			}
		}
	}
}

// The summary tables carry YoY, share of the year, is_partial_year and
// as_of_date, and add up to the annual totals.
func TestSnapshotSummaryTables(t *testing.T) {
	res := snapshotRun(t)
	annual := map[string]map[string]string{}
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/annual.csv")) {
		annual[r["year"]] = r
	}
	for _, dim := range []string{"victim_type", "country", "technique"} {
		sum := map[string]int{}
		for _, r := range readCSV(t, filepath.Join(res.Current, "csv/annual_by_"+dim+".csv")) {
			for _, col := range []string{"yoy_stolen_usd_pct", "share_of_year_pct", "is_partial_year", "as_of_date"} {
				require.Contains(t, r, col, dim)
			}
			require.Equal(t, "2026-08-20", r["as_of_date"])
			require.Equal(t, annual[r["year"]]["is_partial_year"], r["is_partial_year"])
			sum[r["year"]] += atoi(t, r["incidents"])
		}
		for y, a := range annual {
			require.Equal(t, atoi(t, a["incidents"]), sum[y], "%s %s", dim, y)
		}
	}

	top := readCSV(t, filepath.Join(res.Current, "csv/top_incidents.csv"))
	perYear := map[string]int{}
	for _, r := range top {
		perYear[r["year"]]++
	}
	require.Equal(t, 10, perYear["2022"])
	require.Equal(t, "1", top[0]["rank"])

	var dprk2024 map[string]string
	for _, r := range readCSV(t, filepath.Join(res.Current, "csv/actor_share.csv")) {
		if r["actor"] == "DPRK" && r["year"] == "2024" {
			dprk2024 = r
		}
	}
	require.NotNil(t, dprk2024)
	require.Equal(t, annual["2024"]["stolen_usd"], dprk2024["year_stolen_usd"])
	require.NotEmpty(t, dprk2024["share_of_year_pct"])
	require.NotEmpty(t, dprk2024["yoy_stolen_usd_pct"])
}

// A DeFiLlama record named =HYPERLINK("http://x","y") (and formula-like
// technique, classification and chains) cannot run as a formula in any CSV:
// the cell is prefixed with a single quote and quoted; numbers stay numbers.
func TestCSVInjectionNeutralized(t *testing.T) {
	dir := t.TempDir()
	res, err := runWith(t, parse(t, withHacks(absPath(t, "testdata/defillama_injection.json")), dir), dir, Options{})
	require.NoError(t, err)

	seen := map[string]bool{}
	for _, f := range releaseCSVs(t, res.Current) {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NotContains(t, string(b), `,=HYPERLINK`, f)
		for i, row := range readCells(t, f) {
			for _, cell := range row {
				seen[cell] = true
				if formula.MatchString(cell) {
					require.Regexp(t, number, cell, "%s row %d: a cell a spreadsheet would run", filepath.Base(f), i)
				}
			}
		}
	}
	for _, want := range []string{`'=HYPERLINK("http://x","y")`, `'+cmd|' /C calc'!A0`, "'-2+3", "'\t=1+1", "-12.5"} {
		require.True(t, seen[want], "no cell %q", want)
	}
	b, err := os.ReadFile(filepath.Join(res.Current, "csv/top_incidents.csv"))
	require.NoError(t, err)
	require.Contains(t, string(b), `"'=HYPERLINK(""http://x"",""y"")"`, "the neutralized cell is quoted")

	rows := readCSV(t, filepath.Join(res.Current, "csv/rejects.csv"))
	require.Len(t, rows, 1)
	require.Equal(t, "negative amount", rows[0]["reason"])
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
