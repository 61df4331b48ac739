package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/heiststat/heiststat/sources/bundled"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Checked reads a location and checks every file with check, landing each
// as format. A local file unchanged since it was landed was checked then,
// and is not read again.
func Checked(ctx context.Context, hc *http.Client, loc, pattern, format string, check func([]byte) error) ([]File, error) {
	bs, err := fetch.ReadReusing(ctx, hc, loc, pattern)
	if err != nil {
		return nil, err
	}
	out := make([]File, 0, len(bs))
	for _, b := range bs {
		if b.SHA256 == "" {
			if err := check(b.Data); err != nil {
				return nil, fmt.Errorf("%s: %w", b.Name, err)
			}
		}
		out = append(out, File{Name: b.Name, Format: format, Data: b.Data, SHA256: b.SHA256, Stat: b.Stat})
	}
	return out, nil
}

// WithExt appends ext to the names of files that lack it (a live URL ends
// in a path or query, not a file name), so the landed file keeps its type.
func WithExt(files []File, ext string) []File {
	for i := range files {
		if fetch.Ext(files[i].Name) != ext {
			files[i].Name += ext
		}
	}
	return files
}

// CSV is a feed of one or more CSV files with a fixed header, landed as its
// type's format.
type CSV struct {
	Base
	Header string
}

// NewCSV builds a CSV feed; its raw model reads columns by name, so the
// header is pinned and a renamed column fails before anything lands.
func NewCSV(s Spec, header string) (Source, error) {
	b, err := Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &CSV{b, header}, nil
}

func (c *CSV) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	return Checked(ctx, hc, c.Location(), "*.csv", c.Type(), func(b []byte) error {
		return CheckHeader(b, c.Header)
	})
}

// FirstLines returns up to n lines of b without their line endings or a
// leading UTF-8 byte order mark (which spreadsheet exports add).
func FirstLines(b []byte, n int) []string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var out []string
	for len(out) < n && len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		out = append(out, string(bytes.TrimSuffix(line, []byte("\r"))))
		b = rest
	}
	return out
}

// CheckHeader requires the first line of a CSV to be exactly want, so that a
// renamed or reordered column fails with the file named instead of loading
// values into the wrong fields.
func CheckHeader(b []byte, want string) error {
	lines := FirstLines(b, 1)
	if len(lines) == 0 {
		return fmt.Errorf("empty file")
	}
	if lines[0] != want {
		return fmt.Errorf("unexpected header %q, want %q", lines[0], want)
	}
	return nil
}

// Field is a field a raw model reads, with the JSON kind it normally has.
type Field struct{ Name, Kind string }

// RequireFields fails when a field is absent, or of another kind (null
// allowed if nullOK), in every record: what a rename or a type change
// upstream looks like. Single odd records are staging's to quarantine.
func RequireFields(recs []map[string]json.RawMessage, fields []Field, nullOK bool, what string) error {
	for _, f := range fields {
		ok := false
		for _, r := range recs {
			if v, present := r[f.Name]; present && (JSONKind(v) == f.Kind || nullOK && JSONKind(v) == "null") {
				ok = true
				break
			}
		}
		if !ok {
			orNull := ""
			if nullOK {
				orNull = " (or null)"
			}
			return fmt.Errorf("required field %q is missing or not a %s%s in all %d %s (renamed or retyped upstream?)", f.Name, f.Kind, orNull, len(recs), what)
		}
	}
	return nil
}

// KindName names a JSON kind the way the required-field errors do.
func KindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "string"
	case '[':
		return "array"
	case '{':
		return "object"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	case '0':
		return "number"
	}
	return ""
}

// JSONKind is the kind of a raw JSON value (of a record decoded into a map).
func JSONKind(v json.RawMessage) string {
	v = bytes.TrimLeft(v, " \t\n\r")
	if len(v) == 0 {
		return ""
	}
	return KindName(jsontext.Value(v).Kind())
}

// JSONLines encodes values one JSON object a line, HTML left unescaped, for
// a feed parsed in Go whose records DuckDB then reads.
func JSONLines[T any](vs []T) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// Bundled is a file embedded in the binary (sources/bundled), landed as format.
func Bundled(name, format string) File {
	b, err := bundled.FS.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("bundled file %s missing from the binary: %v", name, err))
	}
	return File{Name: name, Format: format, Data: b}
}
