package feedtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// SharedPath returns the path of a file under ../shared/data (beside the
// checkout), skipping the test when that folder is absent; a file missing
// from a present folder fails. The snapshots are read in place, never copied.
func SharedPath(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test")
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("../shared/data not found: %v (this test reads the real snapshots in place)", err)
	}
	p := filepath.Join(shared, rel)
	_, err = os.Stat(p)
	require.NoError(t, err, "real snapshot %s", rel)
	return p
}

// ReadShared reads a file under ../shared/data (see SharedPath).
func ReadShared(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(SharedPath(t, rel))
	require.NoError(t, err)
	return b
}

// Testdata reads a fixture of the package under test.
func Testdata(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", rel))
	require.NoError(t, err)
	return b
}

// WriteTemp writes b to a file named name in a new temporary folder and
// returns the folder.
func WriteTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	return dir
}

// Client retries like the real client, with millisecond waits.
func Client() *http.Client { return ClientTimeout(5 * time.Second) }

// ClientTimeout is Client with another per-attempt timeout.
func ClientTimeout(d time.Duration) *http.Client {
	o := fetch.DefaultHTTPOptions()
	o.Timeout, o.ConnectTimeout, o.RetryWaitMin, o.RetryWaitMax = d, time.Second, time.Millisecond, 5*time.Millisecond
	return fetch.NewClient(o)
}

// OptionsFunc is an Options backed by a function, as pipeline's YAML node is.
type OptionsFunc func(v any) error

func (f OptionsFunc) Decode(v any) error { return f(v) }

// YAML is Options decoded from YAML text.
func YAML(text string) feed.Options {
	return OptionsFunc(func(v any) error { return yaml.Unmarshal([]byte(text), v) })
}

// Spec is a test source's configuration entry.
func Spec(typ, loc string) feed.Spec {
	return feed.Spec{Name: "src", Type: typ, Location: loc}
}

// Must builds a source with a feed's constructor, failing the test on error.
func Must(t testing.TB, ctor func(feed.Spec) (feed.Source, error), s feed.Spec) feed.Source {
	t.Helper()
	src, err := ctor(s)
	require.NoError(t, err)
	return src
}

// ErrorContainsAll requires err to mention every one of wants.
func ErrorContainsAll(t testing.TB, err error, wants []string) {
	t.Helper()
	for _, want := range wants {
		require.ErrorContains(t, err, want)
	}
}

// Day parses a YYYY-MM-DD date.
func Day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// FileNames lists files as "name format".
func FileNames(files []feed.File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name+" "+f.Format)
	}
	return out
}

// Mux is an httptest server over routes that records every request.
type Mux struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []*http.Request
	lines  []string
	agents []string
}

// NewMux serves routes (http.ServeMux patterns) until the test ends.
func NewMux(t testing.TB, routes map[string]http.HandlerFunc) *Mux {
	t.Helper()
	m := &Mux{}
	mux := http.NewServeMux()
	for pattern, h := range routes {
		mux.HandleFunc(pattern, h)
	}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 200)
		n, _ := r.Body.Read(body)
		m.mu.Lock()
		m.reqs = append(m.reqs, r.Clone(r.Context()))
		m.lines = append(m.lines, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+string(body[:n])))
		m.agents = append(m.agents, r.UserAgent())
		m.mu.Unlock()
		r.Body = http.NoBody
		if n > 0 {
			r.Body = readCloser{bytes.NewReader(body[:n])}
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(m.Close)
	return m
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// Take returns and forgets the requests so far, as "METHOD uri body".
func (m *Mux) Take() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.lines
	m.lines, m.reqs = nil, nil
	return out
}

// Requests are the requests since the last Take.
func (m *Mux) Requests() []*http.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.reqs)
}

// UserAgents are the User-Agents of every request so far.
func (m *Mux) UserAgents() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.agents)
}

// RequireUserAgent requires every request so far to have sent ua.
func (m *Mux) RequireUserAgent(t testing.TB, ua string) {
	t.Helper()
	agents := m.UserAgents()
	require.NotEmpty(t, agents)
	for _, a := range agents {
		require.Equal(t, ua, a)
	}
}

// Bytes answers every request with b.
func Bytes(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(b) }
}

// RequireFetch builds a source of type typ at loc with ctor and fetches it,
// failing the test on error.
func RequireFetch(t testing.TB, ctor func(feed.Spec) (feed.Source, error), typ, loc string) []feed.File {
	t.Helper()
	files, err := Must(t, ctor, Spec(typ, loc)).Fetch(t.Context(), Client())
	require.NoError(t, err)
	return files
}

// RequireFiles requires a fetch's outcome: with wantErrs, an error naming
// every one of them and no files; without, no error and want.
func RequireFiles(t testing.TB, files []feed.File, err error, want []feed.File, wantErrs []string) {
	t.Helper()
	if wantErrs != nil {
		ErrorContainsAll(t, err, wantErrs)
		require.Nil(t, files)
		return
	}
	require.NoError(t, err)
	require.Equal(t, want, files)
}

// WithoutStat clears the Stat local files carry (fetch's tests cover it),
// so they compare equal to the same bytes over HTTP.
func WithoutStat(files []feed.File) []feed.File {
	for i := range files {
		files[i].Stat = nil
	}
	return files
}

// RequireFormat requires n files, each of format and not empty.
func RequireFormat(t testing.TB, files []feed.File, n int, format string) {
	t.Helper()
	require.Len(t, files, n)
	for _, f := range files {
		require.Equal(t, format, f.Format)
		require.NotEmpty(t, f.Data)
	}
}

// RequireRenamedColumnFails requires a fetch of the fixture testdata/name
// with its header column old renamed to renamed to fail, naming the file.
func RequireRenamedColumnFails(t testing.TB, ctor func(feed.Spec) (feed.Source, error), typ, name, old, renamed string) {
	t.Helper()
	dir := WriteTemp(t, name, []byte(strings.Replace(string(Testdata(t, name)), old, renamed, 1)))
	_, err := Must(t, ctor, Spec(typ, dir)).Fetch(t.Context(), Client())
	ErrorContainsAll(t, err, []string{name, "unexpected header"})
}

// Pages answers ?page=N with the fixture testdata/fmt.Sprintf(pattern, N),
// and 404 past the last one.
func Pages(pattern string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		b, err := os.ReadFile(filepath.Join("testdata", fmt.Sprintf(pattern, n)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}
}

// Tarball is a gzipped tar of files, in name order; a name ending in "/" is
// a folder entry.
func Tarball(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		hdr := &tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(files[n]))}
		if strings.HasSuffix(n, "/") {
			hdr = &tar.Header{Name: n, Typeflag: tar.TypeDir, Mode: 0o755}
		}
		require.NoError(t, tw.WriteHeader(hdr))
		_, err := tw.Write([]byte(files[n]))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}
