package defillama

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Coins prices the demanded (asset, day) pairs with DeFiLlama's
// keyless coins API (https://coins.llama.fi/batchHistorical), in batches of
// batch_size pairs. Each pair asks for the price nearest 12:00 UTC within
// four hours, so the returned timestamp always falls on the needed day. Each
// batch response is landed as batch_NNNN.json; requests are sorted, so the
// same demand sends the same requests.
type Coins struct {
	feed.Base
	batch int
	needs []feed.PriceNeed
}

type coinsOptions struct {
	// BatchSize is how many (coin, day) pairs one request carries.
	BatchSize int `yaml:"batch_size"`
}

const (
	coinsNoon        = 12 * time.Hour
	coinsSearchWidth = "4h"
)

// NewCoins builds a defillama_coins source.
func NewCoins(s feed.Spec) (feed.Source, error) {
	o := coinsOptions{BatchSize: 50}
	b, err := feed.Located(s, &o)
	if err != nil {
		return nil, err
	}
	if o.BatchSize < 1 || o.BatchSize > 500 {
		return nil, errors.New("options.batch_size: must be between 1 and 500")
	}
	return &Coins{Base: b, batch: o.BatchSize}, nil
}

func (d *Coins) SetDemand(needs []feed.PriceNeed) { d.needs = feed.SortedNeeds(needs) }

func (d *Coins) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	var out []feed.File
	for i := 0; i < len(d.needs); i += d.batch {
		batch := d.needs[i:min(i+d.batch, len(d.needs))]
		coins, err := coinsQuery(batch)
		if err != nil {
			return nil, err
		}
		q := url.Values{"coins": {coins}, "searchWidth": {coinsSearchWidth}}
		u := fetch.BaseURL(d.Location()) + "/batchHistorical?" + q.Encode()
		data, err := fetch.Get(ctx, hc, u)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("batch_%04d.json", i/d.batch+1)
		if err := checkCoins(data); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, feed.File{Name: name, Format: "defillama_coins", Data: data})
	}
	return out, nil
}

// coinsQuery renders {"coingecko:<id>": [unix noon, ...], ...}; encoding/json
// sorts map keys, so the query is the same for the same batch.
func coinsQuery(batch []feed.PriceNeed) (string, error) {
	m := map[string][]int64{}
	for _, n := range batch {
		if n.CoinID == "" {
			return "", fmt.Errorf("asset %s has no CoinGecko id", n.Asset)
		}
		id := "coingecko:" + n.CoinID
		m[id] = append(m[id], n.Date.Add(coinsNoon).Unix())
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// checkCoins requires {"coins": {<id>: {"prices": [...]}, ...}}.
// A coin DeFiLlama cannot price is absent or has no prices: that is not an
// error (the day stays unpriced, as it would without this source).
func checkCoins(b []byte) error {
	var v struct {
		Coins *map[string]struct {
			Prices *[]json.RawMessage `json:"prices"`
		} `json:"coins"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("not a batchHistorical object: %w", err)
	}
	if v.Coins == nil {
		return errors.New(`required field "coins" is missing`)
	}
	for id, c := range *v.Coins {
		if c.Prices == nil {
			return fmt.Errorf("coins[%q]: required field \"prices\" is missing", id)
		}
	}
	return nil
}
