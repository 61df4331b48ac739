package coingecko

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// MarketChart prices the demanded (asset, day) pairs with CoinGecko's
// /coins/{id}/market_chart/range (daily points at 00:00 UTC for ranges over 90
// days), one request per coin covering its needed days, landed as
// <coin id>.json. It needs a key: Demo (header x-cg-demo-api-key, host
// api.coingecko.com) or Pro (x-cg-pro-api-key, pro-api.coingecko.com), read
// from the environment variable named by api_key_env. The Demo plan only
// serves the last 365 days, so older days are not requested (see Notes).
type MarketChart struct {
	feed.Base
	keyEnv      string
	plan        string
	historyDays int
	needs       []feed.PriceNeed
	now         func() time.Time
}

type options struct {
	// Plan is demo (default) or pro; it picks the key header.
	Plan string `yaml:"plan"`
	// HistoryDays is how far back the plan serves; 0 means no limit. Default:
	// 365 on demo, 0 on pro.
	HistoryDays *int `yaml:"history_days"`
}

var keyHeader = map[string]string{"demo": "x-cg-demo-api-key", "pro": "x-cg-pro-api-key"}

// NewMarketChart builds a coingecko_chart source.
func NewMarketChart(s feed.Spec) (feed.Source, error) {
	o := options{Plan: "demo"}
	b, err := feed.Located(s, &o)
	if err != nil {
		return nil, err
	}
	if s.APIKeyEnv == "" {
		return nil, errors.New("api_key_env: name the environment variable that holds the CoinGecko key (e.g. COINGECKO_API_KEY)")
	}
	if _, ok := keyHeader[o.Plan]; !ok {
		return nil, fmt.Errorf("options.plan: %q is not demo or pro", o.Plan)
	}
	days := 0
	if o.Plan == "demo" {
		days = 365
	}
	if o.HistoryDays != nil {
		if *o.HistoryDays < 0 {
			return nil, errors.New("options.history_days: must be >= 0")
		}
		days = *o.HistoryDays
	}
	return &MarketChart{Base: b, keyEnv: s.APIKeyEnv, plan: o.Plan,
		historyDays: days, now: func() time.Time { return time.Now().UTC() }}, nil
}

func (c *MarketChart) SetDemand(needs []feed.PriceNeed) { c.needs = feed.SortedNeeds(needs) }

// Notes tells the user, on every run, what the plan cannot serve.
func (c *MarketChart) Notes() []string {
	if c.historyDays == 0 {
		return nil
	}
	note := fmt.Sprintf("CoinGecko %s plan: market_chart/range serves only the last %d days", c.plan, c.historyDays)
	if n := len(c.needs) - len(c.servable()); n > 0 {
		note += fmt.Sprintf("; %d older (asset, day) pair(s) are not requested: price them with defillama_coins, binance_klines or a paid CoinGecko plan", n)
	}
	return []string{note}
}

// servable are the needs inside the plan's history window.
func (c *MarketChart) servable() []feed.PriceNeed {
	if c.historyDays == 0 {
		return c.needs
	}
	oldest := c.now().Truncate(24*time.Hour).AddDate(0, 0, -c.historyDays+1)
	var out []feed.PriceNeed
	for _, n := range c.needs {
		if !n.Date.Before(oldest) {
			out = append(out, n)
		}
	}
	return out
}

func (c *MarketChart) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	needs := c.servable()
	if len(needs) == 0 {
		return nil, nil
	}
	key, err := apiKey(c.keyEnv)
	if err != nil {
		return nil, err
	}
	hdr := http.Header{}
	hdr.Set(keyHeader[c.plan], key)
	var out []feed.File
	// needs are sorted by coin then day: one range request per coin, from the
	// first needed day to the 00:00 UTC point after the last (which closes it).
	for i := 0; i < len(needs); {
		j := i
		for j < len(needs) && needs[j].CoinID == needs[i].CoinID {
			j++
		}
		coin, from, to := needs[i].CoinID, needs[i].Date, needs[j-1].Date.AddDate(0, 0, 1)
		q := url.Values{"vs_currency": {"usd"}, "from": {strconv.FormatInt(from.Unix(), 10)}, "to": {strconv.FormatInt(to.Unix(), 10)}}
		u := fetch.BaseURL(c.Location()) + "/coins/" + url.PathEscape(coin) + "/market_chart/range?" + q.Encode()
		data, err := fetch.GetWithHeader(ctx, hc, u, hdr)
		if err != nil {
			return nil, err
		}
		name := coin + ".json"
		if err := checkChart(data); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, feed.File{Name: name, Format: "coingecko_market_chart", Data: data})
		i = j
	}
	return out, nil
}

// checkChart requires {"prices": [[ms, price], ...]}; the other
// series (market_caps, total_volumes) and unknown fields are tolerated.
func checkChart(b []byte) error {
	var v struct {
		Prices *[][]json.RawMessage `json:"prices"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("not a market_chart object: %w", err)
	}
	if v.Prices == nil {
		return errors.New(`required field "prices" is missing`)
	}
	for i, p := range *v.Prices {
		if len(p) != 2 {
			return fmt.Errorf("prices[%d] has %d elements, want [timestamp ms, price]", i, len(p))
		}
	}
	return nil
}

// apiKey reads the source's key (registered for redaction). The error names
// the variable, never a value.
func apiKey(envVar string) (string, error) {
	k, err := fetch.APIKey(envVar)
	if err != nil {
		return "", fmt.Errorf("environment variable %s is not set: source skipped (set it to the API key to use this feed)", envVar)
	}
	return k, nil
}
