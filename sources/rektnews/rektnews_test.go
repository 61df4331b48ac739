package rektnews

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
)

// rektEntries are three leaderboard entries in the page's own shape.
const rektEntries = `[` +
	`{"date":"2/22/2025","featured":false,"title":"Example Exchange - Rekt","rekt":{"amount":1400000000,"audit":"N/A","date":"2/21/2025"},"tags":["Example Exchange","Rekt","Lazarus"],"excerpt":"Lazarus signed away the keys & the vault.","banner":"https://example.org/a.png","slug":"example-exchange-rekt"},` +
	`{"date":"4/9/2026","featured":false,"title":"Example Protocol - Rekt","rekt":{"amount":285000000,"audit":"N/A","date":"4/1/2025"},"tags":["Private Key Leak","DPRK"],"excerpt":"Six months of friendship.","banner":"https://example.org/b.png","slug":"example-protocol-rekt"},` +
	`{"date":"11/14/22","featured":false,"title":"Example Pool - REKT 2","rekt":{"amount":1500000,"audit":"Unaudited","date":"11/12/22"},"tags":["REKT"],"excerpt":"Again.","banner":"https://example.org/c.png","slug":"example-pool-rekt-2"}` +
	`]`

// rektPage wraps a __NEXT_DATA__ document in a Next.js page like rekt.news's.
func rektPage(nextData string) []byte {
	return []byte(`<!DOCTYPE html><html lang="en"><head><title>Rekt - <!-- -->Leaderboard</title>` +
		`<meta name="description" content="DeFi / Crypto - Investigative journalism &amp;amp; creative commentary"/>` +
		`<script async="" src="https://example.org/gtag.js"></script></head><body><div id="__next"><h1>Leaderboard</h1></div>` +
		`<script id="__NEXT_DATA__" type="application/json" crossorigin="">` + nextData + `</script>` +
		`<script nomodule="" src="/_next/static/chunks/polyfills.js"></script></body></html>`)
}

func rektNextData(leaderboard string) string {
	return `{"props":{"pageProps":{"leaderboard":` + leaderboard + `},"__N_SSG":true},"page":"/leaderboard","query":{},"buildId":"x","isFallback":false,"gsp":true}`
}

func TestExtract(t *testing.T) {
	got, err := Extract(rektPage(rektNextData(rektEntries)))
	require.NoError(t, err)
	require.JSONEq(t, rektEntries, string(got), "the leaderboard array as written in the page (no HTML unescaping inside the script)")
	require.Contains(t, string(got), "keys & the vault")
}

func TestExtractBadPages(t *testing.T) {
	renamed := func(old, new string) string { return strings.ReplaceAll(rektEntries, `"`+old+`":`, `"`+new+`":`) }
	for _, c := range []struct{ name, page, want string }{
		{"no __NEXT_DATA__", `<!DOCTYPE html><html><body><div id="__next">Leaderboard</div><script id="other">{}</script></body></html>`,
			`no <script id="__NEXT_DATA__"> in the page`},
		{"not JSON", string(rektPage(`{"props": `)), "__NEXT_DATA__ is not JSON"},
		{"pageProps renamed", string(rektPage(`{"props":{"initialProps":{"leaderboard":[]}}}`)), `no field "props.pageProps"`},
		{"leaderboard renamed", string(rektPage(`{"props":{"pageProps":{"board":` + rektEntries + `}}}`)), `"props.pageProps.leaderboard" is missing or not an array`},
		{"empty leaderboard", string(rektPage(rektNextData(`[]`))), "is empty"},
		{"title renamed", string(rektPage(rektNextData(renamed("title", "headline")))), `leaderboard field "title" is missing or not a string in all 3 entries`},
		{"tags renamed", string(rektPage(rektNextData(renamed("tags", "labels")))), `leaderboard field "tags"`},
		{"rekt.amount renamed", string(rektPage(rektNextData(renamed("amount", "usd")))), `leaderboard field "rekt.amount" is missing or not a number`},
		{"rekt.amount as text", string(rektPage(rektNextData(strings.NewReplacer(`"amount":1400000000`, `"amount":"1.4B"`, `"amount":285000000`, `"amount":"285M"`, `"amount":1500000`, `"amount":"1.5M"`).Replace(rektEntries)))), `"rekt.amount" is missing or not a number`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Extract([]byte(c.page))
			require.ErrorContains(t, err, c.want)
		})
	}
}

// The page is HTML: the source reads it where other feeds refuse an HTML
// answer as an error page, and fails on one without the data.
func TestFetch(t *testing.T) {
	page := rektPage(rektNextData(rektEntries))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/leaderboard":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(page)
		case "/maintenance":
			_, _ = w.Write([]byte("<!DOCTYPE html><html><body>Down for maintenance</body></html>"))
		default:
			http.Error(w, "forbidden", http.StatusForbidden)
		}
	}))
	defer srv.Close()
	files := feedtest.RequireFetch(t, NewLeaderboard, "rekt_news", srv.URL+"/leaderboard")
	require.Len(t, files, 2)
	require.Equal(t, feed.File{Name: "leaderboard.html", Data: page}, files[0])
	require.Equal(t, "rekt_news_leaderboard.json", files[1].Name)
	require.Equal(t, "rekt_news", files[1].Format)
	var entries []map[string]any
	require.NoError(t, json.Unmarshal(files[1].Data, &entries))
	require.Len(t, entries, 3)

	_, err := feedtest.Must(t, NewLeaderboard, feedtest.Spec("rekt_news", srv.URL+"/maintenance")).Fetch(t.Context(), feedtest.Client())
	require.ErrorContains(t, err, `leaderboard page: no <script id="__NEXT_DATA__">`)
	_, err = feedtest.Must(t, NewLeaderboard, feedtest.Spec("rekt_news", srv.URL+"/blocked")).Fetch(t.Context(), feedtest.Client())
	require.ErrorContains(t, err, "403")
}

// The real snapshot: 297 entries, 4 of them tagged DPRK or Lazarus.
func TestExtractRealSnapshot(t *testing.T) {
	board, err := Extract(feedtest.ReadShared(t, "live/rekt_news/leaderboard.html"))
	require.NoError(t, err)
	var entries []struct {
		Title string   `json:"title"`
		Tags  []string `json:"tags"`
	}
	require.NoError(t, json.Unmarshal(board, &entries))
	require.Len(t, entries, 297)
	var tagged []string
	for _, e := range entries {
		for _, tag := range e.Tags {
			if l := strings.ToLower(tag); l == "dprk" || strings.HasPrefix(l, "lazarus") {
				tagged = append(tagged, e.Title)
				break
			}
		}
	}
	require.Equal(t, []string{"ByBit - Rekt", "Drift Protocol - Rekt", "Atomic Wallet - REKT", "LNDFi - Rekt"}, tagged)
}
