package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"
	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/heiststat/heiststat/pipeline/warehouse"
	"github.com/heiststat/heiststat/sources"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Config is the one YAML configuration file. Relative paths in it (data_dir,
// out_dir, file locations) are resolved against the folder of the file, so a
// config works from any working directory.
type Config struct {
	// DataDir holds the landing zone, the warehouse and the lock.
	DataDir string `yaml:"data_dir"`
	// OutDir holds the published releases and the current symlink.
	OutDir string `yaml:"out_dir"`
	// Currencies are published beside USD; GBP is always included. Any ECB
	// reference currency (EUR, JPY, CHF, ...) is allowed.
	Currencies []string `yaml:"currencies"`
	// AsOf pins the date the data is considered complete to (YYYY-MM-DD); by
	// default it is the latest incident date in the feeds, so reruns on the same
	// inputs give the same outputs.
	AsOf string `yaml:"as_of"`
	// ValueAt (YYYY-MM-DD) also re-values every incident valued from native
	// amounts at that day's prices and FX, in extra value_at_* columns; the
	// theft-date valuation stays the basis of every other figure.
	ValueAt string `yaml:"value_at"`
	// MaxPriceAgeDays is how old a price may be (as-of lookup) before an asset
	// counts as unpriced on a date.
	MaxPriceAgeDays int `yaml:"max_price_age_days"`
	// KeepReleases is how many published releases are kept, current included.
	KeepReleases int            `yaml:"keep_releases"`
	HTTP         HTTPConfig     `yaml:"http"`
	Sources      []SourceConfig `yaml:"sources"`
	// LockTimeout is how long a writer (run, fetch, a scheduled job) waits
	// for another to release the data folder before giving up; 0 fails at once.
	LockTimeout time.Duration `yaml:"lock_timeout"`
	// Schedule configures `heiststat schedule` (see pipeline/schedule).
	Schedule ScheduleConfig `yaml:"schedule"`

	// TheftCategories are the incident categories counted as thefts in the
	// headline tables; the others (by default rug_pull_scam) are reported
	// only in annual_by_category.
	TheftCategories []string `yaml:"theft_categories"`
	// IncludeDisputed puts the thefts flagged theft_disputed or
	// reported_late back into the headline tables (they are always in
	// parquet/incidents with their flags).
	IncludeDisputed bool `yaml:"include_disputed"`
}

// HTTPConfig sets the client every http(s) source shares.
type HTTPConfig struct {
	// Timeout bounds one whole request, body included.
	Timeout time.Duration `yaml:"timeout"`
	// ConnectTimeout bounds DNS and TCP connect, so a run without network fails fast.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// Retries after a network error, a 5xx or a 429, with exponential backoff
	// and jitter between RetryWaitMin and RetryWaitMax; a Retry-After header
	// is honoured up to MaxRetryAfter.
	Retries       int           `yaml:"retries"`
	RetryWaitMin  time.Duration `yaml:"retry_wait_min"`
	RetryWaitMax  time.Duration `yaml:"retry_wait_max"`
	MaxRetryAfter time.Duration `yaml:"max_retry_after"`
	// MaxResponseBytes bounds one response body.
	MaxResponseBytes int64 `yaml:"max_response_bytes"`
	// RateLimit is requests per second per host (0: unlimited);
	// HostRateLimits overrides it per host name.
	RateLimit      float64            `yaml:"rate_limit"`
	HostRateLimits map[string]float64 `yaml:"host_rate_limits"`
}

// options turns the configuration into the shared client's options.
func (h HTTPConfig) options() fetch.HTTPOptions {
	return fetch.HTTPOptions{
		Timeout: h.Timeout, ConnectTimeout: h.ConnectTimeout,
		Retries: h.Retries, RetryWaitMin: h.RetryWaitMin, RetryWaitMax: h.RetryWaitMax, MaxRetryAfter: h.MaxRetryAfter,
		MaxResponseBytes: h.MaxResponseBytes, RateLimit: h.RateLimit, HostRateLimits: h.HostRateLimits,
	}
}

// SourceConfig is one entry of sources.
type SourceConfig struct {
	Name     string `yaml:"name"`
	Type     string `yaml:"type"`
	Location string `yaml:"location"`
	// APIKeyEnv names the environment variable holding the API key; the key
	// itself never appears in the configuration, logs or outputs.
	APIKeyEnv string    `yaml:"api_key_env"`
	Options   yaml.Node `yaml:"options"`
	// Schedule is the cron expression of this source's fetch under
	// `heiststat schedule`; empty means the build job fetches it.
	Schedule string `yaml:"schedule"`
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// LoadConfig reads and strictly validates a configuration file: an unknown
// key anywhere is an error naming the key and its line.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(b, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig parses configuration bytes; dir resolves relative paths.
func ParseConfig(b []byte, dir string) (*Config, error) {
	c := Config{
		DataDir:         "data",
		OutDir:          "out",
		Currencies:      []string{"GBP"},
		MaxPriceAgeDays: 7,
		KeepReleases:    5,
		TheftCategories: []string{"hack_exploit", "key_compromise", "phishing", "other"},
		HTTP:            defaultHTTP(),
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); errors.Is(err, io.EOF) {
		return nil, errors.New("empty configuration: at least one source is required")
	} else if err != nil {
		return nil, explainYAML(err)
	}
	// A second document would otherwise be ignored without a word.
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one YAML document: a configuration is one document")
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	c.DataDir = resolve(dir, c.DataDir)
	c.OutDir = resolve(dir, c.OutDir)
	for i := range c.Sources {
		if loc := c.Sources[i].Location; loc != "" && loc != feed.Embedded && !strings.Contains(loc, "://") {
			c.Sources[i].Location = resolve(dir, loc)
		}
	}
	return &c, nil
}

func defaultHTTP() HTTPConfig {
	d := fetch.DefaultHTTPOptions()
	return HTTPConfig{Timeout: d.Timeout, ConnectTimeout: d.ConnectTimeout, Retries: d.Retries,
		RetryWaitMin: d.RetryWaitMin, RetryWaitMax: d.RetryWaitMax, MaxRetryAfter: d.MaxRetryAfter,
		MaxResponseBytes: d.MaxResponseBytes, RateLimit: d.RateLimit}
}

func resolve(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

func (c *Config) validate() error {
	var errs []error
	if len(c.Sources) == 0 {
		errs = append(errs, errors.New("sources: at least one source is required"))
	}
	seen := map[string]bool{}
	var ccys []string
	for _, ccy := range append([]string{"GBP"}, c.Currencies...) {
		switch {
		case !currencyRE.MatchString(ccy):
			errs = append(errs, fmt.Errorf("currencies: %q is not a 3-letter upper-case ISO code", ccy))
		case ccy == "USD":
			// USD is the base currency and always published.
		case !seen[ccy]:
			seen[ccy] = true
			ccys = append(ccys, ccy)
		}
	}
	c.Currencies = ccys
	if c.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, c.AsOf); err != nil {
			errs = append(errs, fmt.Errorf("as_of: %q is not a YYYY-MM-DD date", c.AsOf))
		}
	}
	if c.ValueAt != "" {
		if _, err := time.Parse(time.DateOnly, c.ValueAt); err != nil {
			errs = append(errs, fmt.Errorf("value_at: %q is not a YYYY-MM-DD date", c.ValueAt))
		}
	}
	if c.MaxPriceAgeDays < 0 {
		errs = append(errs, errors.New("max_price_age_days: must be >= 0"))
	}
	for _, cat := range c.TheftCategories {
		if !slices.Contains(Categories, cat) {
			errs = append(errs, fmt.Errorf("theft_categories: unknown category %q (known: %v)", cat, Categories))
		}
	}
	if c.KeepReleases < 1 {
		errs = append(errs, errors.New("keep_releases: must be >= 1"))
	}
	if c.HTTP.Timeout <= 0 || c.HTTP.ConnectTimeout <= 0 {
		errs = append(errs, errors.New("http: timeouts must be positive durations such as 30s"))
	}
	if h := c.HTTP; h.Retries < 0 || h.RetryWaitMin <= 0 || h.RetryWaitMax < h.RetryWaitMin || h.MaxRetryAfter < 0 {
		errs = append(errs, errors.New("http: retries must be >= 0 and 0 < retry_wait_min <= retry_wait_max, max_retry_after >= 0"))
	}
	if c.HTTP.MaxResponseBytes <= 0 {
		errs = append(errs, errors.New("http: max_response_bytes must be positive"))
	}
	for host, rps := range c.HTTP.HostRateLimits {
		if rps < 0 {
			errs = append(errs, fmt.Errorf("http.host_rate_limits: %s: must be >= 0 requests per second", host))
		}
	}
	if c.HTTP.RateLimit < 0 {
		errs = append(errs, errors.New("http.rate_limit: must be >= 0 requests per second"))
	}
	errs = append(errs, c.validateSchedule()...)
	for i, s := range c.Sources {
		if s.Name == "" {
			errs = append(errs, fmt.Errorf("sources[%d]: name is required", i))
		}
		if scheme, _, ok := strings.Cut(s.Location, "://"); ok && scheme != "http" && scheme != "https" {
			errs = append(errs, fmt.Errorf("sources[%d]: location scheme %q is not supported: use http(s) or a file path", i, scheme))
		}
	}
	// Names, types and options are the sources' own checks: run them here so
	// that every configuration error is reported before a run starts.
	if _, err := sources.New(c.SourceSpecs()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// SourceSpecs turns the source entries into specs for sources.New.
func (c *Config) SourceSpecs() []feed.Spec {
	specs := make([]feed.Spec, 0, len(c.Sources))
	for _, s := range c.Sources {
		spec := feed.Spec{Name: s.Name, Type: s.Type, Location: s.Location, APIKeyEnv: s.APIKeyEnv}
		if s.Options.Kind != 0 {
			spec.Options = strictNode{node: &s.Options}
		}
		specs = append(specs, spec)
	}
	return specs
}

// ExtraCurrencies are the configured currencies beyond USD and GBP, in order.
func (c *Config) ExtraCurrencies() []string {
	var out []string
	for _, ccy := range c.Currencies {
		if ccy != "GBP" {
			out = append(out, ccy)
		}
	}
	return out
}

// strictNode decodes a source's options, rejecting keys the type does not
// declare with their line number (yaml.Node.Decode alone would ignore them).
type strictNode struct{ node *yaml.Node }

func (s strictNode) Decode(v any) error {
	n := s.node
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: options must be a mapping", n.Line)
	}
	known := yamlKeys(reflect.TypeOf(v).Elem())
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !known[k.Value] {
			return fmt.Errorf("line %d: unknown option %q", k.Line, k.Value)
		}
	}
	return n.Decode(v)
}

func yamlKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			keys[tag] = true
		}
	}
	return keys
}

