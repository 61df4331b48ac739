package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/sources"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// oneSource is the smallest valid sources list, for tests about other keys.
const oneSource = `
sources:
  - name: hacks
    type: defillama_hacks
    location: https://api.llama.fi/hacks
`

func TestParseConfigUnknownKeys(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		wantErrs   []string
	}{
		{
			name: "top level",
			yaml: `data_dir: data
curencies: [EUR]
` + oneSource,
			wantErrs: []string{"curencies", "line 2"},
		},
		{
			name: "inside http",
			yaml: `http:
  timeout: 30s
  retry: 3
` + oneSource,
			wantErrs: []string{"retry", "line 3"},
		},
		{
			name: "inside a source entry",
			yaml: `sources:
  - name: hacks
    type: defillama_hacks
    location: https://api.llama.fi/hacks
  - name: ecb_fx
    type: ecb_eurofxref
    url: https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip
`,
			wantErrs: []string{"url", "line 7"},
		},
		{
			name: "pattern at the entry instead of under options",
			yaml: `sources:
  - name: prices
    type: prices_yfinance
    location: prices
    pattern: "*-USD.csv"
`,
			wantErrs: []string{"pattern", "line 5"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.yaml), t.TempDir())
			require.Error(t, err)
			for _, want := range tc.wantErrs {
				require.ErrorContains(t, err, want)
			}
		})
	}
}

// newSources parses a config and builds its sources as the pipeline does.
func newSources(t *testing.T, yaml, dir string) ([]feed.Source, error) {
	t.Helper()
	// The config checks each source as it parses (sources.New).
	cfg, err := ParseConfig([]byte(yaml), dir)
	if err != nil {
		return nil, err
	}
	return sources.New(cfg.SourceSpecs())
}

func TestSourceOptions(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		wantErrs   []string // nil: must build
	}{
		{
			name: "known option",
			yaml: `sources:
  - name: prices
    type: prices_yfinance
    location: prices
    options:
      pattern: "BTC-*.csv"
`,
		},
		{
			name: "empty options",
			yaml: `sources:
  - name: prices
    type: prices_yfinance
    location: prices
    options:
`,
		},
		{
			name: "unknown option",
			yaml: `sources:
  - name: prices
    type: prices_yfinance
    location: prices
    options:
      pattern: "*-USD.csv"
      x: 1
`,
			wantErrs: []string{`source "prices"`, `unknown option "x"`, "line 7"},
		},
		{
			name: "option of another type",
			yaml: `sources:
  - name: hacks
    type: defillama_hacks
    location: https://api.llama.fi/hacks
  - name: dprk
    type: curated_incidents
    location: embedded
    options: {pattern: "*.csv"}
`,
			wantErrs: []string{`source "dprk"`, `unknown option "pattern"`, "line 8"},
		},
		{
			name: "options not a mapping",
			yaml: `sources:
  - name: prices
    type: prices_yfinance
    location: prices
    options: "*-USD.csv"
`,
			wantErrs: []string{"line 5", "options must be a mapping"},
		},
		{
			name: "option of the wrong kind",
			yaml: `sources:
  - name: prices
    type: prices_yfinance
    location: prices
    options:
      pattern: [a, b]
`,
			wantErrs: []string{`source "prices"`, "line 6"},
		},
		{
			name: "every source's errors reported",
			yaml: `sources:
  - name: prices
    type: prices_yfinance
    location: prices
    options: {x: 1}
  - name: cmc
    type: prices_coinmarketcap
    location: prices
    options: {y: 2}
`,
			wantErrs: []string{`unknown option "x"`, "line 5", `unknown option "y"`, "line 9"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs, err := newSources(t, tc.yaml, t.TempDir())
			if tc.wantErrs == nil {
				require.NoError(t, err)
				require.NotEmpty(t, srcs)
				return
			}
			require.Error(t, err)
			for _, want := range tc.wantErrs {
				require.ErrorContains(t, err, want)
			}
		})
	}
}

