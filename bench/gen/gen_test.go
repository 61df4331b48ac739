package gen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/sources"
	"github.com/heiststat/heiststat/sources/feed"
)

// readTree maps every file under dir to its bytes.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	}))
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	require.NoError(t, Generate(a, Spec{Scale: 2, Seed: 7}))
	require.NoError(t, Generate(b, Spec{Scale: 2, Seed: 7}))
	require.NoError(t, Generate(c, Spec{Scale: 2, Seed: 8}))
	ta, tb, tc := readTree(t, a), readTree(t, b), readTree(t, c)
	require.Equal(t, len(ta), len(tb))
	for name, data := range ta {
		require.True(t, bytes.Equal(data, tb[name]), "%s differs between two runs with the same seed", name)
	}
	require.False(t, bytes.Equal(ta[HacksFile], tc[HacksFile]), "another seed gave the same hacks")
}

func TestGenerateFormats(t *testing.T) {
	dir := t.TempDir()
	spec := Spec{Scale: 2, Seed: 1}
	require.NoError(t, Generate(dir, spec))

	var hacks []map[string]any
	b, err := os.ReadFile(filepath.Join(dir, HacksFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &hacks))
	require.Len(t, hacks, spec.Hacks())
	for _, k := range []string{"date", "name", "classification", "amount", "chain", "targetType", "returnedFunds", "defillamaId"} {
		require.Contains(t, hacks[0], k)
	}

	cur, err := os.ReadFile(filepath.Join(dir, CuratedFile))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(cur)), "\n")
	require.Equal(t, "incident_key,incident_date,date_precision,victim", lines[0][:len("incident_key,incident_date,date_precision,victim")])
	require.Len(t, lines, spec.Curated()+1)

	prices, err := filepath.Glob(filepath.Join(dir, PricesDir, "*-USD.csv"))
	require.NoError(t, err)
	require.Len(t, prices, spec.Assets())
	btc, err := os.ReadFile(filepath.Join(dir, PricesDir, "BTC-USD.csv"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(btc), "Price,Close,High,Low,Open,Volume\nTicker,BTC-USD,BTC-USD,BTC-USD,BTC-USD,BTC-USD\nDate,,,,,\n2016-06-01,"))

	ecb, err := os.ReadFile(filepath.Join(dir, ECBFile))
	require.NoError(t, err)
	rows := strings.Split(strings.TrimSpace(string(ecb)), "\n")
	require.True(t, strings.HasPrefix(rows[0], "Date,USD,JPY,"))
	require.True(t, strings.HasPrefix(rows[1], "2026-05-28,"), "newest first")
	require.True(t, strings.HasSuffix(rows[1], ","), "trailing comma")
	require.Contains(t, rows[1], ",N/A,", "discontinued currencies")
}

// The generated files pass the same shape checks as real feeds.
func TestGeneratedFeedsPassSourceChecks(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, Generate(dir, Spec{Scale: 1, Seed: 1}))
	srcs, err := sources.New([]feed.Spec{
		{Name: "hacks", Type: "defillama_hacks", Location: filepath.Join(dir, HacksFile)},
		{Name: "ecb", Type: "ecb_eurofxref", Location: filepath.Join(dir, ECBFile)},
		{Name: "prices", Type: "prices_yfinance", Location: filepath.Join(dir, PricesDir)},
		{Name: "curated", Type: "curated_incidents", Location: filepath.Join(dir, CuratedFile)},
	})
	require.NoError(t, err)
	for _, s := range srcs {
		files, err := s.Fetch(t.Context(), nil)
		require.NoError(t, err, s.Name())
		require.NotEmpty(t, files, s.Name())
	}
}

// The words keep generated victims apart under heiststat's name rules: no two
// agree in more than 3 of their 8 positions (and a letter belongs to one
// position mod 4, so they share no letter elsewhere within Jaro's window).
func TestVictimNamesDissimilar(t *testing.T) {
	words := make([]string, nameWords)
	for k := range words {
		words[k] = strings.ToLower(victimName(k))
		require.Len(t, words[k], 8)
	}
	for i := range words {
		for j := i + 1; j < len(words); j++ {
			agree := 0
			for p := range 8 {
				if words[i][p] == words[j][p] {
					agree++
				}
			}
			require.LessOrEqual(t, agree, 3, "%s and %s", words[i], words[j])
		}
	}
}

// A DeFiLlama and a curated amount are never within a ratio of 0.95, the
// same-day amount rule's threshold.
func TestAmountClassesApart(t *testing.T) {
	for a := 1e4; a < 2e10; a *= 1.0137 {
		x := float64(amountInClass(a, 0))
		for b := a / 1.3; b < a*1.3; b *= 1.003 {
			y := float64(amountInClass(b, 1))
			require.Less(t, min(x, y)/max(x, y), 0.95, "%v and %v", x, y)
		}
	}
}
