package fetch

import (
	"compress/gzip"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// The standard transport asks for gzip and decodes it; the archive keeps the
// decoded bytes.
func TestClientGzip(t *testing.T) {
	body := []byte(strings.Repeat(`{"date":1647993600,"name":"Ronin Bridge"},`, 50))
	var enc atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		enc.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(body)
		_ = zw.Close()
	}))
	defer srv.Close()
	ex := &Exchange{}
	got, err := Get(WithExchange(t.Context(), ex), testClient(), srv.URL+"/hacks")
	require.NoError(t, err)
	require.Equal(t, body, got)
	require.Equal(t, "gzip", enc.Load())
	require.Len(t, ex.Responses(), 1)
	require.Equal(t, int64(len(body)), ex.Responses()[0].Bytes)
	require.Equal(t, body, ex.Body(ex.Responses()[0].SHA256))
}

// Each host gets its own pace, on synctest's clock: six requests at 20/s
// take exactly 250 ms after the first; another host is not slowed. The
// limiter sits under the retrying client, so retries wait for tokens too.
func TestHostLimiterPacesEachHost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ok := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
		})
		h := &hostLimiter{next: ok, rps: 1000, hosts: map[string]float64{"slow.example": 20}}
		do := func(host string) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+host+"/x", nil)
			require.NoError(t, err)
			resp, err := h.RoundTrip(req)
			require.NoError(t, err)
			resp.Body.Close()
		}
		start := time.Now()
		for range 6 {
			do("slow.example")
		}
		require.Equal(t, 250*time.Millisecond, time.Since(start))
		start = time.Now()
		do("fast.example")
		require.Zero(t, time.Since(start), "another host has its own limiter")
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A Retry-After longer than max_retry_after is cut short, so a server cannot
// stall a scheduled run for hours.
func TestClientRetryAfterCapped(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte("[]"))
	}))
	defer srv.Close()
	o := DefaultHTTPOptions()
	o.MaxRetryAfter = 10 * time.Millisecond
	ex := &Exchange{}
	_, err := Get(WithExchange(t.Context(), ex), NewClient(o), srv.URL)
	require.NoError(t, err)
	require.EqualValues(t, 1, ex.Retries())
}

func TestBackoffJitter(t *testing.T) {
	b := backoff(time.Minute)
	seen := map[time.Duration]bool{}
	for range 50 {
		d := b(time.Second, 30*time.Second, 3, nil)
		require.GreaterOrEqual(t, d, 4*time.Second)
		require.LessOrEqual(t, d, 8*time.Second)
		seen[d] = true
	}
	require.Greater(t, len(seen), 1, "jittered")
	require.LessOrEqual(t, b(time.Second, 30*time.Second, 20, nil), 30*time.Second, "capped")
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"7"}}}
	require.Equal(t, 7*time.Second, b(time.Second, 2*time.Second, 0, resp), "Retry-After wins over the wait bounds")
}

// A key in the URL path is replaced in errors (net/url quotes the URL), in
// recorded responses and in file names; errors stay matchable.
func TestAPIKeyRedacted(t *testing.T) {
	const key = "k3y-Zx81-redact-me"
	t.Setenv("HEISTSTAT_TEST_KEY", key)
	loc, err := ExpandAPIKey("http://127.0.0.1:1/"+APIKeyPlaceholder+"/api/hacks", "HEISTSTAT_TEST_KEY")
	require.NoError(t, err)
	require.Contains(t, loc, key)
	o := DefaultHTTPOptions()
	o.Retries = 0
	_, err = Read(t.Context(), NewClient(o), loc, "")
	require.Error(t, err)
	require.NotContains(t, err.Error(), key)
	require.Contains(t, err.Error(), "/REDACTED/api/hacks")
	var ue *url.Error
	require.True(t, errors.As(err, &ue), "still a *url.Error underneath")

	_, err = ExpandAPIKey(loc, "HEISTSTAT_TEST_UNSET_KEY")
	require.ErrorContains(t, err, "HEISTSTAT_TEST_UNSET_KEY is not set")
}

