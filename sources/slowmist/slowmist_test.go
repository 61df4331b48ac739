package slowmist

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

func TestHackedFetch(t *testing.T) {
	files := feedtest.RequireFetch(t, NewHacked, "slowmist_hacked", "testdata")
	require.Equal(t, []string{"hacked.csv slowmist_hacked"}, feedtest.FileNames(files))
	feedtest.RequireRenamedColumnFails(t, NewHacked, "slowmist_hacked", "hacked.csv", "loss_usd", "loss")
}

func TestHackedRealSnapshot(t *testing.T) {
	files := feedtest.RequireFetch(t, NewHacked, "slowmist_hacked", feedtest.SharedPath(t, "hacks/slowmist_hacked_all_records_2026-05-29.csv"))
	require.Len(t, files, 1)
}

// site serves testdata/html/page_NNN.html as the site serves ?page=N.
func site(t *testing.T) *feedtest.Mux {
	return feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /{$}": feedtest.Pages("html/page_%03d.html"),
	})
}

func TestHTMLFetch(t *testing.T) {
	srv := site(t)
	files := feedtest.RequireFetch(t, NewHTML, "slowmist_html", srv.URL)
	require.Equal(t, []string{"page_001.html ", "page_002.html ", "events.jsonl slowmist_html", "refresh.json "}, feedtest.FileNames(files))
	require.Equal(t, []string{"GET /?c=&page=1", "GET /?c=&page=2"}, srv.Take())
	srv.RequireUserAgent(t, fetch.BrowserUserAgent)
	var e Event
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(string(files[2].Data), "\n", 2)[0]), &e))
	require.Equal(t, Event{Date: "2026-05-29", Name: "MoneyMon",
		Description:  "The LegendaryMoneyMonNft contract’s cliamRewred function had a signature verification flaw. The verify() only checked if recoverSigner(...) == admin, without properly validating cases where ecrecover returns address(0). The attacker set admin to zero address, then used an invalid signature (r=0, s=0, v=27) to bypass checks, arbitrarily claim rewards, drain all tokens from the contract, and swap them for USDT via PancakeSwap.",
		Amount:       "$ 85,519.47",
		AttackMethod: "Smart Contract Vulnerability",
		Reference:    "https://x.com/SlowMist_Team/status/2060205558687486441"}, e)
	require.Equal(t, 4, strings.Count(string(files[2].Data), "\n"), "two events a page")
}

// A page that is not the expected shape fails, naming what is missing.
func TestParsePageShapeErrors(t *testing.T) {
	page := string(feedtest.Testdata(t, "html/page_001.html"))
	for _, tc := range []struct{ name, page, want string }{
		{"challenge page", `<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>`,
			`not a SlowMist Hacked page (title "Just a moment..."), a bot challenge or error page?`},
		{"pager gone", strings.Replace(page, "Page 1 of 2", "1 / 2", 1), `no pager ("Page N of M" in ul.pagination)`},
		{"label renamed", strings.ReplaceAll(page, "Attack method: ", "Attack type: "), `field "Attack method:" is missing in all 2 events`},
		{"dates gone", strings.ReplaceAll(page, `class="time"`, `class="date"`), `field "time" is missing in all 2 events`},
		{"another page", strings.Replace(page, "Page 1 of 2", "Page 3 of 2", 1), "the pager says page 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParsePage([]byte(tc.page), 1)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// An incremental fetch stops at the first page whose events are all in the
// last good snapshot and carries the others over; a due full refresh reads
// every page again.
func TestHTMLIncremental(t *testing.T) {
	srv := site(t)
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	fetchAt := func(at time.Time, prev []feed.File) []feed.File {
		ex := &fetch.Exchange{PreviousFiles: map[string]string{}}
		bodies := map[string][]byte{}
		for _, f := range prev {
			sum := sha256.Sum256(f.Data)
			ex.PreviousFiles[f.Name] = hex.EncodeToString(sum[:])
			bodies[hex.EncodeToString(sum[:])] = f.Data
		}
		ex.Archived = func(sum string) ([]byte, error) { return bodies[sum], nil }
		s := feedtest.Spec("slowmist_html", srv.URL)
		s.Options = feedtest.YAML("{incremental: true, full_refresh: 168h}")
		src := feedtest.Must(t, NewHTML, s).(*HTML)
		src.now = func() time.Time { return at }
		files, err := src.Fetch(fetch.WithExchange(t.Context(), ex), feedtest.Client())
		require.NoError(t, err)
		return files
	}
	first := fetchAt(t0, nil)
	require.Equal(t, []string{"GET /?c=&page=1", "GET /?c=&page=2"}, srv.Take(), "nothing archived: every page")
	require.JSONEq(t, `{"full_refresh_at": "2026-06-01T12:00:00Z"}`, string(first[3].Data))

	again := fetchAt(t0.Add(time.Hour), first)
	require.Equal(t, []string{"GET /?c=&page=1"}, srv.Take(), "page 1 holds only archived events")
	require.Equal(t, []string{"page_001.html ", "events.jsonl slowmist_html", "refresh.json "}, feedtest.FileNames(again))
	require.Equal(t, first[2].Data, again[1].Data, "the same events, in the same order")
	require.Equal(t, first[3].Data, again[2].Data, "no full refresh since")

	// The newest event of page 1 was not archived: page 2 is read too.
	lines := strings.SplitAfter(string(first[2].Data), "\n")
	newer := fetchAt(t0.Add(time.Hour), []feed.File{{Name: "events.jsonl", Data: []byte(strings.Join(lines[1:], ""))}, first[3]})
	require.Equal(t, []string{"GET /?c=&page=1", "GET /?c=&page=2"}, srv.Take())
	require.Equal(t, first[2].Data, newer[2].Data)

	due := fetchAt(t0.Add(7*24*time.Hour), again)
	require.Equal(t, []string{"GET /?c=&page=1", "GET /?c=&page=2"}, srv.Take(), "a full refresh is due")
	require.JSONEq(t, `{"full_refresh_at": "2026-06-08T12:00:00Z"}`, string(due[3].Data))
}
