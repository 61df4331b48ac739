package ecb

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

const histSample = "api_samples/ecb/eurofxref-hist_sample_2022-03.csv"

// withHeader replaces the first line of a CSV.
func withHeader(b []byte, header string) []byte {
	_, rest, _ := bytes.Cut(b, []byte("\n"))
	return append([]byte(header+"\n"), rest...)
}

func header(b []byte) string { return feed.FirstLines(b, 1)[0] }

func TestCheckHist(t *testing.T) {
	fixture := feedtest.Testdata(t, "eurofxref-hist.csv")
	h := header(fixture)
	many := "Date," + strings.Repeat("XXX,", 63) + "USD,GBP"
	for _, tc := range []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{name: "fixture", data: fixture},
		{name: "CRLF line ends", data: bytes.ReplaceAll(fixture, []byte("\n"), []byte("\r\n"))},
		{name: "header only", data: []byte(h + "\n")},
		{name: "missing GBP column", data: withHeader(fixture, strings.Replace(h, ",GBP,", ",", 1)), wantErr: `"GBP"`},
		{name: "missing USD column", data: withHeader(fixture, strings.Replace(h, ",USD,", ",", 1)), wantErr: `"USD"`},
		{name: "lower-case date", data: withHeader(fixture, "date"+strings.TrimPrefix(h, "Date")), wantErr: `"Date"`},
		{name: "first column not Date", data: withHeader(fixture, strings.Replace(h, "Date,USD,", "USD,Date,", 1)), wantErr: `"Date"`},
		{
			name:    "ECB data-api csvdata instead of the hist file",
			data:    []byte("KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE\nEXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2024-01-02,1.0956\n"),
			wantErr: `"Date"`,
		},
		{name: "more columns than the raw model reads", data: []byte(many + "\n"), wantErr: "at most 64"},
		{name: "empty", data: nil, wantErr: "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkHist(tc.data)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
	t.Run("real sample 2022-03", func(t *testing.T) {
		require.NoError(t, checkHist(feedtest.ReadShared(t, histSample)))
	})
	t.Run("real full history", func(t *testing.T) {
		require.NoError(t, checkHist(feedtest.ReadShared(t, "fx/eurofxref-hist.csv")))
	})
	t.Run("fetch the real full history", func(t *testing.T) {
		files := feedtest.RequireFetch(t, NewEuroFxRef, "ecb_eurofxref", feedtest.SharedPath(t, "fx/eurofxref-hist.csv"))
		require.Len(t, files, 1)
		require.Equal(t, "ecb_eurofxref", files[0].Format)
	})
}

type zipEntry struct {
	name string
	data []byte
}

func buildZip(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		require.NoError(t, err)
		_, err = w.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestHistFilesZip(t *testing.T) {
	t.Run("real sample zipped", func(t *testing.T) {
		csv := feedtest.ReadShared(t, histSample)
		zb := buildZip(t, zipEntry{"eurofxref-hist.csv", csv})
		files, err := histFiles(fetch.Blob{Name: "eurofxref-hist.zip", Data: zb})
		require.NoError(t, err)
		require.Equal(t, []feed.File{
			{Name: "eurofxref-hist.zip", Format: "", Data: zb},
			{Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: csv},
		}, files)
	})

	fixture := feedtest.Testdata(t, "eurofxref-hist.csv")
	noGBP := withHeader(fixture, strings.Replace(header(fixture), ",GBP,", ",", 1))
	valid := buildZip(t, zipEntry{"eurofxref-hist.csv", fixture})
	for _, tc := range []struct {
		name     string
		b        fetch.Blob
		wantCSV  string // name of the landed CSV
		wantErrs []string
	}{
		{name: "zip from the ECB", b: fetch.Blob{Name: "eurofxref-hist.zip", Data: valid}, wantCSV: "eurofxref-hist.csv"},
		{name: "upper-case .ZIP", b: fetch.Blob{Name: "EUROFXREF-HIST.ZIP", Data: valid}, wantCSV: "eurofxref-hist.csv"},
		{
			name:    "csv in a folder, upper-case name, after a readme",
			b:       fetch.Blob{Name: "eurofxref-hist.zip", Data: buildZip(t, zipEntry{"README.txt", []byte("ECB")}, zipEntry{"data/EUROFXREF-HIST.CSV", fixture})},
			wantCSV: "EUROFXREF-HIST.CSV",
		},
		{
			name:     "zip without a csv",
			b:        fetch.Blob{Name: "eurofxref-hist.zip", Data: buildZip(t, zipEntry{"eurofxref-hist.xml", []byte("<gesmes/>")})},
			wantErrs: []string{"no .csv file"},
		},
		{name: "corrupt zip", b: fetch.Blob{Name: "eurofxref-hist.zip", Data: []byte("PK\x03\x04 this is not a zip")}, wantErrs: []string{"not a zip archive"}},
		{name: "truncated zip", b: fetch.Blob{Name: "eurofxref-hist.zip", Data: valid[:len(valid)-30]}, wantErrs: []string{"not a zip archive"}},
		{name: "HTML saved as zip", b: fetch.Blob{Name: "eurofxref-hist.zip", Data: []byte("<!DOCTYPE html><html></html>")}, wantErrs: []string{"not a zip archive"}},
		{
			name:     "zipped csv without GBP",
			b:        fetch.Blob{Name: "eurofxref-hist.zip", Data: buildZip(t, zipEntry{"eurofxref-hist.csv", noGBP})},
			wantErrs: []string{"eurofxref-hist.csv", `"GBP"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := histFiles(tc.b)
			if tc.wantErrs != nil {
				feedtest.ErrorContainsAll(t, err, tc.wantErrs)
				require.Nil(t, files)
				return
			}
			require.NoError(t, err)
			require.Equal(t, []feed.File{
				{Name: tc.b.Name, Format: "", Data: tc.b.Data},
				{Name: tc.wantCSV, Format: "ecb_eurofxref", Data: fixture},
			}, files)
		})
	}
}

func TestHistFilesCSV(t *testing.T) {
	fixture := feedtest.Testdata(t, "eurofxref-hist.csv")
	files, err := histFiles(fetch.Blob{Name: "eurofxref-hist.csv", Data: fixture})
	require.NoError(t, err)
	require.Equal(t, []feed.File{{Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: fixture}}, files)

	_, err = histFiles(fetch.Blob{Name: "eurofxref-hist.csv", Data: withHeader(fixture, "TIME_PERIOD,USD,GBP,")})
	require.ErrorContains(t, err, `"Date"`)
}

func TestEuroFxRefFetch(t *testing.T) {
	csv := feedtest.Testdata(t, "eurofxref-hist.csv")
	zb := buildZip(t, zipEntry{"eurofxref-hist.csv", csv})
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /stats/eurofxref/eurofxref-hist.zip": feedtest.Bytes(zb),
		"GET /stats/eurofxref/eurofxref-hist.csv": feedtest.Bytes(csv),
	})
	for _, tc := range []struct {
		name, loc string
		want      []feed.File
		wantErrs  []string
	}{
		{name: "zip over http", loc: srv.URL + "/stats/eurofxref/eurofxref-hist.zip",
			want: []feed.File{{Name: "eurofxref-hist.zip", Data: zb}, {Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: csv}}},
		{name: "csv over http", loc: srv.URL + "/stats/eurofxref/eurofxref-hist.csv",
			want: []feed.File{{Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: csv}}},
		{name: "local folder", loc: "testdata",
			want: []feed.File{{Name: "eurofxref-hist.csv", Format: "ecb_eurofxref", Data: csv}}},
		{name: "a folder without the file", loc: "testdata/data_api", wantErrs: []string{`no files matching "eurofxref-hist*"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := feedtest.Must(t, NewEuroFxRef, feedtest.Spec("ecb_eurofxref", tc.loc)).Fetch(t.Context(), feedtest.Client())
			feedtest.RequireFiles(t, files, err, tc.want, tc.wantErrs)
		})
	}
	srv.RequireUserAgent(t, fetch.UserAgent)

	files := feedtest.Must(t, NewEuroFxRef, feedtest.Spec("ecb_eurofxref", "x")).(feed.Bundler).Bundled()
	require.Len(t, files, 1)
	require.Equal(t, "fx.csv", files[0].Name)
	require.Equal(t, "bundled_fx", files[0].Format)
	require.GreaterOrEqual(t, len(feed.FirstLines(files[0].Data, 2)), 2, "bundled fx.csv has no data rows")
}

func TestDataAPIVariants(t *testing.T) {
	for _, name := range []string{"data_api/full.csv", "data_api/short_quoted.csv"} {
		require.NoError(t, checkDataAPI(feedtest.Testdata(t, name)), name)
	}
	full := feedtest.Testdata(t, "data_api/full.csv")
	withoutValue := bytes.Replace(full, []byte(",OBS_VALUE,"), []byte(",OBS_VAL,"), 1)
	require.ErrorContains(t, checkDataAPI(withoutValue), `required column "OBS_VALUE" is missing`)
	// The hist CSV is a different feed: naming it here must fail, not load.
	require.Error(t, checkDataAPI(feedtest.Testdata(t, "eurofxref-hist.csv")))

	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /service/data/EXR/D.USD+GBP.EUR.SP00.A": feedtest.Bytes(full),
	})
	files := feedtest.RequireFetch(t, NewDataAPI, "ecb_data_api", srv.URL+"/service/data/EXR/D.USD+GBP.EUR.SP00.A?format=csvdata")
	require.Equal(t, []feed.File{{Name: "D.USD+GBP.EUR.SP00.A.csv", Format: "ecb_data_api", Data: full}}, files)
	srv.RequireUserAgent(t, fetch.UserAgent)
}
