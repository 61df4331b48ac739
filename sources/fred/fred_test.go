package fred

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Both fredgraph header variants pass the check and land unchanged: the
// current observation_date header with blank cells, and the old DATE header
// with "." for a missing day.
func TestGraphBothHeaders(t *testing.T) {
	old := feedtest.Testdata(t, "DEXUSUK.csv")
	require.True(t, strings.HasPrefix(string(old), "DATE,DEXUSUK\n"))
	current := []byte(strings.Replace(strings.ReplaceAll(string(old), ",.\n", ",\n"), "DATE,", "observation_date,", 1))
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /graph/fredgraph.csv": func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("id") == "NEW" {
				_, _ = w.Write(current)
				return
			}
			_, _ = w.Write(old)
		},
	})
	for name, tc := range map[string]struct {
		loc  string
		want []byte
	}{
		"old header over http":     {srv.URL + "/graph/fredgraph.csv?id=DEXUSUK", old},
		"current header over http": {srv.URL + "/graph/fredgraph.csv?id=NEW", current},
		"local file":               {"testdata/DEXUSUK.csv", old},
	} {
		t.Run(name, func(t *testing.T) {
			files := feedtest.RequireFetch(t, NewGraph, "fred_fredgraph", tc.loc)
			require.Len(t, files, 1)
			require.Equal(t, "fred_fredgraph", files[0].Format)
			require.True(t, strings.HasSuffix(files[0].Name, ".csv"), files[0].Name)
			require.Equal(t, tc.want, files[0].Data)
		})
	}
	srv.RequireUserAgent(t, fetch.UserAgent)

	for _, bad := range []struct{ header, want string }{
		{"Date,DEXUSUK", "first column must be observation_date or DATE"},
		{"DATE,DEXUSUK,EXTRA", "want 2 columns"},
		{"DATE,dexusuk rate", "not a FRED series id"},
	} {
		require.ErrorContains(t, checkGraph([]byte(bad.header+"\n2022-03-01,1.3\n")), bad.want)
	}
}

// The real sample and full history (old header, "." on holidays) pass.
func TestGraphRealSnapshots(t *testing.T) {
	require.NoError(t, checkGraph(feedtest.ReadShared(t, "api_samples/fred/fredgraph_DEXUSUK_sample_2022-03.csv")))
	full := feedtest.ReadShared(t, "fx/fred_DEXUSUK_1971-2023.csv")
	require.Contains(t, string(full), ",.\n", "the real file marks holidays with '.'")
	files := feedtest.RequireFetch(t, NewGraph, "fred_fredgraph", feedtest.SharedPath(t, "fx/fred_DEXUSUK_1971-2023.csv"))
	require.Equal(t, []feed.File{{Name: "fred_DEXUSUK_1971-2023.csv", Format: "fred_fredgraph", Data: full}}, feedtest.WithoutStat(files))
}
