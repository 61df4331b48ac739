package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/heiststat/heiststat/pipeline/warehouse"
	"github.com/stretchr/testify/require"
)

// published runs the offline config once and returns it with its out folder.
func published(t *testing.T) (cfg, out string) {
	t.Helper()
	dir := t.TempDir()
	cfg = offlineConfig(t, dir)
	var o, e bytes.Buffer
	require.Equal(t, exitDegraded, run([]string{"run", "-c", cfg, "--log-format", "json"}, &o, &e), e.String())
	return cfg, filepath.Join(dir, "out")
}

func TestQueryCommand(t *testing.T) {
	cfg, out := published(t)
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run([]string{"query", "-c", cfg, "select count(*) from incidents"}, &stdout, &stderr), stderr.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.Len(t, lines, 3, stdout.String()) // header, count, row count
	n, err := strconv.Atoi(strings.TrimSpace(lines[1]))
	require.NoError(t, err)

	// The count is the number of rows in incidents.parquet, read another way.
	var m struct {
		Files []struct {
			Path string `json:"path"`
			Rows int    `json:"rows"`
		} `json:"files"`
	}
	b, err := os.ReadFile(filepath.Join(out, "current/manifest.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &m))
	for _, f := range m.Files {
		if f.Path == "parquet/incidents/incidents.parquet" {
			require.Equal(t, f.Rows, n)
		}
	}
	require.Positive(t, n)

	stdout.Reset()
	require.Equal(t, exitOK, run([]string{"query", "--out", out, "-f", "json",
		"select victim, amount_usd, incident_date from incidents where victim ilike 'ronin%'"}, &stdout, &stderr), stderr.String())
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rows), stdout.String())
	require.Len(t, rows, 1)
	require.Equal(t, "2022-03-23", rows[0]["incident_date"])
	require.Greater(t, rows[0]["amount_usd"].(float64), 5e8)

	stdout.Reset()
	require.Equal(t, exitOK, run([]string{"query", "--out", out, "--format", "csv",
		"select year, stolen_usd from annual order by year"}, &stdout, &stderr), stderr.String())
	recs, err := csv.NewReader(&stdout).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"year", "stolen_usd"}, recs[0])

	// Read-only: nothing a query does reaches the disk.
	target := filepath.Join(t.TempDir(), "x.csv")
	stderr.Reset()
	require.Equal(t, exitUsage, run([]string{"query", "--out", out, "copy (select 1) to '" + target + "'"}, &stdout, &stderr))
	require.NoFileExists(t, target)
	require.Contains(t, stderr.String(), "read-only")

	require.Equal(t, exitFailed, run([]string{"query", "--out", t.TempDir(), "select 1"}, &stdout, &stderr))
	require.Contains(t, stderr.String(), "no published release")
}

func TestReportCommand(t *testing.T) {
	cfg, _ := published(t)
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run([]string{"report", "-c", cfg, "--actor", "DPRK", "--currency", "GBP"}, &stdout, &stderr), stderr.String())
	s := stdout.String()
	require.Contains(t, s, "stolen in GBP")
	require.Regexp(t, `£\d+\.\dm`, s, "money as people read it")
	require.Contains(t, s, "share of year")
	require.Contains(t, s, "2022")
	require.True(t, strings.Contains(s, "▲") && strings.Contains(s, "▼"), s)

	stdout.Reset()
	require.Equal(t, exitOK, run([]string{"report", "-c", cfg, "--year", "2022"}, &stdout, &stderr), stderr.String())
	body := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.Len(t, body, 6, stdout.String()) // title, blank, header, 2022, blank, footnote
	require.Contains(t, body[3], "2022")
	require.Contains(t, body[3], "%", "2022 has a YoY against 2021")

	require.Equal(t, exitUsage, run([]string{"run", "-c", cfg, "--value-at", "21/11/2024"}, &stdout, &stderr))
	require.Contains(t, stderr.String(), "--value-at")

	require.Equal(t, exitUsage, run([]string{"report", "-c", cfg, "--currency", "JPY"}, &stdout, &stderr))
	require.Contains(t, stderr.String(), "stolen_jpy")
}

// Every SQL block of docs/reading-outputs.md runs on a release (through
// query, with the Parquet paths read as the release's tables) and returns rows.
func TestReadingOutputsSnippets(t *testing.T) {
	b, err := os.ReadFile("../../docs/reading-outputs.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	require.GreaterOrEqual(t, len(blocks), 3)
	cfg, out := published(t)
	paths := regexp.MustCompile(`'out/current/parquet/(\w+)/\w+\.parquet'`)
	for _, blk := range blocks {
		q := blk[1]
		if strings.Contains(q, "parquet_kv_metadata") {
			q = strings.ReplaceAll(q, "'out/current/", "'"+filepath.Join(out, "current")+"/")
			db, err := warehouse.Open("")
			require.NoError(t, err)
			var v string
			require.NoError(t, db.QueryRow(q).Scan(&v), q)
			require.Equal(t, "1", v)
			db.Close()
			continue
		}
		q = paths.ReplaceAllString(q, "$1")
		var stdout, stderr bytes.Buffer
		require.Equal(t, exitOK, run([]string{"query", "-c", cfg, "-f", "csv", "--", q}, &stdout, &stderr), "%s\n%s", q, stderr.String())
		recs, err := csv.NewReader(&stdout).ReadAll()
		require.NoError(t, err)
		require.Greater(t, len(recs), 1, "rows from:\n%s", q)
	}
}