// A host name that does not exist fails at once: retrying cannot help.
func TestUnknownHostIsNotRetried(t *testing.T) {
	o := DefaultHTTPOptions()
	o.RetryWaitMin, o.RetryWaitMax = 10*time.Millisecond, 10*time.Millisecond
	_, err := Get(t.Context(), NewClient(o), "http://heiststat-no-such-host.invalid/hacks")
	var dnsErr *net.DNSError
	require.ErrorAs(t, err, &dnsErr)
	if !dnsErr.IsNotFound {
		t.Skipf("this resolver did not answer 'no such host': %v", err)
	}
	require.ErrorContains(t, err, "after 1 attempt(s)")
}

// A keyed request redirected to another host arrives there without its key
// header or a Referer naming the keyed URL; redirected on its own host it
// keeps the key; a redirect whose target URL holds the key is refused.
func TestRedirectKeepsKeyOnItsHost(t *testing.T) {
	const key = "k3y-redirect-Qw93"
	t.Setenv("HEISTSTAT_TEST_REDIRECT_KEY", key)
	_, err := APIKey("HEISTSTAT_TEST_REDIRECT_KEY")
	require.NoError(t, err)
	type seen struct{ header, referer string }
	var other atomic.Value
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Store(seen{r.Header.Get("x-cg-demo-api-key"), r.Header.Get("Referer")})
		_, _ = w.Write([]byte(`{"prices": []}`))
	}))
	defer elsewhere.Close()
	var same atomic.Value
	var origin *httptest.Server
	origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, elsewhere.URL+"/landed", http.StatusFound)
		case "/away-with-key":
			http.Redirect(w, r, elsewhere.URL+"/landed?key="+key, http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/final", http.StatusFound)
		default:
			same.Store(seen{r.Header.Get("x-cg-demo-api-key"), r.Header.Get("Referer")})
			_, _ = w.Write([]byte(`{"prices": []}`))
		}
	}))
	defer origin.Close()
	hdr := http.Header{}
	hdr.Set("x-cg-demo-api-key", key)
	o := DefaultHTTPOptions()
	o.Retries, o.RateLimit = 0, 0

	_, err = GetWithHeader(t.Context(), NewClient(o), origin.URL+"/away?x_cg_demo_api_key="+key, hdr)
	require.NoError(t, err)
	got := other.Load().(seen)
	require.Empty(t, got.header, "the key header stayed behind")
	require.Empty(t, got.referer, "no Referer names the keyed URL")

	_, err = GetWithHeader(t.Context(), NewClient(o), origin.URL+"/here", hdr)
	require.NoError(t, err)
	require.Equal(t, key, same.Load().(seen).header, "same host: the key travels")

	other.Store(seen{"untouched", ""})
	_, err = GetWithHeader(t.Context(), NewClient(o), origin.URL+"/away-with-key", hdr)
	require.ErrorContains(t, err, "refusing a redirect")
	require.NotContains(t, err.Error(), key)
	require.Equal(t, "untouched", other.Load().(seen).header, "the keyed URL was never requested")
}

// A body is buffered once by the reader and once by the archive record, each
// sized from Content-Length: memory stays near twice the body, not the
// five times that growing copies took.
func TestResponseBufferedNearItsSize(t *testing.T) {
	body := []byte(strings.Repeat("0123456789abcdef", 1<<20)) // 16 MiB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	o := DefaultHTTPOptions()
	o.Retries, o.RateLimit = 0, 0
	hc := NewClient(o)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ex := &Exchange{}
	got, err := Get(WithExchange(t.Context(), ex), hc, srv.URL+"/big.json")
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Len(t, got, len(body))
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(5*len(body)/2))

	// Past the limit the read stops while streaming, without a length given.
	o.MaxResponseBytes = 1 << 20
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 64 {
			if _, err := w.Write(body[:1<<20]); err != nil {
				return
			}
		}
	}))
	defer endless.Close()
	_, err = Get(WithExchange(t.Context(), &Exchange{}), NewClient(o), endless.URL+"/endless.json")
	require.ErrorIs(t, err, ErrTooLarge)
}
