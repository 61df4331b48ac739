package defirekt

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
)

func TestExportFetch(t *testing.T) {
	files := feedtest.RequireFetch(t, NewExport, "defi_rekt", "testdata")
	require.Equal(t, []string{"all_records.csv defi_rekt"}, feedtest.FileNames(files))
	feedtest.RequireRenamedColumnFails(t, NewExport, "defi_rekt", "all_records.csv", "funds_lost", "fundsLost")
}

func TestExportRealSnapshot(t *testing.T) {
	files := feedtest.RequireFetch(t, NewExport, "defi_rekt", feedtest.SharedPath(t, "hacks/defi_rekt_all_records_2026-05-29.csv"))
	require.Len(t, files, 1)
}

// The API is read page by page to lastPage, in the web app's request shape.
func TestAPIFetch(t *testing.T) {
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /v1/rekt/list": feedtest.Pages("api/page_%02d.json"),
	})
	files := feedtest.RequireFetch(t, NewAPI, "defi_rekt_api", srv.URL+"/")
	require.Equal(t, []string{"page_001.json defi_rekt_api", "page_002.json defi_rekt_api"}, feedtest.FileNames(files))
	require.Equal(t, []string{
		"GET /v1/rekt/list?sortField=fundsLost&sort=desc&sortDirection=desc&limit=100&page=1",
		"GET /v1/rekt/list?sortField=fundsLost&sort=desc&sortDirection=desc&limit=100&page=2",
	}, srv.Take())
}

// A page that is not the expected shape fails, naming what is missing.
func TestAPIShapeErrors(t *testing.T) {
	rekt := string(feedtest.Testdata(t, "api/page_01.json"))
	for _, tc := range []struct{ name, page, want string }{
		{"items renamed", strings.Replace(rekt, `"items"`, `"data"`, 1), `field "items" is missing`},
		{"name renamed", strings.ReplaceAll(rekt, `"project_name"`, `"projectName"`), `required field "project_name" is missing`},
		{"loss retyped", strings.ReplaceAll(rekt, `"funds_lost": 625000000`, `"funds_lost": "625000000"`), ``},
		{"wrong page", strings.Replace(rekt, `"currentPage": 1`, `"currentPage": 2`, 1), `"currentPage" is 2, asked for page 1`},
		{"truncated", rekt[:len(rekt)/2], "not a De.Fi REKT page object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := checkPage([]byte(tc.page), 1)
			if tc.want == "" {
				require.NoError(t, err, "one odd item is staging's to quarantine")
				return
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
}