// TestSourceOptionsReachTheSource checks that a decoded option is used: the
// pattern selects one of the two yfinance fixtures in sources/*/testdata.
func TestSourceOptionsReachTheSource(t *testing.T) {
	srcs, err := newSources(t, `sources:
  - name: prices
    type: prices_yfinance
    location: ../sources/prices/testdata/yfinance
    options:
      pattern: "BTC-*.csv"
`, ".")
	require.NoError(t, err)
	files, err := srcs[0].Fetch(t.Context(), fetch.NewClient(fetch.DefaultHTTPOptions()))
	require.NoError(t, err)
	require.Len(t, files, 1)
	require.Equal(t, "BTC-USD.csv", files[0].Name)
}

func TestParseConfigResolvesPaths(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "configs")
	abs := filepath.Join(t.TempDir(), "elsewhere", "hacks.json")
	cfg, err := ParseConfig([]byte(`
out_dir: ../published
sources:
  - {name: rel_file, type: defillama_hacks, location: ../data/hacks.json}
  - {name: rel_folder, type: prices_yfinance, location: prices}
  - {name: abs_file, type: defillama_hacks, location: `+abs+`}
  - {name: https_url, type: defillama_hacks, location: "https://api.llama.fi/hacks"}
  - {name: http_url, type: ecb_eurofxref, location: "http://127.0.0.1:8080/eurofxref-hist.zip?x=1"}
  - {name: embedded, type: curated_incidents, location: embedded}
  - {name: default_location, type: curated_incidents}
`), dir)
	require.NoError(t, err)

	require.Equal(t, filepath.Join(dir, "data"), cfg.DataDir, "default data_dir is relative to the config")
	require.Equal(t, filepath.Join(filepath.Dir(dir), "published"), cfg.OutDir)
	got := map[string]string{}
	for _, s := range cfg.Sources {
		got[s.Name] = s.Location
	}
	require.Equal(t, map[string]string{
		"rel_file":         filepath.Join(filepath.Dir(dir), "data", "hacks.json"),
		"rel_folder":       filepath.Join(dir, "prices"),
		"abs_file":         abs,
		"https_url":        "https://api.llama.fi/hacks",
		"http_url":         "http://127.0.0.1:8080/eurofxref-hist.zip?x=1",
		"embedded":         feed.Embedded,
		"default_location": "",
	}, got)

	srcs, err := sources.New(cfg.SourceSpecs())
	require.NoError(t, err)
	require.Equal(t, feed.Embedded, srcs[len(srcs)-1].Location(), "curated defaults to the embedded dataset")
}

func TestParseConfigAbsoluteDirs(t *testing.T) {
	data, out := filepath.Join(t.TempDir(), "d"), filepath.Join(t.TempDir(), "o")
	cfg, err := ParseConfig([]byte("data_dir: "+data+"\nout_dir: "+out+"\n"+oneSource), "/somewhere/else")
	require.NoError(t, err)
	require.Equal(t, data, cfg.DataDir)
	require.Equal(t, out, cfg.OutDir)
}

