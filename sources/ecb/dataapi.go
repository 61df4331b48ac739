package ecb

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"

	"github.com/heiststat/heiststat/sources/feed"
)

// DataAPI is the ECB data portal's CSV for the EXR (exchange rates) flow,
// e.g. https://data-api.ecb.europa.eu/service/data/EXR/D.USD+GBP.EUR.SP00.A?format=csvdata&startPeriod=2014-01-01:
// one row per (series, day), OBS_VALUE in units of CURRENCY per 1
// CURRENCY_DENOM. Short requests may return only the first 8 columns and some
// clients quote every field, so the staging model finds the columns by their
// header name, not their position.
type DataAPI struct{ feed.Base }

// NewDataAPI builds an ecb_data_api source.
func NewDataAPI(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &DataAPI{b}, nil
}

func (e *DataAPI) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	files, err := feed.Checked(ctx, hc, e.Location(), "*.csv", "ecb_data_api", checkDataAPI)
	return feed.WithExt(files, ".csv"), err // the live URL ends in the series key
}

// dataAPIRequired are the columns the staging model reads by name.
var dataAPIRequired = []string{"CURRENCY", "CURRENCY_DENOM", "TIME_PERIOD", "OBS_VALUE"}

// dataAPIMaxColumns matches the c0..c39 columns of sql/raw/raw_ecb_data_api.sql
// (the full layout has 32).
const dataAPIMaxColumns = 40

func checkDataAPI(b []byte) error {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	hdr, err := r.Read()
	if err != nil {
		return fmt.Errorf("reading the header row: %w", err)
	}
	if len(hdr) > dataAPIMaxColumns {
		return fmt.Errorf("%d columns, the raw model reads at most %d", len(hdr), dataAPIMaxColumns)
	}
	for _, want := range dataAPIRequired {
		if !slices.Contains(hdr, want) {
			return fmt.Errorf("required column %q is missing from the header", want)
		}
	}
	return nil
}
