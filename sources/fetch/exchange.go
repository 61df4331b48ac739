package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Response is the archived metadata of one HTTP response: what a later run
// needs for a conditional request, and what a reader needs to trust the bytes.
type Response struct {
	// URL is redacted: API keys never reach the archive.
	URL          string `json:"url"`
	Status       int    `json:"status"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	ContentType  string `json:"content_type,omitempty"`
	// SHA256 and Bytes describe the body as received (after gzip decoding).
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	// NotModified means the server answered 304 and the archived body was reused.
	NotModified bool `json:"not_modified,omitempty"`
}

// Exchange records the HTTP responses of one fetch of one source, and offers
// the responses of its previous good fetch for conditional requests. The
// pipeline attaches it to the fetch context (WithExchange); sources need not
// know about it.
type Exchange struct {
	// Previous are the responses of the last good snapshot, by redacted URL.
	Previous map[string]Response
	// Archived returns an archived body by its sha256; a 304 is answered with it.
	Archived func(sha256 string) ([]byte, error)
	// Unchanged returns the sha256 of a local file whose FileStat is the one
	// it had when the last good snapshot landed it (nil: read every file).
	Unchanged func(FileStat) (sha256 string, ok bool)
	// PreviousFiles are the files of the last good snapshot, name to sha256
	// (their bytes through Archived), for a source that fetches only what
	// is new since.
	PreviousFiles map[string]string

	retries atomic.Int64
	mu      sync.Mutex
	got     []Response
	bodies  map[string][]byte
}

// WithExchange returns a context whose requests the shared client records in ex.
func WithExchange(ctx context.Context, ex *Exchange) context.Context {
	return context.WithValue(ctx, ctxKey{}, ex)
}

// Responses are the complete responses received, sorted by URL.
func (e *Exchange) Responses() []Response {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := slices.Clone(e.got)
	slices.SortStableFunc(out, func(a, b Response) int { return strings.Compare(a.URL, b.URL) })
	return out
}

// Body is a received body by sha256 (nil for a reused archived body).
func (e *Exchange) Body(sum string) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.bodies[sum]
}

// NotModified reports whether every response was a 304 answered from the archive.
func (e *Exchange) NotModified() bool {
	rs := e.Responses()
	return len(rs) > 0 && !slices.ContainsFunc(rs, func(r Response) bool { return !r.NotModified })
}

// PreviousFile returns a file of the last good snapshot by name, from the
// Exchange of ctx (none: not found).
func PreviousFile(ctx context.Context, name string) ([]byte, bool) {
	e := exchangeFrom(ctx)
	if e == nil || e.Archived == nil {
		return nil, false
	}
	sum, ok := e.PreviousFiles[name]
	if !ok {
		return nil, false
	}
	b, err := e.Archived(sum)
	return b, err == nil
}

// Retries is how many attempts were repeated after a failure.
func (e *Exchange) Retries() int64 { return e.retries.Load() }

func (e *Exchange) add(r Response, body []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, r)
	if body != nil {
		if e.bodies == nil {
			e.bodies = map[string][]byte{}
		}
		e.bodies[r.SHA256] = body
	}
}

// exchangeTransport sends conditional requests, answers a 304 with the
// archived body, bounds the body size and records complete responses.
type exchangeTransport struct {
	next     http.RoundTripper
	maxBytes int64
	progress *Progress
}

func (t *exchangeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ex := exchangeFrom(r.Context())
	key := Redact(r.URL.String())
	if t.progress != nil {
		t.progress.Requests.Add(1)
	}
	if prev, ok := t.previous(ex, key); ok && r.Method == http.MethodGet {
		cr := r.Clone(r.Context())
		if prev.ETag != "" {
			cr.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			cr.Header.Set("If-Modified-Since", prev.LastModified)
		}
		resp, err := t.next.RoundTrip(cr)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusNotModified {
			return t.body(ex, key, resp)
		}
		drain(resp)
		if body, err := ex.Archived(prev.SHA256); err == nil {
			rec := prev
			rec.Status, rec.NotModified = http.StatusNotModified, true
			ex.add(rec, nil)
			resp.StatusCode, resp.Status = http.StatusOK, "200 OK (304 Not Modified, archived body)"
			resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			return resp, nil
		}
		// The archived body is gone or corrupt: ask again, unconditionally.
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	return t.body(ex, key, resp)
}

// previous returns the validators of the last good response for key, if a
// conditional request can be answered from the archive.
func (t *exchangeTransport) previous(ex *Exchange, key string) (Response, bool) {
	if ex == nil || ex.Archived == nil {
		return Response{}, false
	}
	p, ok := ex.Previous[key]
	return p, ok && p.SHA256 != "" && (p.ETag != "" || p.LastModified != "")
}

func (t *exchangeTransport) body(ex *Exchange, key string, resp *http.Response) (*http.Response, error) {
	if t.maxBytes > 0 && resp.ContentLength > t.maxBytes {
		drain(resp)
		return nil, fmt.Errorf("response of %d bytes exceeds http.max_response_bytes (%d)", resp.ContentLength, t.maxBytes)
	}
	rb := &recordingBody{rc: resp.Body, max: t.maxBytes, progress: t.progress}
	if ex != nil && resp.StatusCode == http.StatusOK {
		rb.ex = ex
		if resp.ContentLength > 0 {
			rb.buf.Grow(int(resp.ContentLength))
		}
		rb.rec = Response{URL: key, Status: resp.StatusCode, ETag: resp.Header.Get("ETag"),
			LastModified: resp.Header.Get("Last-Modified"), ContentType: resp.Header.Get("Content-Type")}
	}
	resp.Body = rb
	return resp, nil
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// ErrTooLarge is returned when a body grows past http.max_response_bytes.
var ErrTooLarge = errors.New("response exceeds http.max_response_bytes")

// recordingBody counts and bounds a body and, for a recorded exchange, keeps
// it and its hash; only a body read to a clean EOF is recorded, so a
// truncated one never reaches the archive.
type recordingBody struct {
	rc       io.ReadCloser
	max, n   int64
	progress *Progress
	ex       *Exchange
	buf      bytes.Buffer
	rec      Response
	done     bool
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if b.progress != nil {
		b.progress.Bytes.Add(int64(n))
	}
	if b.max > 0 && b.n > b.max {
		return n, fmt.Errorf("%w (%d bytes)", ErrTooLarge, b.max)
	}
	if b.ex != nil {
		b.buf.Write(p[:n])
		if err == io.EOF && !b.done {
			b.done = true
			sum := sha256.Sum256(b.buf.Bytes())
			b.rec.SHA256, b.rec.Bytes = hex.EncodeToString(sum[:]), b.n
			// The buffer is not written again: handed over, not copied.
			b.ex.add(b.rec, b.buf.Bytes())
		}
	}
	return n, err
}

func (b *recordingBody) Close() error { return b.rc.Close() }
