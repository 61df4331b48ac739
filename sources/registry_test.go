package sources

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
)

func TestNew(t *testing.T) {
	srcs, err := New([]feed.Spec{
		{Name: "hacks", Type: "defillama_hacks", Location: "https://api.llama.fi/hacks"},
		{Name: "ecb_fx", Type: "ecb_eurofxref", Location: "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"},
		{Name: "prices_yf", Type: "prices_yfinance", Location: "prices/testdata/yfinance"},
		{Name: "prices_cmc2", Type: "prices_coinmarketcap", Location: "prices/testdata/coinmarketcap"},
		{Name: "dprk", Type: "curated_incidents"},
	})
	require.NoError(t, err)
	var got [][3]string
	for _, s := range srcs {
		got = append(got, [3]string{s.Name(), s.Type(), s.Location()})
	}
	require.Equal(t, [][3]string{
		{"hacks", "defillama_hacks", "https://api.llama.fi/hacks"},
		{"ecb_fx", "ecb_eurofxref", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"},
		{"prices_yf", "prices_yfinance", "prices/testdata/yfinance"},
		{"prices_cmc2", "prices_coinmarketcap", "prices/testdata/coinmarketcap"},
		{"dprk", "curated_incidents", feed.Embedded},
	}, got)
}

// Every registered type builds a source of its own type, and no type is
// registered twice.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range registry {
		require.False(t, seen[e.Type], "%s registered twice", e.Type)
		seen[e.Type] = true
		src, err := e.New(feed.Spec{Name: "x", Type: e.Type, Location: "https://example.org/x", APIKeyEnv: map[bool]string{true: "K"}[e.Keyed]})
		if err != nil {
			continue // some types need options; New's errors are tested per feed
		}
		require.Equal(t, e.Type, src.Type())
	}
	require.Len(t, Types(), len(registry))
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		specs    []feed.Spec
		wantErrs []string
	}{
		{
			name:     "unknown type lists the known types",
			specs:    []feed.Spec{{Name: "coingecko", Type: "coingecko", Location: "https://api.coingecko.com"}},
			wantErrs: append([]string{`source "coingecko": unknown type "coingecko"`}, Types()...),
		},
		{
			name: "duplicate names",
			specs: []feed.Spec{
				{Name: "hacks", Type: "defillama_hacks", Location: "a.json"},
				{Name: "hacks", Type: "ecb_eurofxref", Location: "b.csv"},
			},
			wantErrs: []string{`source "hacks": duplicate name`},
		},
		{name: "name with a dash", specs: []feed.Spec{{Name: "Bad-Name", Type: "defillama_hacks", Location: "a.json"}}, wantErrs: []string{`source "Bad-Name": name must match`}},
		{name: "empty name", specs: []feed.Spec{{Type: "defillama_hacks", Location: "a.json"}}, wantErrs: []string{`source "": name must match`}},
		{name: "name starting with a digit", specs: []feed.Spec{{Name: "1hacks", Type: "defillama_hacks", Location: "a.json"}}, wantErrs: []string{`source "1hacks"`}},
		{name: "location required", specs: []feed.Spec{{Name: "hacks", Type: "defillama_hacks"}}, wantErrs: []string{`source "hacks": location is required`}},
		{
			name: "options error is reported with the source",
			specs: []feed.Spec{{Name: "yf", Type: "prices_yfinance", Location: "x", Options: feedtest.OptionsFunc(func(any) error {
				return errors.New(`line 9: unknown option "x"`)
			})}},
			wantErrs: []string{`source "yf": line 9: unknown option "x"`},
		},
		{
			name:     "api_key_env on a type that takes no key",
			specs:    []feed.Spec{{Name: "ecb", Type: "ecb_eurofxref", Location: "https://example.org/eurofxref-hist.zip", APIKeyEnv: "ECB_KEY"}},
			wantErrs: []string{"api_key_env: type ecb_eurofxref takes no API key"},
		},
		{
			name: "all errors reported at once",
			specs: []feed.Spec{
				{Name: "Bad-Name", Type: "defillama_hacks", Location: "a.json"},
				{Name: "ok", Type: "defillama_hacks", Location: "a.json"},
				{Name: "ok", Type: "defillama_hacks", Location: "a.json"},
				{Name: "fred", Type: "fred", Location: "b.csv"},
				{Name: "ecb", Type: "ecb_eurofxref"},
			},
			wantErrs: []string{`"Bad-Name"`, `source "ok": duplicate name`, `unknown type "fred"`, `source "ecb": location is required`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.specs)
			require.Error(t, err)
			feedtest.ErrorContainsAll(t, err, tc.wantErrs)
		})
	}

	t.Run("joined errors are separate", func(t *testing.T) {
		_, err := New([]feed.Spec{{Name: "A"}, {Name: "b", Type: "nope"}, {Name: "c", Type: "ecb_eurofxref"}})
		var joined interface{ Unwrap() []error }
		require.ErrorAs(t, err, &joined)
		require.Len(t, joined.Unwrap(), 3)
	})
}
