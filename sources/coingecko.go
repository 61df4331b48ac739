package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CoinGeckoMarketChart prices the demanded (asset, day) pairs with CoinGecko's
// /coins/{id}/market_chart/range (daily points at 00:00 UTC for ranges over 90
// days), one request per coin covering its needed days, landed as
// <coin id>.json. It needs a key: Demo (header x-cg-demo-api-key, host
// api.coingecko.com) or Pro (x-cg-pro-api-key, pro-api.coingecko.com), read
// from the environment variable named by api_key_env. The Demo plan only
// serves the last 365 days, so older days are not requested (see Notes).
type CoinGeckoMarketChart struct {
	base
	keyEnv      string
	plan        string
	historyDays int
	needs       []PriceNeed
	now         func() time.Time
}

type coinGeckoOptions struct {
	// Plan is demo (default) or pro; it picks the key header.
	Plan string `yaml:"plan"`
	// HistoryDays is how far back the plan serves; 0 means no limit. Default:
	// 365 on demo, 0 on pro.
	HistoryDays *int `yaml:"history_days"`
}

var coinGeckoKeyHeader = map[string]string{"demo": "x-cg-demo-api-key", "pro": "x-cg-pro-api-key"}

func newCoinGeckoMarketChart(s Spec) (Source, error) {
	if err := requireLocation(s); err != nil {
		return nil, err
	}
	o := coinGeckoOptions{Plan: "demo"}
	if err := decodeOptions(s, &o); err != nil {
		return nil, err
	}
	if s.APIKeyEnv == "" {
		return nil, errors.New("api_key_env: name the environment variable that holds the CoinGecko key (e.g. COINGECKO_API_KEY)")
	}
	if _, ok := coinGeckoKeyHeader[o.Plan]; !ok {
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
	return &CoinGeckoMarketChart{base: base{s.Name, s.Type, s.Location}, keyEnv: s.APIKeyEnv, plan: o.Plan,
		historyDays: days, now: func() time.Time { return time.Now().UTC() }}, nil
}

func (c *CoinGeckoMarketChart) SetDemand(needs []PriceNeed) { c.needs = sortedNeeds(needs) }

// Notes tells the user, on every run, what the plan cannot serve.
func (c *CoinGeckoMarketChart) Notes() []string {
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
func (c *CoinGeckoMarketChart) servable() []PriceNeed {
	if c.historyDays == 0 {
		return c.needs
	}
	oldest := c.now().Truncate(24*time.Hour).AddDate(0, 0, -c.historyDays+1)
	var out []PriceNeed
	for _, n := range c.needs {
		if !n.Date.Before(oldest) {
			out = append(out, n)
		}
	}
	return out
}

func (c *CoinGeckoMarketChart) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	needs := c.servable()
	if len(needs) == 0 {
		return nil, nil
	}
	key, err := apiKey(c.keyEnv)
	if err != nil {
		return nil, err
	}
	hdr := http.Header{}
	hdr.Set(coinGeckoKeyHeader[c.plan], key)
	var out []File
	// needs are sorted by coin then day: one range request per coin, from the
	// first needed day to the 00:00 UTC point after the last (which closes it).
	for i := 0; i < len(needs); {
		j := i
		for j < len(needs) && needs[j].CoinID == needs[i].CoinID {
			j++
		}
		coin, from, to := needs[i].CoinID, needs[i].Date, needs[j-1].Date.AddDate(0, 0, 1)
		q := url.Values{"vs_currency": {"usd"}, "from": {strconv.FormatInt(from.Unix(), 10)}, "to": {strconv.FormatInt(to.Unix(), 10)}}
		u := strings.TrimSuffix(c.location, "/") + "/coins/" + url.PathEscape(coin) + "/market_chart/range?" + q.Encode()
		data, err := getWithHeader(ctx, hc, u, hdr)
		if err != nil {
			return nil, err
		}
		name := coin + ".json"
		if err := checkCoinGeckoChart(data); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, File{Name: name, Format: "coingecko_market_chart", Data: data})
		i = j
	}
	return out, nil
}

// checkCoinGeckoChart requires {"prices": [[ms, price], ...]}; the other
// series (market_caps, total_volumes) and unknown fields are tolerated.
func checkCoinGeckoChart(b []byte) error {
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
