package sources

import (
	"net"
	"net/http"
	"time"
)

// UserAgent identifies heiststat to the feeds it calls.
const UserAgent = "heiststat/1 (+https://github.com/heiststat/heiststat; crypto-theft statistics)"

// NewHTTPClient returns the client every http(s) source shares: a connect
// timeout short enough that a run without network fails fast, an overall
// timeout per request, and an honest User-Agent.
func NewHTTPClient(timeout, connectTimeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: connectTimeout}).DialContext
	tr.TLSHandshakeTimeout = connectTimeout
	return &http.Client{Timeout: timeout, Transport: userAgent{tr}}
}

type userAgent struct{ next http.RoundTripper }

func (u userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", UserAgent)
	return u.next.RoundTrip(r)
}
