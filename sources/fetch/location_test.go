package fetch

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testClient retries like the real client, with millisecond waits.
func testClient() *http.Client { return testClientTimeout(5 * time.Second) }

func testClientTimeout(d time.Duration) *http.Client {
	o := DefaultHTTPOptions()
	o.Timeout, o.ConnectTimeout, o.RetryWaitMin, o.RetryWaitMax = d, time.Second, time.Millisecond, 5*time.Millisecond
	return NewClient(o)
}

func writeFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644))
	}
}

func names(bs []Blob) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Name)
	}
	return out
}

func TestReadLocal(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "c.json", "a.json", "b.json", "notes.txt")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "d.json"), 0o755)) // a folder matching the glob is skipped
	empty := t.TempDir()

	for _, tc := range []struct {
		name, loc, glob string
		want            []string
		wantErr         string
	}{
		{name: "folder with glob, sorted", loc: dir, glob: "*.json", want: []string{"a.json", "b.json", "c.json"}},
		{name: "folder, empty glob means all", loc: dir, glob: "", want: []string{"a.json", "b.json", "c.json", "notes.txt"}},
		{name: "single file ignores glob", loc: filepath.Join(dir, "notes.txt"), glob: "*.json", want: []string{"notes.txt"}},
		{name: "folder without matches", loc: empty, glob: "*.json", wantErr: `no files matching "*.json"`},
		{name: "bad glob", loc: dir, glob: "[", wantErr: "bad file pattern"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bs, err := Read(t.Context(), nil, tc.loc, tc.glob)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, names(bs))
			for _, b := range bs {
				require.Equal(t, b.Name, string(b.Data))
			}
		})
	}

	t.Run("missing path", func(t *testing.T) {
		_, err := Read(t.Context(), nil, filepath.Join(dir, "missing.json"), "*.json")
		require.ErrorIs(t, err, fs.ErrNotExist)
	})
	t.Run("one file wanted", func(t *testing.T) {
		_, err := ReadOne(t.Context(), nil, dir, "*.json", "lists")
		require.ErrorContains(t, err, "3 lists at "+dir+", want one")
		b, err := ReadOne(t.Context(), nil, dir, "*.txt", "notes")
		require.NoError(t, err)
		require.Equal(t, "notes.txt", b.Name)
	})
}

// uaServer serves routes, answering 400 to a request without heiststat's
// User-Agent, and records the User-Agent of every request.
type uaServer struct {
	*httptest.Server
	mu  sync.Mutex
	uas []string
}

func newUAServer(t *testing.T, routes map[string]http.HandlerFunc) *uaServer {
	t.Helper()
	s := &uaServer{}
	mux := http.NewServeMux()
	for pattern, h := range routes {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.uas = append(s.uas, r.UserAgent())
			s.mu.Unlock()
			if r.UserAgent() != UserAgent {
				http.Error(w, "unexpected User-Agent "+r.UserAgent(), http.StatusBadRequest)
				return
			}
			h(w, r)
		})
	}
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *uaServer) userAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.uas)
}

func serveBytes(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(b) }
}

func TestReadHTTP(t *testing.T) {
	body := []byte(`[{"date":1647993600,"name":"Ronin Bridge","amount":624000000,"chain":["Ethereum"]}]`)
	srv := newUAServer(t, map[string]http.HandlerFunc{
		"GET /hacks":      serveBytes(body),
		"GET /doctype":    serveBytes([]byte("<!DOCTYPE html>\n<html><head><title>Just a moment...</title></head></html>")),
		"GET /doctype-lc": serveBytes([]byte("\n  <!doctype html><html></html>")),
		"GET /html":       serveBytes([]byte("<html><body>Captive portal</body></html>")),
		"GET /boom": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream down", http.StatusInternalServerError)
		},
		"GET /gone":          func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
		"GET /old":           func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/hacks", http.StatusFound) },
		"GET /eurofxref.csv": serveBytes([]byte("Date,USD,GBP,\n")),
	})
	hc := testClient()

	for _, tc := range []struct {
		name, path string
		wantName   string
		wantData   []byte
		wantIs     error
		wantErr    string
	}{
		{name: "data", path: "/hacks", wantName: "hacks", wantData: body},
		{name: "query is not part of the name", path: "/eurofxref.csv?ts=1", wantName: "eurofxref.csv", wantData: []byte("Date,USD,GBP,\n")},
		{name: "redirect followed with the User-Agent", path: "/old", wantName: "old", wantData: body},
		{name: "HTML doctype with 200", path: "/doctype", wantIs: ErrHTMLPage},
		{name: "lower-case doctype after blank lines", path: "/doctype-lc", wantIs: ErrHTMLPage},
		{name: "html element with 200", path: "/html", wantIs: ErrHTMLPage},
		{name: "HTTP 500", path: "/boom", wantErr: "500"},
		{name: "HTTP 404", path: "/gone", wantErr: "404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bs, err := Read(t.Context(), hc, srv.URL+tc.path, "*.json")
			switch {
			case tc.wantIs != nil:
				require.ErrorIs(t, err, tc.wantIs)
				require.ErrorContains(t, err, srv.URL+tc.path)
			case tc.wantErr != "":
				require.ErrorContains(t, err, tc.wantErr)
				require.ErrorContains(t, err, srv.URL+tc.path)
			default:
				require.NoError(t, err)
				require.Equal(t, []Blob{{Name: tc.wantName, Data: tc.wantData}}, bs)
			}
		})
	}

	uas := srv.userAgents()
	require.NotEmpty(t, uas)
	for _, ua := range uas {
		require.Equal(t, UserAgent, ua)
	}
}

func TestReadHTTPCancelAndTimeout(t *testing.T) {
	srv := newUAServer(t, map[string]http.HandlerFunc{
		"GET /slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		},
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Read(ctx, testClient(), srv.URL+"/slow", "")
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("client timeout", func(t *testing.T) {
		hc := testClientTimeout(100 * time.Millisecond)
		_, err := Read(t.Context(), hc, srv.URL+"/slow", "")
		require.Error(t, err)
		require.Regexp(t, `(?i)timeout|deadline`, err.Error(), "the client's timeout stopped it")
	})
}

// A folder served over HTTP is read from its index page, like a local folder.
func TestReadHTTPFolder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "BTC-USD.csv", "ETH-USD.csv", "README.txt")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	local, err := Read(t.Context(), nil, dir, "*-USD.csv")
	require.NoError(t, err)
	remote, err := Read(t.Context(), testClient(), srv.URL+"/", "*-USD.csv")
	require.NoError(t, err)
	for i := range local {
		local[i].Stat = nil // only local files have one
	}
	require.Equal(t, local, remote)
	require.Len(t, remote, 2)

	_, err = Read(t.Context(), testClient(), srv.URL+"/", "*.parquet")
	require.ErrorContains(t, err, `no files matching "*.parquet"`)
}

func TestExt(t *testing.T) {
	require.Equal(t, ".csv", Ext("https://fred.stlouisfed.org/graph/fredgraph.csv?id=DEXUSUK"))
	require.Equal(t, "", Ext("https://api.llama.fi/hacks"))
}