func TestParseConfigCurrencies(t *testing.T) {
	for _, tc := range []struct {
		name, currencies string // currencies: the YAML line, empty for none
		want             []string
		wantExtra        []string
		wantErr          string
	}{
		{name: "default", want: []string{"GBP"}},
		{name: "empty list", currencies: "currencies: []", want: []string{"GBP"}},
		{name: "GBP given", currencies: "currencies: [GBP]", want: []string{"GBP"}},
		{name: "EUR kept, GBP first", currencies: "currencies: [EUR]", want: []string{"GBP", "EUR"}, wantExtra: []string{"EUR"}},
		{name: "USD dropped as the base", currencies: "currencies: [USD, EUR]", want: []string{"GBP", "EUR"}, wantExtra: []string{"EUR"}},
		{name: "only USD", currencies: "currencies: [USD]", want: []string{"GBP"}},
		{
			name:       "deduplicated, GBP first, order kept",
			currencies: "currencies: [JPY, GBP, EUR, JPY, CHF, EUR]",
			want:       []string{"GBP", "JPY", "EUR", "CHF"},
			wantExtra:  []string{"JPY", "EUR", "CHF"},
		},
		{name: "lower case", currencies: "currencies: [usd]", wantErr: `"usd"`},
		{name: "lower case eur", currencies: "currencies: [EUR, eur]", wantErr: `"eur"`},
		{name: "two letters", currencies: "currencies: [GB]", wantErr: `"GB"`},
		{name: "name instead of code", currencies: "currencies: [EURO]", wantErr: `"EURO"`},
		{name: "symbol", currencies: `currencies: ["£"]`, wantErr: `"£"`},
		{name: "scalar instead of list", currencies: "currencies: EUR", wantErr: "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tc.currencies+"\n"+oneSource), t.TempDir())
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg.Currencies)
			require.Equal(t, tc.wantExtra, cfg.ExtraCurrencies())
		})
	}
}