// configTypes are the structs a config key can belong to, by the name yaml
// gives them in its errors.
var configTypes = map[string]reflect.Type{
	"pipeline.Config":         reflect.TypeFor[Config](),
	"pipeline.HTTPConfig":     reflect.TypeFor[HTTPConfig](),
	"pipeline.SourceConfig":   reflect.TypeFor[SourceConfig](),
	"pipeline.ScheduleConfig": reflect.TypeFor[ScheduleConfig](),
}

var unknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type (\S+)`)

// explainYAML turns yaml's "field currencys not found in type
// pipeline.Config" into "line 3: unknown key currencys (did you mean
// currencies?)".
func explainYAML(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, e := range te.Errors {
		msgs[i] = e
		m := unknownField.FindStringSubmatch(e)
		if m == nil {
			continue
		}
		msgs[i] = fmt.Sprintf("line %s: unknown key %s", m[1], m[2])
		if t, ok := configTypes[m[3]]; ok {
			if near := nearestKey(m[2], t); near != "" {
				msgs[i] += " (did you mean " + near + "?)"
			}
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// nearestKey is the yaml key of t closest to key, if it is close enough to
// be a typo.
func nearestKey(key string, t reflect.Type) string {
	best, bestDist := "", len(key)/2+1
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if d := levenshtein.ComputeDistance(key, name); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// ScheduleConfig configures `heiststat schedule`. Each source's fetch has its
// own cron expression (sources[].schedule).
type ScheduleConfig struct {
	// Build is the cron expression of the build-and-publish job. Empty means
	// a build follows every scheduled fetch.
	Build string `yaml:"build"`
	// Listen is the address serving /healthz and /metrics, such as
	// "127.0.0.1:9108"; empty serves nothing.
	Listen string `yaml:"listen"`
}

// CronParser takes five fields or six (leading seconds), descriptors such as
// @daily or @every 10m, and a CRON_TZ=<zone> prefix; the default zone is UTC.
var CronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func (c *Config) validateSchedule() []error {
	var errs []error
	if c.LockTimeout < 0 {
		errs = append(errs, errors.New("lock_timeout: must be a duration >= 0 such as 10m"))
	}
	if s := c.Schedule.Build; s != "" {
		if _, err := CronParser.Parse(s); err != nil {
			errs = append(errs, fmt.Errorf("schedule.build: %q: %w", s, err))
		}
	}
	for i, s := range c.Sources {
		switch {
		case s.Schedule == "":
		case s.Location == feed.Embedded || s.Location == "" && s.Type == "curated_incidents":
			errs = append(errs, fmt.Errorf("sources[%d] (%s): schedule: an embedded source has nothing to fetch", i, s.Name))
		default:
			if _, err := CronParser.Parse(s.Schedule); err != nil {
				errs = append(errs, fmt.Errorf("sources[%d] (%s): schedule %q: %w", i, s.Name, s.Schedule, err))
			}
		}
	}
	return errs
}

// buildSettings is what the warehouse build reads from the configuration.
func (c *Config) buildSettings() warehouse.Settings {
	return warehouse.Settings{
		TmpDir:          filepath.Join(c.DataDir, "tmp"),
		QuarantineDir:   filepath.Join(c.DataDir, "quarantine"),
		MaxPriceAgeDays: c.MaxPriceAgeDays,
		Currencies:      c.Currencies,
		AsOf:            c.AsOf,
		ValueAt:         c.ValueAt,
		TheftCategories: c.TheftCategories,
		IncludeDisputed: c.IncludeDisputed,
		Categories:      Categories,
	}
}

// WarehousePath is the run's DuckDB file.
func (c *Config) WarehousePath() string { return filepath.Join(c.DataDir, "warehouse.duckdb") }
