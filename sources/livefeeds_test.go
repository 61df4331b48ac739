package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// liveFixtures serves testdata/live (and testdata/blocksec/all.json) at the
// live endpoints' paths, recording each request as "METHOD path?query body".
type liveFixtures struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
	agents   []string
}

func newLiveFixtures(t *testing.T) *liveFixtures {
	t.Helper()
	l := &liveFixtures{}
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, rel string) {
		b, err := os.ReadFile(filepath.Join("testdata", rel))
		if err != nil {
			http.NotFound(w, nil)
			return
		}
		_, _ = w.Write(b)
	}
	mux.HandleFunc("GET /v1/rekt/list", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		serve(w, fmt.Sprintf("live/defi_rekt_api/page_%02d.json", n))
	})
	mux.HandleFunc("POST /api/v1/attack/events", func(w http.ResponseWriter, r *http.Request) {
		serve(w, "blocksec/all.json") // 2 events: one page of 100
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		serve(w, fmt.Sprintf("live/slowmist_html/page_%03d.html", n))
	})
	mux.HandleFunc("GET /dhl/", func(w http.ResponseWriter, r *http.Request) {
		serve(w, "live/defihacklabs/"+strings.TrimPrefix(r.URL.Path, "/dhl/"))
	})
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 200)
		n, _ := r.Body.Read(body)
		l.mu.Lock()
		l.requests = append(l.requests, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+string(body[:n])))
		l.agents = append(l.agents, r.UserAgent())
		l.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(l.Close)
	return l
}

func TestLiveFeedsFetchFixtures(t *testing.T) {
	l := newLiveFixtures(t)

	t.Run("defi_rekt_api", func(t *testing.T) {
		files, err := newSource(t, "defi_rekt_api", l.URL+"/").Fetch(t.Context(), testClient())
		require.NoError(t, err)
		require.Equal(t, []string{"page_001.json defi_rekt_api", "page_002.json defi_rekt_api"}, fileNames(files))
		require.Equal(t, []string{
			"GET /v1/rekt/list?sortField=fundsLost&sort=desc&sortDirection=desc&limit=100&page=1",
			"GET /v1/rekt/list?sortField=fundsLost&sort=desc&sortDirection=desc&limit=100&page=2",
		}, l.take())
	})
	t.Run("blocksec_api", func(t *testing.T) {
		files, err := newSource(t, "blocksec_api", l.URL).Fetch(t.Context(), testClient())
		require.NoError(t, err)
		require.Equal(t, []string{"page_001.json blocksec_events"}, fileNames(files))
		require.Equal(t, []string{`POST /api/v1/attack/events {"page":1,"pageSize":100,"ignoreEmpty":true}`}, l.take())
	})
	t.Run("slowmist_html", func(t *testing.T) {
		files, err := newSource(t, "slowmist_html", l.URL).Fetch(t.Context(), testClient())
		require.NoError(t, err)
		require.Equal(t, []string{"page_001.html ", "page_002.html ", "events.jsonl slowmist_html", "refresh.json "}, fileNames(files))
		require.Equal(t, []string{"GET /?c=&page=1", "GET /?c=&page=2"}, l.take())
		require.Equal(t, []string{BrowserUserAgent, BrowserUserAgent}, l.agents[len(l.agents)-2:])
		var e SlowMistEvent
		require.NoError(t, json.Unmarshal([]byte(strings.SplitN(string(files[2].Data), "\n", 2)[0]), &e))
		require.Equal(t, SlowMistEvent{Date: "2026-05-29", Name: "MoneyMon",
			Description:  "The LegendaryMoneyMonNft contract’s cliamRewred function had a signature verification flaw. The verify() only checked if recoverSigner(...) == admin, without properly validating cases where ecrecover returns address(0). The attacker set admin to zero address, then used an invalid signature (r=0, s=0, v=27) to bypass checks, arbitrarily claim rewards, drain all tokens from the contract, and swap them for USDT via PancakeSwap.",
			Amount:       "$ 85,519.47",
			AttackMethod: "Smart Contract Vulnerability",
			Reference:    "https://x.com/SlowMist_Team/status/2060205558687486441"}, e)
		require.Equal(t, 4, strings.Count(string(files[2].Data), "\n"), "two events a page")
	})
	t.Run("defihacklabs", func(t *testing.T) {
		for _, loc := range []string{l.URL + "/dhl", filepath.Join("testdata", "live", "defihacklabs")} {
			files, err := newSourceWith(t, "defihacklabs", loc, "past: [2021, 2022, 2024]").Fetch(t.Context(), testClient())
			require.NoError(t, err)
			require.Equal(t, []string{"README.md ", "README.jsonl defihacklabs", "past_2021_README.md ", "past_2021_README.jsonl defihacklabs",
				"past_2022_README.md ", "past_2022_README.jsonl defihacklabs", "past_2024_README.md ", "past_2024_README.jsonl defihacklabs"}, fileNames(files))
		}
		require.Equal(t, []string{"GET /dhl/README.md", "GET /dhl/past/2021/README.md", "GET /dhl/past/2022/README.md", "GET /dhl/past/2024/README.md"}, l.take())
	})
}