func TestParseConfigValues(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		check      func(t *testing.T, c *Config)
		wantErrs   []string
	}{
		{
			name: "defaults",
			yaml: oneSource,
			check: func(t *testing.T, c *Config) {
				require.Equal(t, 5, c.KeepReleases)
				require.Equal(t, 7, c.MaxPriceAgeDays)
				require.Equal(t, HTTPConfig{Timeout: 60 * time.Second, ConnectTimeout: 10 * time.Second,
					Retries: 4, RetryWaitMin: time.Second, RetryWaitMax: 30 * time.Second, MaxRetryAfter: 2 * time.Minute,
					MaxResponseBytes: 256 << 20, RateLimit: 5}, c.HTTP)
				require.Empty(t, c.AsOf)
				require.Equal(t, []string{"GBP"}, c.Currencies)
			},
		},
		{
			name: "overrides",
			yaml: `as_of: 2022-03-31
value_at: 2024-11-21
keep_releases: 1
max_price_age_days: 0
http: {timeout: 90s, connect_timeout: 1500ms, retries: 0, retry_wait_min: 10ms, retry_wait_max: 1s,
  max_retry_after: 5s, max_response_bytes: 1000, rate_limit: 0, host_rate_limits: {api.coingecko.com: 0.5}}
` + oneSource,
			check: func(t *testing.T, c *Config) {
				require.Equal(t, "2022-03-31", c.AsOf)
				require.Equal(t, "2024-11-21", c.ValueAt)
				require.Equal(t, 1, c.KeepReleases)
				require.Equal(t, 0, c.MaxPriceAgeDays)
				require.Equal(t, HTTPConfig{Timeout: 90 * time.Second, ConnectTimeout: 1500 * time.Millisecond,
					RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: time.Second, MaxRetryAfter: 5 * time.Second,
					MaxResponseBytes: 1000, HostRateLimits: map[string]float64{"api.coingecko.com": 0.5}}, c.HTTP)
			},
		},
		{
			name: "only one timeout set keeps the other default",
			yaml: "http: {timeout: 5s}\n" + oneSource,
			check: func(t *testing.T, c *Config) {
				require.Equal(t, 5*time.Second, c.HTTP.Timeout)
				require.Equal(t, 10*time.Second, c.HTTP.ConnectTimeout)
			},
		},
		{name: "as_of with time", yaml: "as_of: 2022-03-31T00:00:00Z\n" + oneSource, wantErrs: []string{"as_of", "2022-03-31T00:00:00Z"}},
		{name: "as_of day-first", yaml: "as_of: 31/03/2022\n" + oneSource, wantErrs: []string{"as_of", `"31/03/2022"`}},
		{name: "as_of not zero padded", yaml: "as_of: 2022-3-31\n" + oneSource, wantErrs: []string{"as_of", `"2022-3-31"`}},
		{name: "as_of impossible day", yaml: "as_of: 2022-02-30\n" + oneSource, wantErrs: []string{"as_of", `"2022-02-30"`}},
		{name: "value_at not a date", yaml: "value_at: 21/11/2024\n" + oneSource, wantErrs: []string{"value_at", `"21/11/2024"`}},
		{name: "keep_releases 0", yaml: "keep_releases: 0\n" + oneSource, wantErrs: []string{"keep_releases"}},
		{name: "negative max_price_age_days", yaml: "max_price_age_days: -1\n" + oneSource, wantErrs: []string{"max_price_age_days"}},
		{name: "zero timeout", yaml: "http: {timeout: 0s}\n" + oneSource, wantErrs: []string{"http: timeouts"}},
		{name: "negative connect timeout", yaml: "http: {connect_timeout: -1s}\n" + oneSource, wantErrs: []string{"http: timeouts"}},
		{name: "retry waits reversed", yaml: "http: {retry_wait_min: 2s, retry_wait_max: 1s}\n" + oneSource, wantErrs: []string{"retry_wait_min <= retry_wait_max"}},
		{name: "negative retries", yaml: "http: {retries: -1}\n" + oneSource, wantErrs: []string{"retries must be >= 0"}},
		{name: "zero max_response_bytes", yaml: "http: {max_response_bytes: 0}\n" + oneSource, wantErrs: []string{"max_response_bytes"}},
		{name: "negative host rate", yaml: "http: {host_rate_limits: {example.org: -1}}\n" + oneSource, wantErrs: []string{"example.org"}},
		{name: "timeout without unit", yaml: "http: {timeout: 30}\n" + oneSource, wantErrs: []string{"line 1"}},
		{name: "no sources", yaml: "currencies: [EUR]\n", wantErrs: []string{"at least one source"}},
		{name: "source without name", yaml: "sources:\n  - {type: defillama_hacks, location: x}\n", wantErrs: []string{"sources[0]: name is required"}},
		{
			name:     "every error reported at once",
			yaml:     "as_of: yesterday\nkeep_releases: 0\ncurrencies: [usd]\nsources: []\n",
			wantErrs: []string{"as_of", "keep_releases", `"usd"`, "at least one source"},
		},
		{name: "not YAML", yaml: "sources: [\n", wantErrs: []string{"yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tc.yaml), t.TempDir())
			if tc.wantErrs != nil {
				require.Error(t, err)
				for _, want := range tc.wantErrs {
					require.ErrorContains(t, err, want)
				}
				return
			}
			require.NoError(t, err)
			tc.check(t, cfg)
		})
	}
}

func TestLoadConfig(t *testing.T) {
	t.Run("snapshot.yaml", func(t *testing.T) {
		requireSharedData(t)
		cfg, err := LoadConfig("../configs/snapshot.yaml")
		require.NoError(t, err)
		srcs, err := sources.New(cfg.SourceSpecs())
		require.NoError(t, err)
		require.Len(t, srcs, 13)
		for _, s := range srcs {
			if s.Location() == feed.Embedded {
				continue
			}
			require.True(t, filepath.IsAbs(s.Location()) || strings.HasPrefix(s.Location(), "../"), s.Location())
			_, err := os.Stat(s.Location())
			require.NoError(t, err, "source %s: location resolved against configs/", s.Name())
		}
		require.Equal(t, filepath.Join("..", "data", "snapshot"), cfg.DataDir)
	})
	t.Run("error names the file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "bad.yaml")
		require.NoError(t, os.WriteFile(p, []byte(oneSource+"extra: 1\n"), 0o644))
		_, err := LoadConfig(p)
		require.ErrorContains(t, err, p)
		require.ErrorContains(t, err, `extra`)
		require.ErrorContains(t, err, "line 6")
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}
