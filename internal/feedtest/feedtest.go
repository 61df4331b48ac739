// Package feedtest serves a folder of real feed files over HTTP for tests,
// the way the feeds' servers do (ETag, Last-Modified, 304, gzip-free bodies,
// folder index pages), with faults injected on chosen paths, and holds the
// fixture and fetch checks the feeds' tests share.
package feedtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault answers one request instead of the file server.
type Fault func(w http.ResponseWriter, r *http.Request)

// Server is an httptest server over a folder.
type Server struct {
	*httptest.Server
	root string

	mu       sync.Mutex
	faults   map[string][]Fault
	routes   map[string]string
	statuses map[string][]int
	headers  []http.Header
}

// New serves root until the test ends (or Close).
func New(t testing.TB, root string) *Server {
	t.Helper()
	s := &Server{root: root, faults: map[string][]Fault{}, routes: map[string]string{}, statuses: map[string][]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Inject makes the next requests for path get these faults, in order; later
// requests are served normally.
func (s *Server) Inject(path string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], faults...)
}

// Route serves the file at rel (under root) at path too (e.g. an API path with a key in it).
func (s *Server) Route(path, rel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[path] = rel
}

// Statuses are the statuses answered for path, in order.
func (s *Server) Statuses(path string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.statuses[path]...)
}

// Headers are the request headers of every request so far.
func (s *Server) Headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.headers...)
}

// URL is the address of a file or folder under root (a folder ends in "/").
func (s *Server) URL(rel string) string {
	rel = filepath.ToSlash(rel)
	if st, err := os.Stat(filepath.Join(s.root, rel)); err == nil && st.IsDir() && !strings.HasSuffix(rel, "/") {
		rel += "/"
	}
	return s.Server.URL + "/" + strings.TrimPrefix(rel, "/")
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var f Fault
	if q := s.faults[r.URL.Path]; len(q) > 0 {
		f, s.faults[r.URL.Path] = q[0], q[1:]
	}
	rel, routed := s.routes[r.URL.Path]
	s.headers = append(s.headers, r.Header.Clone())
	s.mu.Unlock()

	rw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
	defer func() {
		s.mu.Lock()
		s.statuses[r.URL.Path] = append(s.statuses[r.URL.Path], rw.code)
		s.mu.Unlock()
	}()
	if f != nil {
		f(rw, r)
		return
	}
	if !routed {
		rel = r.URL.Path
	}
	p := filepath.Join(s.root, filepath.FromSlash(rel))
	if b, err := os.ReadFile(p); err == nil {
		sum := sha256.Sum256(b)
		rw.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
		st, _ := os.Stat(p)
		http.ServeContent(rw, r, filepath.Base(p), st.ModTime(), bytes.NewReader(b))
		return
	}
	http.FileServer(http.Dir(s.root)).ServeHTTP(rw, r)
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Status answers with code and, if retryAfter is set, a Retry-After header.
func Status(code int, retryAfter string) Fault {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// Body answers 200 with body (an HTML error page, malformed JSON, ...).
func Body(contentType string, body []byte) Fault {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}
}

// Truncated declares the full Content-Length of the file at rel but sends
// only half of it, then drops the connection.
func (s *Server) Truncated(rel string) Fault {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := os.ReadFile(filepath.Join(s.root, rel))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b[:len(b)/2])
	}
}

// Slow sends half of the file at rel, then stalls for d (or until the client
// gives up) before the rest: a body slower than the client's timeout.
func (s *Server) Slow(rel string, d time.Duration) Fault {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := os.ReadFile(filepath.Join(s.root, rel))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b[:len(b)/2])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(d):
		}
		_, _ = w.Write(b[len(b)/2:])
	}
}
