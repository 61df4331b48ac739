package defihacklabs

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
)

// The README files are served at raw.githubusercontent.com's paths or read
// from a checkout; both land the same files.
func TestFetch(t *testing.T) {
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /dhl/": func(w http.ResponseWriter, r *http.Request) {
			b, err := os.ReadFile(filepath.Join("testdata", "repo", strings.TrimPrefix(r.URL.Path, "/dhl/")))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write(b)
		},
	})
	for _, loc := range []string{srv.URL + "/dhl", filepath.Join("testdata", "repo")} {
		s := feedtest.Spec("defihacklabs", loc)
		s.Options = feedtest.YAML("past: [2021, 2022, 2024]")
		files, err := feedtest.Must(t, NewList, s).Fetch(t.Context(), feedtest.Client())
		require.NoError(t, err)
		require.Equal(t, []string{"README.md ", "README.jsonl defihacklabs", "past_2021_README.md ", "past_2021_README.jsonl defihacklabs",
			"past_2022_README.md ", "past_2022_README.jsonl defihacklabs", "past_2024_README.md ", "past_2024_README.jsonl defihacklabs"}, feedtest.FileNames(files))
	}
	require.Equal(t, []string{"GET /dhl/README.md", "GET /dhl/past/2021/README.md", "GET /dhl/past/2022/README.md", "GET /dhl/past/2024/README.md"}, srv.Take())
}

// The README headings in their three forms, and the loss line under ### or
// ####, or missing.
func TestParse(t *testing.T) {
	var got []Entry
	for _, p := range []string{"README.md", "past/2021/README.md", "past/2022/README.md", "past/2024/README.md"} {
		es, err := Parse(feedtest.Testdata(t, "repo/"+p), p)
		require.NoError(t, err)
		got = append(got, es...)
	}
	require.Equal(t, []Entry{
		{"README.md", "20260815", "FoxLpBondsPool", "Stale _stakeAmount from manipulable AMM spot quote", "~112,976.12 USDC (~$118.7K reported)"},
		{"README.md", "20260809", "USM", "defund() price split-invariance rounding exploit", "~70.83 ETH"},
		{"README.md", "20260806", "UnistreetLaunchpad", "Arbitrary call injection via unvalidated launch forwarding", "~$17,743.91 USDC + ~0.0072 WETH (plus 9 illiquid launch memecoin positions)"},
		{"past/2021/README.md", "20211221", "Visor Finance", "Reentrancy", "$8.2 million"},
		{"past/2021/README.md", "20211123", "Ploutoz", "Flash Loan", "365K"},
		{"past/2022/README.md", "20221230", "DFS", "Insufficient validation + flashloan", "$1450"},
		{"past/2022/README.md", "20221229", "JAY", "Insufficient validation + Reentrancy", "~15.32 ETH"},
		{"past/2024/README.md", "20240924", "MARA", "price-manipulation", "~8.8 WBNB (~5.3K USD)"},
	}, got)
	_, err := Parse([]byte("# DeFiHackLabs\n\n## 20260815 FoxLpBondsPool - Stale quote\n"), "README.md")
	require.ErrorContains(t, err, `no entry heading ("### YYYYMMDD Name - Cause")`)
}
