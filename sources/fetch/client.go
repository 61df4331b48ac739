package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// UserAgent identifies heiststat to the feeds it calls.
const UserAgent = "heiststat/1 (+https://github.com/heiststat/heiststat; crypto-theft statistics)"

// BrowserUserAgent is sent only to sites that serve their pages to browsers
// alone (SlowMist Hacked, per the public scrapers of it); every other feed
// gets UserAgent.
const BrowserUserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

// HTTPOptions configures the one HTTP layer every source shares. Rate
// limits, retries and size limits live here, in the transport, so a source
// that issues many requests (pages, batches) gets them without code of its own.
type HTTPOptions struct {
	// Timeout bounds one attempt, body included; ConnectTimeout bounds DNS,
	// TCP and TLS so a run without network fails fast.
	Timeout, ConnectTimeout time.Duration
	// Retries is how many times a request is retried after a network error,
	// a 5xx or a 429, waiting RetryWaitMin·2^n (capped at RetryWaitMax, with
	// jitter) or what Retry-After asks, up to MaxRetryAfter.
	Retries                                   int
	RetryWaitMin, RetryWaitMax, MaxRetryAfter time.Duration
	// MaxResponseBytes bounds one response body.
	MaxResponseBytes int64
	// RateLimit is requests per second per host (0: unlimited); HostRateLimits
	// overrides it for named hosts.
	RateLimit      float64
	HostRateLimits map[string]float64
	// Log receives one debug line per retry (URLs redacted); nil discards.
	Log *slog.Logger
	// Progress, when set, counts requests and body bytes for a progress bar.
	Progress *Progress
}

// Progress counts what the HTTP layer has done, for progress bars.
type Progress struct{ Requests, Bytes atomic.Int64 }

// DefaultHTTPOptions are the settings used when the configuration gives none.
func DefaultHTTPOptions() HTTPOptions {
	return HTTPOptions{
		Timeout: 60 * time.Second, ConnectTimeout: 10 * time.Second,
		Retries: 4, RetryWaitMin: time.Second, RetryWaitMax: 30 * time.Second, MaxRetryAfter: 2 * time.Minute,
		MaxResponseBytes: 256 << 20,
		RateLimit:        5,
	}
}

// NewClient builds the shared client. From the outside in: conditional
// requests, response size limit and recording (exchange), retries with
// backoff (retryablehttp), then per attempt the per-host rate limit, the
// User-Agent and the standard transport (which also negotiates gzip).
func NewClient(o HTTPOptions) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: o.ConnectTimeout}).DialContext
	tr.TLSHandshakeTimeout = o.ConnectTimeout

	rc := retryablehttp.NewClient()
	rc.HTTPClient = &http.Client{Timeout: o.Timeout, Transport: &hostLimiter{next: userAgent{tr}, rps: o.RateLimit, hosts: o.HostRateLimits},
		CheckRedirect: keepKeysOnHost}
	rc.Logger = nil // retries are logged below, with URLs redacted
	rc.RetryMax = o.Retries
	rc.RetryWaitMin, rc.RetryWaitMax = o.RetryWaitMin, o.RetryWaitMax
	rc.Backoff = backoff(o.MaxRetryAfter)
	rc.CheckRetry = checkRetry
	rc.ErrorHandler = func(resp *http.Response, err error, attempts int) (*http.Response, error) {
		if err != nil {
			return resp, fmt.Errorf("after %d attempt(s): %w", attempts, err)
		}
		return resp, nil // the caller reports the last status
	}
	log := o.Log
	rc.RequestLogHook = func(_ retryablehttp.Logger, r *http.Request, attempt int) {
		if attempt == 0 {
			return
		}
		if ex := exchangeFrom(r.Context()); ex != nil {
			ex.retries.Add(1)
		}
		if log != nil {
			log.Debug("retrying", "url", Redact(r.URL.String()), "attempt", attempt)
		}
	}
	return &http.Client{Transport: &exchangeTransport{next: &retryablehttp.RoundTripper{Client: rc}, maxBytes: o.MaxResponseBytes, progress: o.Progress}}
}

// keepKeysOnHost is the redirect policy: an API key is for the host it was
// configured for. Redirected to another host, a request loses every header
// holding a key and the Referer (which names the keyed URL); a target URL
// holding a key itself is refused. net/http only drops Authorization and
// Cookie headers on its own.
func keepKeysOnHost(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Host == via[0].URL.Host {
		return nil
	}
	if Redact(req.URL.String()) != req.URL.String() {
		return fmt.Errorf("refusing a redirect from %s to %s: the target URL holds an API key", via[0].URL.Host, req.URL.Host)
	}
	req.Header.Del("Referer")
	for k, vs := range req.Header {
		for _, v := range vs {
			if Redact(v) != v {
				req.Header.Del(k)
				break
			}
		}
	}
	return nil
}

// checkRetry is retryablehttp's policy, except that a host name that does
// not exist is not retried: it will not resolve seconds later, and an
// offline run should reach its fallbacks at once.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if dnsErr, ok := errors.AsType[*net.DNSError](err); ok && dnsErr.IsNotFound {
		return false, err
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

// backoff is exponential with jitter, and honours Retry-After on 429 and 503
// up to maxRetryAfter so a server cannot stall a run for hours.
func backoff(maxRetryAfter time.Duration) retryablehttp.Backoff {
	return func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
		if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) && resp.Header.Get("Retry-After") != "" {
			return min(retryablehttp.DefaultBackoff(lo, hi, attempt, resp), maxRetryAfter)
		}
		d := retryablehttp.DefaultBackoff(lo, hi, attempt, nil)
		return d/2 + rand.N(d/2+1)
	}
}

// userAgent sets heiststat's User-Agent unless the source set its own (a
// site that turns away non-browser clients, see BrowserUserAgent).
type userAgent struct{ next http.RoundTripper }

func (u userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("User-Agent") != "" {
		return u.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", UserAgent)
	return u.next.RoundTrip(r)
}

// hostLimiter waits for a per-host token before every attempt, retries included.
type hostLimiter struct {
	next     http.RoundTripper
	rps      float64
	hosts    map[string]float64
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

func (h *hostLimiter) RoundTrip(r *http.Request) (*http.Response, error) {
	if l := h.limiter(r.URL.Hostname()); l != nil {
		if err := l.Wait(r.Context()); err != nil {
			return nil, err
		}
	}
	return h.next.RoundTrip(r)
}

func (h *hostLimiter) limiter(host string) *rate.Limiter {
	rps, ok := h.hosts[host]
	if !ok {
		rps = h.rps
	}
	if rps <= 0 {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.limiters == nil {
		h.limiters = map[string]*rate.Limiter{}
	}
	l := h.limiters[host]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(rps), 1)
		h.limiters[host] = l
	}
	return l
}

// ctxKey carries an *Exchange in a request context.
type ctxKey struct{}

func exchangeFrom(ctx context.Context) *Exchange {
	ex, _ := ctx.Value(ctxKey{}).(*Exchange)
	return ex
}
