package coingecko

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

const testKeyEnv = "HEISTSTAT_TEST_COINGECKO_KEY"

func TestKeyInHeaderOnly(t *testing.T) {
	day := feedtest.Day
	const key = "CG-secret-test-key-123"
	t.Setenv(testKeyEnv, key)
	chart := feedtest.Testdata(t, "ethereum.json")
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /api/v3/coins/{id}/market_chart/range": func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("x-cg-demo-api-key") != key {
				http.Error(w, "missing key", http.StatusUnauthorized)
				return
			}
			if r.PathValue("id") == "bitcoin" {
				http.Error(w, "upstream down", http.StatusInternalServerError)
				return
			}
			_, _ = w.Write(chart)
		},
	})
	src := marketChart(t, srv.URL+"/api/v3")
	src.now = func() time.Time { return day("2022-06-01") }
	src.SetDemand([]feed.PriceNeed{
		{Asset: "ETH", CoinID: "ethereum", Date: day("2022-03-24")},
		{Asset: "ETH", CoinID: "ethereum", Date: day("2022-03-23")},
		{Asset: "ETH", CoinID: "ethereum", Date: day("2020-01-01")}, // older than 365 days: not requested
	})
	files, err := src.Fetch(t.Context(), feedtest.Client())
	require.NoError(t, err)
	require.Equal(t, []feed.File{{Name: "ethereum.json", Format: "coingecko_market_chart", Data: chart}}, files)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	q := reqs[0].URL.Query()
	require.Equal(t, strconv.FormatInt(day("2022-03-23").Unix(), 10), q.Get("from"))
	require.Equal(t, strconv.FormatInt(day("2022-03-25").Unix(), 10), q.Get("to"), "the 00:00 point after the last day closes it")
	require.NotContains(t, reqs[0].URL.String(), key)
	srv.RequireUserAgent(t, fetch.UserAgent)
	notes := src.Notes()
	require.Len(t, notes, 1)
	require.Contains(t, notes[0], "only the last 365 days")
	require.Contains(t, notes[0], "1 older (asset, day) pair(s) are not requested")

	// A failing request names the URL but never the key.
	src.SetDemand([]feed.PriceNeed{{Asset: "BTC", CoinID: "bitcoin", Date: day("2022-03-23")}})
	_, err = src.Fetch(t.Context(), feedtest.Client())
	require.ErrorContains(t, err, "500")
	require.NotContains(t, err.Error(), key)
}

func marketChart(t *testing.T, loc string) *MarketChart {
	t.Helper()
	s := feedtest.Spec("coingecko_chart", loc)
	s.APIKeyEnv = testKeyEnv
	return feedtest.Must(t, NewMarketChart, s).(*MarketChart)
}

func TestMissingKey(t *testing.T) {
	t.Setenv(testKeyEnv, "")
	src := feed.Source(marketChart(t, "http://127.0.0.1:1/api/v3"))
	src.(feed.Demander).SetDemand([]feed.PriceNeed{{Asset: "ETH", CoinID: "ethereum", Date: time.Now().UTC().AddDate(0, 0, -3)}})
	_, err := src.Fetch(t.Context(), feedtest.Client())
	require.ErrorContains(t, err, "environment variable "+testKeyEnv+" is not set: source skipped")

	// No demand needs no key: nothing is requested.
	src.(feed.Demander).SetDemand(nil)
	files, err := src.Fetch(t.Context(), feedtest.Client())
	require.NoError(t, err)
	require.Empty(t, files)

	_, err = NewMarketChart(feed.Spec{Name: "cg", Type: "coingecko_chart", Location: "https://api.coingecko.com/api/v3"})
	require.ErrorContains(t, err, "api_key_env")
	require.ErrorContains(t, checkChart([]byte(`{"error":"coin not found"}`)), `"prices" is missing`)
}
