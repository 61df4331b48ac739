package prices

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

func TestCheckYFinance(t *testing.T) {
	fixture := feedtest.Testdata(t, "yfinance/ETH-USD.csv")
	lines := strings.SplitAfter(string(fixture), "\n")
	data := strings.Join(lines[3:], "")
	for _, tc := range []struct {
		name    string
		data    string
		wantErr string
	}{
		{name: "fixture", data: string(fixture)},
		{name: "CRLF line ends", data: strings.ReplaceAll(string(fixture), "\n", "\r\n")},
		{name: "headers only", data: strings.Join(lines[:3], "")},
		{name: "single header row", data: "Date,Close,High,Low,Open,Volume\n" + data, wantErr: "first header row"},
		{name: "single header row, short file", data: "Date,Close,High,Low,Open,Volume\n" + lines[3], wantErr: "want 3 header rows"},
		{name: "reordered first header", data: "Price,Open,High,Low,Close,Volume\n" + strings.Join(lines[1:], ""), wantErr: "first header row"},
		{name: "Adj Close column (older yfinance)", data: "Price,Adj Close,Close,High,Low,Open,Volume\n" + strings.Join(lines[1:], ""), wantErr: "first header row"},
		{name: "no Ticker row", data: lines[0] + lines[2] + data, wantErr: `"Ticker,"`},
		{name: "no Date row", data: lines[0] + lines[1] + data, wantErr: `"Date,"`},
		{name: "empty", data: "", wantErr: "got 0 lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkYFinance([]byte(tc.data))
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
	t.Run("real ETH-USD 2018-2025", func(t *testing.T) {
		require.NoError(t, checkYFinance(feedtest.ReadShared(t, "prices/yfinance_2018-2025/ETH-USD.csv")))
	})
}

func TestCheckCoinMarketCapHeader(t *testing.T) {
	t.Run("real coin_Tether", func(t *testing.T) {
		require.NoError(t, feed.CheckHeader(feedtest.ReadShared(t, "prices/kaggle_coinmarketcap_2013-2021/coin_Tether.csv"), coinMarketCapHeader))
	})
	t.Run("fixture", func(t *testing.T) {
		require.NoError(t, feed.CheckHeader(feedtest.Testdata(t, "coinmarketcap/coin_Tether.csv"), coinMarketCapHeader))
	})
	t.Run("renamed column", func(t *testing.T) {
		err := feed.CheckHeader(feedtest.Testdata(t, "coinmarketcap_renamed/coin_Tether.csv"), coinMarketCapHeader)
		require.ErrorContains(t, err, "MarketCap")
		require.ErrorContains(t, err, "unexpected header")
	})
	t.Run("yfinance file given to the coinmarketcap source", func(t *testing.T) {
		require.ErrorContains(t, feed.CheckHeader(feedtest.Testdata(t, "yfinance/ETH-USD.csv"), coinMarketCapHeader), "Price,Close")
	})
}

func TestFetch(t *testing.T) {
	eth := feedtest.Testdata(t, "yfinance/ETH-USD.csv")
	btc := feedtest.Testdata(t, "yfinance/BTC-USD.csv")
	tether := feedtest.Testdata(t, "coinmarketcap/coin_Tether.csv")
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /data/ETH-USD.csv":     feedtest.Bytes(eth),
		"GET /data/coin_Tether.csv": feedtest.Bytes(tether),
	})
	yf := func(loc string) feed.Source {
		return feedtest.Must(t, NewYFinance, feedtest.Spec("prices_yfinance", loc))
	}
	cmc := func(loc string) feed.Source {
		return feedtest.Must(t, NewCoinMarketCap, feedtest.Spec("prices_coinmarketcap", loc))
	}
	for _, tc := range []struct {
		name     string
		src      feed.Source
		want     []feed.File
		wantErrs []string
	}{
		{name: "yfinance over http", src: yf(srv.URL + "/data/ETH-USD.csv"),
			want: []feed.File{{Name: "ETH-USD.csv", Format: "prices_yfinance", Data: eth}}},
		{name: "yfinance local folder skips non-matching files", src: yf("testdata/yfinance"),
			want: []feed.File{{Name: "BTC-USD.csv", Format: "prices_yfinance", Data: btc}, {Name: "ETH-USD.csv", Format: "prices_yfinance", Data: eth}}},
		{name: "yfinance given a coinmarketcap file", src: yf("testdata/coinmarketcap/coin_Tether.csv"),
			wantErrs: []string{"coin_Tether.csv: ", "first header row"}},
		{name: "coinmarketcap over http", src: cmc(srv.URL + "/data/coin_Tether.csv"),
			want: []feed.File{{Name: "coin_Tether.csv", Format: "prices_coinmarketcap", Data: tether}}},
		{name: "coinmarketcap local folder", src: cmc("testdata/coinmarketcap"),
			want: []feed.File{{Name: "coin_Tether.csv", Format: "prices_coinmarketcap", Data: tether}}},
		{name: "coinmarketcap renamed column", src: cmc("testdata/coinmarketcap_renamed"),
			wantErrs: []string{"coin_Tether.csv: ", "MarketCap"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := tc.src.Fetch(t.Context(), feedtest.Client())
			feedtest.RequireFiles(t, feedtest.WithoutStat(files), err, tc.want, tc.wantErrs)
		})
	}
	srv.RequireUserAgent(t, fetch.UserAgent)
}

func TestOptionsPattern(t *testing.T) {
	s := feedtest.Spec("prices_yfinance", "testdata/yfinance")
	s.Options = feedtest.YAML("pattern: BTC-*.csv")
	files, err := feedtest.Must(t, NewYFinance, s).Fetch(t.Context(), feedtest.Client())
	require.NoError(t, err)
	require.Len(t, files, 1)
	require.Equal(t, "BTC-USD.csv", files[0].Name)
}

func TestFetchRealSnapshots(t *testing.T) {
	for _, tc := range []struct {
		name, rel string
		ctor      func(feed.Spec) (feed.Source, error)
		typ       string
		wantFiles int
	}{
		{"yfinance folder", "prices/yfinance_2018-2025", NewYFinance, "prices_yfinance", 13},
		{"coinmarketcap folder", "prices/kaggle_coinmarketcap_2013-2021", NewCoinMarketCap, "prices_coinmarketcap", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feedtest.RequireFormat(t, feedtest.RequireFetch(t, tc.ctor, tc.typ, feedtest.SharedPath(t, tc.rel)), tc.wantFiles, tc.typ)
		})
	}
}

func TestBundled(t *testing.T) {
	for _, ctor := range []func(feed.Spec) (feed.Source, error){NewYFinance, NewCoinMarketCap} {
		files := feedtest.Must(t, ctor, feedtest.Spec("prices", "x")).(feed.Bundler).Bundled()
		require.Len(t, files, 1)
		require.Equal(t, "prices.csv", files[0].Name)
		require.Equal(t, "bundled_prices", files[0].Format)
		require.GreaterOrEqual(t, len(feed.FirstLines(files[0].Data, 2)), 2, "bundled prices.csv has no data rows")
	}
}
