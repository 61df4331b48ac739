package blocksec

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
)

func TestEventsFetch(t *testing.T) {
	files := feedtest.RequireFetch(t, NewEvents, "blocksec_events", "testdata")
	require.Equal(t, []string{"all.json blocksec_events"}, feedtest.FileNames(files))
	require.Equal(t, feedtest.Testdata(t, "all.json"), files[0].Data)
}

// A changed response fails before anything lands, naming what changed.
func TestEventsDrift(t *testing.T) {
	blocksec := string(feedtest.Testdata(t, "all.json"))
	for _, tc := range []struct{ name, data, wantErr string }{
		{"loss retyped to a number",
			strings.NewReplacer(`"loss": "1500000000.000000"`, `"loss": 1500000000`, `"loss": "2700000.000000"`, `"loss": 2700000`).Replace(blocksec),
			`"loss" is missing or not a string`},
		{"bare array", `[{"id": 1}]`, "not a BlockSec response"},
		{"empty list", `{"count": 0, "list": []}`, `"list" is missing or empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := feedtest.WriteTemp(t, "all.json", []byte(tc.data))
			_, err := feedtest.Must(t, NewEvents, feedtest.Spec("blocksec_events", dir)).Fetch(t.Context(), feedtest.Client())
			require.ErrorContains(t, err, tc.wantErr)
			require.ErrorContains(t, err, "all.json")
		})
	}
}

func TestEventsRealSnapshot(t *testing.T) {
	files := feedtest.RequireFetch(t, NewEvents, "blocksec_events", feedtest.SharedPath(t, "hacks/blocksec_attack_events_2026-05-29.json"))
	require.Len(t, files, 1)
}

// The API is POSTed page by page in the site's own request shape; the
// fixture (2 events) is one page of 100.
func TestAPIFetch(t *testing.T) {
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"POST /api/v1/attack/events": feedtest.Bytes(feedtest.Testdata(t, "all.json")),
	})
	files := feedtest.RequireFetch(t, NewAPI, "blocksec_api", srv.URL)
	require.Equal(t, []string{"page_001.json blocksec_events"}, feedtest.FileNames(files))
	require.Equal(t, []string{`POST /api/v1/attack/events {"page":1,"pageSize":100,"ignoreEmpty":true}`}, srv.Take())
}
