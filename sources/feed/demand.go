package feed

import (
	"cmp"
	"slices"
	"time"
)

// PriceNeed is one (asset, UTC day) an incident must be valued on and no
// other price series covers. CoinID is the asset's CoinGecko id (the coins
// APIs are keyed by it; DeFiLlama prefixes it with "coingecko:").
type PriceNeed struct {
	Asset  string
	CoinID string
	Date   time.Time
}

// Demander is implemented by price sources that fetch exactly what the
// incidents need instead of a configured list. The pipeline computes the
// needs from the incident feeds (sql/intermediate/int_price_needs.sql) and
// calls SetDemand before Fetch; an empty demand fetches nothing.
type Demander interface {
	SetDemand(needs []PriceNeed)
}

// Noter is implemented by sources with a standing caveat the user must hear
// about on every run (the pipeline logs each note as a warning).
type Noter interface {
	Notes() []string
}

// SortedNeeds returns the needs ordered by coin then day, without duplicates,
// so the requests (and so the landed bytes) are the same for the same demand.
func SortedNeeds(needs []PriceNeed) []PriceNeed {
	out := slices.Clone(needs)
	for i := range out {
		out[i].Date = out[i].Date.UTC().Truncate(24 * time.Hour)
	}
	slices.SortFunc(out, func(a, b PriceNeed) int {
		return cmp.Or(cmp.Compare(a.CoinID, b.CoinID), a.Date.Compare(b.Date), cmp.Compare(a.Asset, b.Asset))
	})
	return slices.CompactFunc(out, func(a, b PriceNeed) bool { return a.CoinID == b.CoinID && a.Date.Equal(b.Date) })
}
