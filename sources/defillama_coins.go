package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefiLlamaCoins prices the demanded (asset, day) pairs with DeFiLlama's
// keyless coins API (https://coins.llama.fi/batchHistorical), in batches of
// batch_size pairs. Each pair asks for the price nearest 12:00 UTC within
// four hours, so the returned timestamp always falls on the needed day. Each
// batch response is landed as batch_NNNN.json; requests are sorted, so the
// same demand sends the same requests.
type DefiLlamaCoins struct {
	base
	batch int
	needs []PriceNeed
}

type defiLlamaCoinsOptions struct {
	// BatchSize is how many (coin, day) pairs one request carries.
	BatchSize int `yaml:"batch_size"`
}

const (
	coinsNoon        = 12 * time.Hour
	coinsSearchWidth = "4h"
)

func newDefiLlamaCoins(s Spec) (Source, error) {
	if err := requireLocation(s); err != nil {
		return nil, err
	}
	o := defiLlamaCoinsOptions{BatchSize: 50}
	if err := decodeOptions(s, &o); err != nil {
		return nil, err
	}
	if o.BatchSize < 1 || o.BatchSize > 500 {
		return nil, errors.New("options.batch_size: must be between 1 and 500")
	}
	return &DefiLlamaCoins{base: base{s.Name, s.Type, s.Location}, batch: o.BatchSize}, nil
}

func (d *DefiLlamaCoins) SetDemand(needs []PriceNeed) { d.needs = sortedNeeds(needs) }

func (d *DefiLlamaCoins) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	var out []File
	for i := 0; i < len(d.needs); i += d.batch {
		batch := d.needs[i:min(i+d.batch, len(d.needs))]
		coins, err := coinsQuery(batch)
		if err != nil {
			return nil, err
		}
		q := url.Values{"coins": {coins}, "searchWidth": {coinsSearchWidth}}
		u := strings.TrimSuffix(d.location, "/") + "/batchHistorical?" + q.Encode()
		data, err := get(ctx, hc, u)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("batch_%04d.json", i/d.batch+1)
		if err := checkDefiLlamaCoins(data); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, File{Name: name, Format: "defillama_coins", Data: data})
	}
	return out, nil
}

// coinsQuery renders {"coingecko:<id>": [unix noon, ...], ...}; encoding/json
// sorts map keys, so the query is the same for the same batch.
func coinsQuery(batch []PriceNeed) (string, error) {
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

// checkDefiLlamaCoins requires {"coins": {<id>: {"prices": [...]}, ...}}.
// A coin DeFiLlama cannot price is absent or has no prices: that is not an
// error (the day stays unpriced, as it would without this source).
func checkDefiLlamaCoins(b []byte) error {
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
