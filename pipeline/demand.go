package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
	"github.com/heiststat/heiststat/sources/feed"
)

// extractWithDemand is the extract stage when demand-driven price sources
// (feed.Demander) are configured. Phase 1 extracts every other source;
// the models are then built on those in a throw-away in-memory warehouse to
// read int_price_needs, the (asset, day) pairs no price feed covers; phase 2
// hands those to the demand-driven sources and extracts them. Offline, phase
// 2 replays their archives as usual. Results come back in config order.
//
// all is every configured source. Those not in srcs (a fetch of some
// sources only) still inform the demand, from their archive or bundled
// facts, so a fetch of a price feed alone prices what the incidents need.
func extractWithDemand(ctx context.Context, log *slog.Logger, land *landing.Landing, srcs, all []feed.Source, hc *http.Client, cfg *Config, o landing.Options) ([]landing.Extracted, error) {
	var plain, demand []feed.Source
	for _, s := range srcs {
		if _, ok := s.(feed.Demander); ok {
			demand = append(demand, s)
		} else {
			plain = append(plain, s)
		}
	}
	if len(demand) == 0 {
		return landing.Extract(ctx, log, land, srcs, hc, o), nil
	}
	first := landing.Extract(ctx, log, land, plain, hc, o)
	if !o.Offline {
		start := time.Now()
		var others []feed.Source
		for _, s := range all {
			_, isDemand := s.(feed.Demander)
			if !isDemand && !slices.ContainsFunc(srcs, func(x feed.Source) bool { return x.Name() == s.Name() }) {
				others = append(others, s)
			}
		}
		quiet := slog.New(slog.DiscardHandler)
		known := append(first, landing.Extract(ctx, quiet, land, others, hc, landing.Options{Offline: true, Now: o.Now})...)
		needs, err := priceNeeds(ctx, cfg, land, known, o.Now)
		if err != nil {
			return nil, fmt.Errorf("computing the prices the incidents need: %w", err)
		}
		assets := map[string]bool{}
		for _, n := range needs {
			assets[n.CoinID] = true
		}
		o.Progress.Pricing(len(assets))
		log.Info("price needs computed", "stage", "extract", "pairs", len(needs), "assets", len(assets), "duration_ms", time.Since(start).Milliseconds())
		for _, s := range demand {
			s.(feed.Demander).SetDemand(needs)
		}
	}
	for _, s := range demand {
		if n, ok := s.(feed.Noter); ok {
			for _, note := range n.Notes() {
				log.Warn(note, "stage", "extract", "source", s.Name())
			}
		}
	}
	second := landing.Extract(ctx, log, land, demand, hc, o)

	byName := map[string]landing.Extracted{}
	for _, e := range append(first, second...) {
		byName[e.Source.Name()] = e
	}
	out := make([]landing.Extracted, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, byName[s.Name()])
	}
	return out, nil
}

// priceNeeds builds the models on the phase-1 sources in memory and returns
// int_price_needs.
func priceNeeds(ctx context.Context, cfg *Config, land *landing.Landing, extracted []landing.Extracted, now func() time.Time) ([]feed.PriceNeed, error) {
	conn, err := warehouse.OpenConn(ctx, "")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := buildFallingBack(ctx, slog.New(slog.DiscardHandler), conn.Conn, cfg, land, extracted, false, nil, now); err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, "SELECT asset, coingecko_id, need_date FROM int_price_needs ORDER BY ALL")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []feed.PriceNeed
	for rows.Next() {
		var n feed.PriceNeed
		if err := rows.Scan(&n.Asset, &n.CoinID, &n.Date); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