func (l *liveFixtures) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.requests
	l.requests = nil
	return out
}

func fileNames(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name+" "+f.Format)
	}
	return out
}

// The README headings in their three forms, and the loss line under ### or
// ####, or missing.
func TestParseDeFiHackLabs(t *testing.T) {
	var got []DeFiHackLabsEntry
	for _, p := range []string{"README.md", "past/2021/README.md", "past/2022/README.md", "past/2024/README.md"} {
		es, err := ParseDeFiHackLabs(readTestdata(t, "live/defihacklabs/"+p), p)
		require.NoError(t, err)
		got = append(got, es...)
	}
	require.Equal(t, []DeFiHackLabsEntry{
		{"README.md", "20260815", "FoxLpBondsPool", "Stale _stakeAmount from manipulable AMM spot quote", "~112,976.12 USDC (~$118.7K reported)"},
		{"README.md", "20260809", "USM", "defund() price split-invariance rounding exploit", "~70.83 ETH"},
		{"README.md", "20260806", "UnistreetLaunchpad", "Arbitrary call injection via unvalidated launch forwarding", "~$17,743.91 USDC + ~0.0072 WETH (plus 9 illiquid launch memecoin positions)"},
		{"past/2021/README.md", "20211221", "Visor Finance", "Reentrancy", "$8.2 million"},
		{"past/2021/README.md", "20211123", "Ploutoz", "Flash Loan", "365K"},
		{"past/2022/README.md", "20221230", "DFS", "Insufficient validation + flashloan", "$1450"},
		{"past/2022/README.md", "20221229", "JAY", "Insufficient validation + Reentrancy", "~15.32 ETH"},
		{"past/2024/README.md", "20240924", "MARA", "price-manipulation", "~8.8 WBNB (~5.3K USD)"},
	}, got)
	_, err := ParseDeFiHackLabs([]byte("# DeFiHackLabs\n\n## 20260815 FoxLpBondsPool - Stale quote\n"), "README.md")
	require.ErrorContains(t, err, `no entry heading ("### YYYYMMDD Name - Cause")`)
}

