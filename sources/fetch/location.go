package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// maxBodyBytes bounds what one response or file may hold; the largest feed
// here (ECB full history) is under 2 MB.
const maxBodyBytes = 256 << 20

// Blob is one file read from a location.
type Blob struct {
	Name string
	Data []byte
	// SHA256 is set instead of Data for a local file the fetch's Exchange
	// knows unchanged since it was landed (see ReadReusing).
	SHA256 string
	// Stat identifies the local file Data was read from, when settled.
	Stat *FileStat
}

// IsURL reports whether a location is read over HTTP rather than from disk.
func IsURL(loc string) bool {
	return strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://")
}

func stripQuery(loc string) string {
	if i := strings.IndexAny(loc, "?#"); i >= 0 {
		return loc[:i]
	}
	return loc
}

// Ext returns the extension of a location, ignoring any URL query.
func Ext(loc string) string {
	return path.Ext(stripQuery(loc))
}

// Read reads an http(s) URL, a local file, or every file in a folder
// whose name matches glob (sorted by name, so snapshots are stable). A URL
// ending in "/" is a folder served over HTTP: its index page (as Go's
// http.FileServer, nginx autoindex or python -m http.server write it) lists
// the files, and each one matching glob is fetched.
func Read(ctx context.Context, hc *http.Client, loc, glob string) ([]Blob, error) {
	return read(ctx, hc, loc, glob, nil)
}

// ReadOne is Read for a feed that is exactly one file; what names the file
// in the error ("tarballs", "pages").
func ReadOne(ctx context.Context, hc *http.Client, loc, glob, what string) (Blob, error) {
	bs, err := Read(ctx, hc, loc, glob)
	if err != nil {
		return Blob{}, err
	}
	if len(bs) != 1 {
		return Blob{}, fmt.Errorf("%d %s at %s, want one", len(bs), what, loc)
	}
	return bs[0], nil
}

// ReadReusing is Read for a source that lands the bytes as
// read: a local file whose FileStat the Exchange of ctx knows (unchanged since
// its last good fetch) is not read again, and comes back with its sum only.
func ReadReusing(ctx context.Context, hc *http.Client, loc, glob string) ([]Blob, error) {
	var known func(FileStat) (string, bool)
	if ex := exchangeFrom(ctx); ex != nil {
		known = ex.Unchanged
	}
	return read(ctx, hc, loc, glob, known)
}

func read(ctx context.Context, hc *http.Client, loc, glob string, known func(FileStat) (string, bool)) ([]Blob, error) {
	if IsURL(loc) && strings.HasSuffix(stripQuery(loc), "/") {
		return readHTTPFolder(ctx, hc, loc, glob)
	}
	if IsURL(loc) {
		b, err := Get(ctx, hc, loc)
		if err != nil {
			return nil, err
		}
		return []Blob{{Name: Redact(filepath.Base(stripQuery(loc))), Data: b}}, nil
	}
	st, err := os.Stat(loc)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		nb, err := readLocal(loc, known)
		if err != nil {
			return nil, err
		}
		return []Blob{nb}, nil
	}
	if glob == "" {
		glob = "*"
	}
	matches, err := filepath.Glob(filepath.Join(loc, glob))
	if err != nil {
		return nil, fmt.Errorf("bad file pattern %q: %w", glob, err)
	}
	sort.Strings(matches)
	var out []Blob
	for _, m := range matches {
		if fi, err := os.Stat(m); err != nil || fi.IsDir() {
			continue
		}
		nb, err := readLocal(m, known)
		if err != nil {
			return nil, err
		}
		out = append(out, nb)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no files matching %q in %s", glob, loc)
	}
	return out, nil
}

// readLocal reads a local file, unless known (nil: always read) has its sum.
func readLocal(p string, known func(FileStat) (string, bool)) (Blob, error) {
	nb := Blob{Name: filepath.Base(p)}
	start := time.Now()
	before, statOK := StatFile(p)
	if statOK && known != nil {
		if sum, ok := known(before); ok {
			nb.SHA256, nb.Stat = sum, &before
			return nb, nil
		}
	}
	b, err := readFile(p)
	if err != nil {
		return nb, err
	}
	nb.Data = b
	if statOK {
		nb.Stat = settledStat(p, before, start)
	}
	return nb, nil
}

func readFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Sized from the file: io.ReadAll's doubling would allocate about twice
	// a large feed's bytes on the way.
	size := int64(-1)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return ReadLimited(f, size)
}

// ReadLimited reads at most maxBodyBytes. A known size (a file's, a
// response's Content-Length) sizes the buffer once; otherwise it grows as
// bytes arrive. Either way the read stops at the limit, so memory stays near
// it whatever the sender claims.
func ReadLimited(r io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	if size >= 0 && size <= maxBodyBytes {
		buf.Grow(int(size) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, maxBodyBytes+1)); err != nil {
		return nil, err
	}
	if buf.Len() > maxBodyBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxBodyBytes)
	}
	return buf.Bytes(), nil
}

// ErrHTMLPage is returned when a feed answers with a web page instead of data,
// which error pages and captive portals do with status 200.
var ErrHTMLPage = errors.New("got an HTML page instead of data")

// Get GETs a URL through the shared client, refusing an HTML page.
func Get(ctx context.Context, hc *http.Client, url string) ([]byte, error) {
	return GetWithHeader(ctx, hc, url, nil)
}

// GetWithHeader is Get with extra request headers (a CoinGecko key travels
// in a header); errors are redacted of every registered key.
func GetWithHeader(ctx context.Context, hc *http.Client, url string, hdr http.Header) ([]byte, error) {
	b, err := GetBody(ctx, hc, url, hdr)
	if err == nil && looksLikeHTML(b) {
		err = fmt.Errorf("GET %s: %w", url, ErrHTMLPage)
	}
	if err != nil {
		return nil, RedactError(err)
	}
	return b, nil
}

// GetBody GETs a URL through the shared client. A body cut short (fewer
// bytes than Content-Length, or a broken chunked stream) fails the read, so
// a truncated feed never lands.
func GetBody(ctx context.Context, hc *http.Client, url string, hdr http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %s", url, resp.Status)
	}
	b, err := ReadLimited(resp.Body, resp.ContentLength)
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading body: %w", url, err)
	}
	return b, nil
}

// hrefRE finds the links of a folder index page.
var hrefRE = regexp.MustCompile(`(?i)href\s*=\s*"([^"]+)"`)

func readHTTPFolder(ctx context.Context, hc *http.Client, loc, glob string) ([]Blob, error) {
	index, err := GetBody(ctx, hc, loc, nil)
	if err != nil {
		return nil, RedactError(err)
	}
	if glob == "" {
		glob = "*"
	}
	var names []string
	for _, m := range hrefRE.FindAllSubmatch(index, -1) {
		name, err := neturl.PathUnescape(string(m[1]))
		if err != nil || strings.ContainsAny(name, "/?#") {
			continue // not a file of this folder
		}
		if ok, _ := path.Match(glob, name); ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, RedactError(fmt.Errorf("no files matching %q listed at %s", glob, loc))
	}
	sort.Strings(names)
	base, q, _ := strings.Cut(loc, "?")
	out := make([]Blob, 0, len(names))
	for _, name := range names {
		u := base + neturl.PathEscape(name)
		if q != "" {
			u += "?" + q
		}
		b, err := Get(ctx, hc, u)
		if err != nil {
			return nil, err
		}
		out = append(out, Blob{Name: name, Data: b})
	}
	return out, nil
}

func looksLikeHTML(b []byte) bool {
	head := strings.ToLower(strings.TrimSpace(string(b[:min(len(b), 512)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}
