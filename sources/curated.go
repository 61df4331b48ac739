package sources

import (
	"context"
	"net/http"
)

// CuratedIncidents is a hand-maintained CSV of attributed incidents. The
// project's own DPRK list (sources/bundled/dprk_incidents.csv) is embedded in
// the binary and used when the location is "embedded"; a user may point the
// location at their own file in the same format instead.
type CuratedIncidents struct{ base }

// Embedded is the location value that selects the embedded dataset.
const Embedded = "embedded"

// CuratedHeader is the exact header the curated CSV must have.
const CuratedHeader = "incident_key,incident_date,date_precision,victim,victim_type,country,actor,actor_group," +
	"attribution_strength,attribution_source,citation_url,stolen_assets,assets_complete,reported_usd," +
	"reported_usd_low,reported_usd_high,returned_usd,chains,technique,flags,notes"

func newCuratedIncidents(s Spec) (Source, error) {
	if s.Location == "" {
		s.Location = Embedded
	}
	var none struct{}
	if err := decodeOptions(s, &none); err != nil {
		return nil, err
	}
	return &CuratedIncidents{base{s.Name, s.Type, s.Location}}, nil
}

func (c *CuratedIncidents) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	if c.location == Embedded {
		return c.Bundled(), nil
	}
	return fetchChecked(ctx, hc, c.location, "*.csv", "curated_incidents", func(b []byte) error {
		return checkHeader(b, CuratedHeader)
	})
}

func (c *CuratedIncidents) Bundled() []File {
	return []File{bundledFile("dprk_incidents.csv", "curated_incidents")}
}