// A page that is not the expected shape fails, naming what is missing.
func TestLiveFeedsShapeErrors(t *testing.T) {
	slowmist := string(readTestdata(t, "live/slowmist_html/page_001.html"))
	for _, tc := range []struct{ name, page, want string }{
		{"challenge page", `<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>`,
			`not a SlowMist Hacked page (title "Just a moment..."), a bot challenge or error page?`},
		{"pager gone", strings.Replace(slowmist, "Page 1 of 2", "1 / 2", 1), `no pager ("Page N of M" in ul.pagination)`},
		{"label renamed", strings.ReplaceAll(slowmist, "Attack method: ", "Attack type: "), `field "Attack method:" is missing in all 2 events`},
		{"dates gone", strings.ReplaceAll(slowmist, `class="time"`, `class="date"`), `field "time" is missing in all 2 events`},
		{"another page", strings.Replace(slowmist, "Page 1 of 2", "Page 3 of 2", 1), "the pager says page 3"},
	} {
		t.Run("slowmist "+tc.name, func(t *testing.T) {
			_, _, err := ParseSlowMistPage([]byte(tc.page), 1)
			require.ErrorContains(t, err, tc.want)
		})
	}
	rekt := string(readTestdata(t, "live/defi_rekt_api/page_01.json"))
	for _, tc := range []struct{ name, page, want string }{
		{"items renamed", strings.Replace(rekt, `"items"`, `"data"`, 1), `field "items" is missing`},
		{"name renamed", strings.ReplaceAll(rekt, `"project_name"`, `"projectName"`), `required field "project_name" is missing`},
		{"loss retyped", strings.ReplaceAll(rekt, `"funds_lost": 625000000`, `"funds_lost": "625000000"`), ``},
		{"wrong page", strings.Replace(rekt, `"currentPage": 1`, `"currentPage": 2`, 1), `"currentPage" is 2, asked for page 1`},
		{"truncated", rekt[:len(rekt)/2], "not a De.Fi REKT page object"},
	} {
		t.Run("defi_rekt "+tc.name, func(t *testing.T) {
			_, err := checkDefiRektPage([]byte(tc.page), 1)
			if tc.want == "" {
				require.NoError(t, err, "one odd item is staging's to quarantine")
				return
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// Pages are read to the count page 1 gives; a count that changes while
// paging, or a failing page, fails the whole fetch.
func TestFetchPages(t *testing.T) {
	counts := map[int]int{1: 3, 2: 3, 3: 3}
	fetched := 0
	fetch := func(_ context.Context, page int) ([]byte, error) {
		fetched++
		return []byte(strconv.Itoa(page)), nil
	}
	stopAt := 0
	check := func(page int, b []byte) ([]File, int, bool, error) {
		return []File{{Name: pageName(page, ".txt"), Data: b}}, counts[page], page == stopAt, nil
	}
	files, err := fetchPages(t.Context(), fetch, check)
	require.NoError(t, err)
	require.Equal(t, []string{"page_001.txt ", "page_002.txt ", "page_003.txt "}, fileNames(files))

	stopAt = 2
	files, err = fetchPages(t.Context(), fetch, check)
	require.NoError(t, err)
	require.Equal(t, []string{"page_001.txt ", "page_002.txt "}, fileNames(files), "an incremental fetch stops early")
	stopAt = 0

	counts[2] = 4
	_, err = fetchPages(t.Context(), fetch, check)
	require.ErrorContains(t, err, "page 2: the page count changed from 3 to 4 while paging")

	counts[1] = maxPages + 1
	fetched = 0
	_, err = fetchPages(t.Context(), fetch, check)
	require.ErrorContains(t, err, "page 1 announces 1001 pages")
	require.Equal(t, 1, fetched)
}

// An incremental SlowMist fetch stops at the first page whose events are all
// in the last good snapshot and carries the others over; a due full refresh
// reads every page again.
func TestSlowMistIncremental(t *testing.T) {
	l := newLiveFixtures(t)
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	fetch := func(at time.Time, prev []File) []File {
		ex := &Exchange{PreviousFiles: map[string]string{}}
		bodies := map[string][]byte{}
		for _, f := range prev {
			sum := sha256.Sum256(f.Data)
			ex.PreviousFiles[f.Name] = hex.EncodeToString(sum[:])
			bodies[hex.EncodeToString(sum[:])] = f.Data
		}
		ex.Archived = func(sum string) ([]byte, error) { return bodies[sum], nil }
		src := newSourceWith(t, "slowmist_html", l.URL, "{incremental: true, full_refresh: 168h}").(*SlowMistHTML)
		src.now = func() time.Time { return at }
		files, err := src.Fetch(WithExchange(t.Context(), ex), testClient())
		require.NoError(t, err)
		return files
	}
	first := fetch(t0, nil)
	require.Equal(t, []string{"GET /?c=&page=1", "GET /?c=&page=2"}, l.take(), "nothing archived: every page")
	require.JSONEq(t, `{"full_refresh_at": "2026-06-01T12:00:00Z"}`, string(first[3].Data))

	again := fetch(t0.Add(time.Hour), first)
	require.Equal(t, []string{"GET /?c=&page=1"}, l.take(), "page 1 holds only archived events")
	require.Equal(t, []string{"page_001.html ", "events.jsonl slowmist_html", "refresh.json "}, fileNames(again))
	require.Equal(t, first[2].Data, again[1].Data, "the same events, in the same order")
	require.Equal(t, first[3].Data, again[2].Data, "no full refresh since")

	// The newest event of page 1 was not archived: page 2 is read too.
	lines := strings.SplitAfter(string(first[2].Data), "\n")
	newer := fetch(t0.Add(time.Hour), []File{{Name: "events.jsonl", Data: []byte(strings.Join(lines[1:], ""))}, first[3]})
	require.Equal(t, []string{"GET /?c=&page=1", "GET /?c=&page=2"}, l.take())
	require.Equal(t, first[2].Data, newer[2].Data)

	due := fetch(t0.Add(7*24*time.Hour), again)
	require.Equal(t, []string{"GET /?c=&page=1", "GET /?c=&page=2"}, l.take(), "a full refresh is due")
	require.JSONEq(t, `{"full_refresh_at": "2026-06-08T12:00:00Z"}`, string(due[3].Data))
}
