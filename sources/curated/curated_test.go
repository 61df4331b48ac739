package curated

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/bundled"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// withHeader replaces the first line of a CSV.
func withHeader(b []byte, header string) []byte {
	_, rest, _ := bytes.Cut(b, []byte("\n"))
	return append([]byte(header+"\n"), rest...)
}

func TestCheckHeader(t *testing.T) {
	embedded, err := bundled.FS.ReadFile("dprk_incidents.csv")
	require.NoError(t, err)
	fixture := feedtest.Testdata(t, "dprk_incidents.csv")
	for _, tc := range []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{name: "embedded dataset", data: embedded},
		{name: "fixture", data: fixture},
		{name: "BOM and CRLF", data: feedtest.Testdata(t, "bom/dprk_incidents.csv")},
		{name: "missing column", data: withHeader(fixture, strings.Replace(Header, ",returned_usd", "", 1)), wantErr: "unexpected header"},
		{name: "extra column", data: withHeader(fixture, Header+",source"), wantErr: "unexpected header"},
		{name: "reordered columns", data: withHeader(fixture, strings.Replace(Header, "victim,victim_type", "victim_type,victim", 1)), wantErr: "unexpected header"},
		{name: "header in quotes", data: withHeader(fixture, `"`+strings.ReplaceAll(Header, ",", `","`)+`"`), wantErr: "unexpected header"},
		{name: "BOM only", data: []byte("\xef\xbb\xbf"), wantErr: "empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := feed.CheckHeader(tc.data, Header)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestFetch(t *testing.T) {
	curated := feedtest.Testdata(t, "dprk_incidents.csv")
	bom := feedtest.Testdata(t, "bom/dprk_incidents.csv")
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{"GET /curated/dprk_incidents.csv": feedtest.Bytes(curated)})
	for _, tc := range []struct {
		name, loc string
		want      []feed.File
		wantErrs  []string
	}{
		{name: "over http", loc: srv.URL + "/curated/dprk_incidents.csv",
			want: []feed.File{{Name: "dprk_incidents.csv", Format: "curated_incidents", Data: curated}}},
		{name: "local folder", loc: "testdata",
			want: []feed.File{{Name: "dprk_incidents.csv", Format: "curated_incidents", Data: curated}}},
		{name: "with BOM lands the bytes unchanged", loc: "testdata/bom/dprk_incidents.csv",
			want: []feed.File{{Name: "dprk_incidents.csv", Format: "curated_incidents", Data: bom}}},
		{name: "given another feed's file", loc: "../ecb/testdata/eurofxref-hist.csv",
			wantErrs: []string{"eurofxref-hist.csv: ", "unexpected header"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := feedtest.Must(t, NewIncidents, feedtest.Spec("curated_incidents", tc.loc)).Fetch(t.Context(), feedtest.Client())
			feedtest.RequireFiles(t, feedtest.WithoutStat(files), err, tc.want, tc.wantErrs)
		})
	}
	srv.RequireUserAgent(t, fetch.UserAgent)
}

func TestEmbedded(t *testing.T) {
	src := feedtest.Must(t, NewIncidents, feedtest.Spec("curated_incidents", ""))
	require.Equal(t, feed.Embedded, src.Location())
	files, err := src.Fetch(t.Context(), nil)
	require.NoError(t, err)
	require.Equal(t, src.(feed.Bundler).Bundled(), files)
	require.Len(t, files, 1)
	require.Equal(t, "dprk_incidents.csv", files[0].Name)
	require.Equal(t, "curated_incidents", files[0].Format)
	require.GreaterOrEqual(t, len(feed.FirstLines(files[0].Data, 2)), 2, "the bundled list has no data rows")
	require.NoError(t, feed.CheckHeader(files[0].Data, Header))
}
