// Package sources is the registry of feed types: one list, from which the
// pipeline builds its configured sources. Each feed lives in its own package
// below this one; the contract they share is package feed, the HTTP and file
// plumbing package fetch.
package sources

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/heiststat/heiststat/sources/binance"
	"github.com/heiststat/heiststat/sources/blocksec"
	"github.com/heiststat/heiststat/sources/coingecko"
	"github.com/heiststat/heiststat/sources/curated"
	"github.com/heiststat/heiststat/sources/defihacklabs"
	"github.com/heiststat/heiststat/sources/defillama"
	"github.com/heiststat/heiststat/sources/defirekt"
	"github.com/heiststat/heiststat/sources/dninstitute"
	"github.com/heiststat/heiststat/sources/ecb"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fred"
	"github.com/heiststat/heiststat/sources/ofac"
	"github.com/heiststat/heiststat/sources/prices"
	"github.com/heiststat/heiststat/sources/rektnews"
	"github.com/heiststat/heiststat/sources/slowmist"
)

// Entry registers one source type.
type Entry struct {
	Type string
	New  func(feed.Spec) (feed.Source, error)
	// Keyed types read an API key (api_key_env); others refuse one.
	Keyed bool
}

// registry is the one list of source types; adding a feed is one line here.
var registry = []Entry{
	{Type: "defillama_hacks", New: defillama.NewHacks, Keyed: true},
	{Type: "ecb_eurofxref", New: ecb.NewEuroFxRef},
	{Type: "prices_yfinance", New: prices.NewYFinance},
	{Type: "prices_coinmarketcap", New: prices.NewCoinMarketCap},
	{Type: "curated_incidents", New: curated.NewIncidents},
	{Type: "defillama_coins", New: defillama.NewCoins},
	{Type: "coingecko_chart", New: coingecko.NewMarketChart, Keyed: true},
	{Type: "binance_klines", New: binance.NewKlines},
	{Type: "ecb_data_api", New: ecb.NewDataAPI},
	{Type: "fred_fredgraph", New: fred.NewGraph},
	{Type: "ofac_sdn_advanced", New: ofac.NewAdvanced},
	{Type: "slowmist_hacked", New: slowmist.NewHacked},
	{Type: "defi_rekt", New: defirekt.NewExport},
	{Type: "blocksec_events", New: blocksec.NewEvents},
	{Type: "ofac_sdn_csv", New: ofac.NewSDNCSV},
	{Type: "ofac_addresses", New: ofac.NewAddresses},
	{Type: "dn_institute", New: dninstitute.NewWiki},
	{Type: "rekt_news", New: rektnews.NewLeaderboard},
	{Type: "defi_rekt_api", New: defirekt.NewAPI},
	{Type: "blocksec_api", New: blocksec.NewAPI},
	{Type: "slowmist_html", New: slowmist.NewHTML},
	{Type: "defihacklabs", New: defihacklabs.NewList},
}

// Types lists the source types, for error messages and docs.
func Types() []string {
	out := make([]string, len(registry))
	for i, e := range registry {
		out[i] = e.Type
	}
	return out
}

func lookup(typ string) (Entry, bool) {
	for _, e := range registry {
		if e.Type == typ {
			return e, true
		}
	}
	return Entry{}, false
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// New builds the configured sources, validating each; all errors are reported at once.
func New(specs []feed.Spec) ([]feed.Source, error) {
	var (
		out  []feed.Source
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
		e, ok := lookup(s.Type)
		if !ok {
			errs = append(errs, fmt.Errorf("source %q: unknown type %q (known: %v)", s.Name, s.Type, Types()))
			continue
		}
		if s.APIKeyEnv != "" && !e.Keyed {
			errs = append(errs, fmt.Errorf("source %q: api_key_env: type %s takes no API key", s.Name, s.Type))
			continue
		}
		src, err := e.New(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("source %q: %w", s.Name, err))
			continue
		}
		out = append(out, src)
	}
	return out, errors.Join(errs...)
}
