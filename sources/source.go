// Package sources fetches raw feed bytes. It never parses into rows and never
// touches DuckDB: DuckDB types the landed files (see sql/raw). A source only
// checks that the bytes have the shape its raw model expects, so a changed
// feed fails here, with the source and field named, before anything lands.
package sources

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
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
	// last good snapshot landed it (Exchange.Unchanged): its bytes are
	// already in the landing zone.
	SHA256 string
	// Stat identifies the local file the bytes are from (nil for HTTP, and
	// for a file changed too recently to be recognised by it later).
	Stat *FileStat
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

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// constructors is the one explicit list of source types.
var constructors = map[string]func(Spec) (Source, error){
	"defillama_hacks":      newDefiLlamaHacks,
	"ecb_eurofxref":        newECBEuroFxRef,
	"prices_yfinance":      newYFinancePrices,
	"prices_coinmarketcap": newCoinMarketCapPrices,
	"curated_incidents":    newCuratedIncidents,
	"defillama_coins":      newDefiLlamaCoins,
	"coingecko_chart":      newCoinGeckoMarketChart,
	"binance_klines":       newBinanceKlines,
	"ecb_data_api":         newECBDataAPI,
	"fred_fredgraph":       newFREDGraph,
	"ofac_sdn_advanced":    newOFACAdvanced,
	"slowmist_hacked":      newCSVFeed(SlowMistHeader, "slowmist_hacked"),
	"defi_rekt":            newCSVFeed(DefiRektHeader, "defi_rekt"),
	"blocksec_events":      newBlockSecEvents,
	"ofac_sdn_csv":         newOFACSDNCSV,
	"ofac_addresses":       newOFACAddresses,
	"dn_institute":         newDNInstitute,
	"rekt_news":            newRektNews,
	"defi_rekt_api":        newDefiRektAPI,
	"blocksec_api":         newBlockSecAPI,
	"slowmist_html":        newSlowMistHTML,
	"defihacklabs":         newDeFiHackLabs,
}

// keyed are the types that read an API key (api_key_env).
var keyed = map[string]bool{"defillama_hacks": true, "coingecko_chart": true}

// Types lists the source types, for error messages and docs.
func Types() []string {
	return []string{"defillama_hacks", "ecb_eurofxref", "prices_yfinance", "prices_coinmarketcap", "curated_incidents",
		"defillama_coins", "coingecko_chart", "binance_klines", "ecb_data_api", "fred_fredgraph", "ofac_sdn_advanced",
		"slowmist_hacked", "defi_rekt", "blocksec_events", "ofac_sdn_csv", "ofac_addresses",
		"dn_institute", "rekt_news",
		"defi_rekt_api", "blocksec_api", "slowmist_html", "defihacklabs"}
}

// New builds the configured sources, validating each; all errors are reported at once.
func New(specs []Spec) ([]Source, error) {
	var (
		out  []Source
		errs []error
		seen = map[string]bool{}
	)
	for _, s := range specs {
		if !nameRE.MatchString(s.Name) {
			errs = append(errs, fmt.Errorf("source %q: name must match %s", s.Name, nameRE))
			continue
		}
		if seen[s.Name] {
			errs = append(errs, fmt.Errorf("source %q: duplicate name", s.Name))
			continue
		}
		seen[s.Name] = true
		ctor, ok := constructors[s.Type]
		if !ok {
			errs = append(errs, fmt.Errorf("source %q: unknown type %q (known: %v)", s.Name, s.Type, Types()))
			continue
		}
		if s.APIKeyEnv != "" && !keyed[s.Type] {
			errs = append(errs, fmt.Errorf("source %q: api_key_env: type %s takes no API key", s.Name, s.Type))
			continue
		}
		src, err := ctor(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("source %q: %w", s.Name, err))
			continue
		}
		out = append(out, src)
	}
	return out, errors.Join(errs...)
}

// base carries what every source has.
type base struct {
	name, typ, location string
}

func (b base) Name() string     { return b.name }
func (b base) Type() string     { return b.typ }
func (b base) Location() string { return b.location }

func decodeOptions(s Spec, v any) error {
	if s.Options == nil {
		return nil
	}
	return s.Options.Decode(v)
}

// newLocated builds a source that needs a location and takes no options.
func newLocated(s Spec, mk func(base) Source) (Source, error) {
	if err := requireLocation(s); err != nil {
		return nil, err
	}
	var none struct{}
	if err := decodeOptions(s, &none); err != nil {
		return nil, err
	}
	return mk(base{s.Name, s.Type, s.Location}), nil
}

func requireLocation(s Spec) error {
	if s.Location == "" {
		return errors.New("location is required")
	}
	return nil
}

// ext returns the lower-case extension of a location, ignoring any URL query.
func ext(loc string) string {
	return path.Ext(stripQuery(loc))
}
