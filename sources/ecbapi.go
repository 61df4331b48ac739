package sources

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
)

// ECBDataAPI is the ECB data portal's CSV for the EXR (exchange rates) flow,
// e.g. https://data-api.ecb.europa.eu/service/data/EXR/D.USD+GBP.EUR.SP00.A?format=csvdata&startPeriod=2014-01-01:
// one row per (series, day), OBS_VALUE in units of CURRENCY per 1
// CURRENCY_DENOM. Short requests may return only the first 8 columns and some
// clients quote every field, so the staging model finds the columns by their
// header name, not their position.
type ECBDataAPI struct{ base }

func newECBDataAPI(s Spec) (Source, error) {
	return newLocated(s, func(b base) Source { return &ECBDataAPI{b} })
}

func (e *ECBDataAPI) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	files, err := fetchChecked(ctx, hc, e.location, "*.csv", "ecb_data_api", checkECBDataAPI)
	for i := range files {
		if ext(files[i].Name) != ".csv" {
			files[i].Name += ".csv" // the live URL ends in the series key
		}
	}
	return files, err
}

// ecbDataAPIRequired are the columns the staging model reads by name.
var ecbDataAPIRequired = []string{"CURRENCY", "CURRENCY_DENOM", "TIME_PERIOD", "OBS_VALUE"}

// ecbDataAPIMaxColumns matches the c0..c39 columns of sql/raw/raw_ecb_data_api.sql
// (the full layout has 32).
const ecbDataAPIMaxColumns = 40

func checkECBDataAPI(b []byte) error {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	hdr, err := r.Read()
	if err != nil {
		return fmt.Errorf("reading the header row: %w", err)
	}
	if len(hdr) > ecbDataAPIMaxColumns {
		return fmt.Errorf("%d columns, the raw model reads at most %d", len(hdr), ecbDataAPIMaxColumns)
	}
	for _, want := range ecbDataAPIRequired {
		if !slices.Contains(hdr, want) {
			return fmt.Errorf("required column %q is missing from the header", want)
		}
	}
	return nil
}
