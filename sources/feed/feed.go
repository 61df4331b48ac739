// Package feed is the contract between the pipeline and the feed packages
// under sources/: what a source is, what it returns, and how a feed package
// builds one from its configuration entry. A source fetches raw bytes and
// checks their shape; it never parses into rows and never touches DuckDB:
// DuckDB types the landed files (see sql/raw).
package feed

import (
	"context"
	"errors"
	"net/http"

	"github.com/heiststat/heiststat/sources/fetch"
)

// File is one raw file produced by a fetch.
type File struct {
	// Name is the logical file name (e.g. "ETH-USD.csv"); its extension is kept
	// in the landing zone so the file stays readable by its type.
	Name string
	// Format names the raw model that reads the file (sql/raw/raw_<format>.sql).
	// Empty means archive only: kept as fetched but not loaded (e.g. a zip whose
	// extracted CSV is landed beside it).
	Format string
	Data   []byte
	// SHA256 is set instead of Data for a local file unchanged since the
	// last good snapshot landed it (fetch.Exchange.Unchanged): its bytes are
	// already in the landing zone.
	SHA256 string
	// Stat identifies the local file the bytes are from (nil for HTTP, and
	// for a file changed too recently to be recognised by it later).
	Stat *fetch.FileStat
}

// Source is one configured feed.
type Source interface {
	Name() string
	Type() string
	Location() string
	// Fetch returns the raw files of one snapshot of the feed, already checked
	// against the shape the raw model expects.
	Fetch(ctx context.Context, hc *http.Client) ([]File, error)
}

// Bundler is implemented by sources whose feed has facts bundled in the
// binary, used when neither the feed nor an archived snapshot is available.
type Bundler interface {
	Bundled() []File
}

// Embedded is the location value that selects a feed's bundled facts
// instead of a file or URL.
const Embedded = "embedded"

// Spec is a source entry of the configuration file.
type Spec struct {
	Name     string
	Type     string
	Location string
	// APIKeyEnv names the environment variable holding the source's API key
	// (empty: keyless). The key is read at fetch time and never logged.
	APIKeyEnv string
	// Options holds the type-specific options, decoded strictly by the type.
	Options Options
}

// Options decodes type-specific options; a nil Options means none were given.
type Options interface {
	Decode(v any) error
}

// Base carries what every source has; feed types embed it.
type Base struct {
	name, typ, location string
}

// BaseOf is the Base of a configured source.
func BaseOf(s Spec) Base { return Base{s.Name, s.Type, s.Location} }

func (b Base) Name() string     { return b.name }
func (b Base) Type() string     { return b.typ }
func (b Base) Location() string { return b.location }

// DecodeOptions decodes a source's options into v, which holds the defaults;
// a nil v means the type takes none (any given is an error).
func DecodeOptions(s Spec, v any) error {
	if s.Options == nil {
		return nil
	}
	if v == nil {
		v = &struct{}{}
	}
	return s.Options.Decode(v)
}

// Located checks that a source has a location and decodes its options into
// opts (nil: the type takes none); it is the start of most constructors.
func Located(s Spec, opts any) (Base, error) {
	if s.Location == "" {
		return Base{}, errors.New("location is required")
	}
	if err := DecodeOptions(s, opts); err != nil {
		return Base{}, err
	}
	return BaseOf(s), nil
}

// PatternOptions are the options of a source read from a folder of files.
type PatternOptions struct {
	// Pattern selects files when the location is a folder.
	Pattern string `yaml:"pattern"`
}
