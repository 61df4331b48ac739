package curated

import (
	"context"
	"net/http"

	"github.com/heiststat/heiststat/sources/feed"
)

// Incidents is a hand-maintained CSV of attributed incidents. The
// project's own DPRK list (sources/bundled/dprk_incidents.csv) is embedded in
// the binary and used when the location is feed.Embedded (or empty); a user
// may point the location at their own file in the same format instead.
type Incidents struct{ feed.Base }

// Header is the exact header the curated CSV must have.
const Header = "incident_key,incident_date,date_precision,victim,victim_type,country,actor,actor_group," +
	"attribution_strength,attribution_source,citation_url,stolen_assets,assets_complete,reported_usd," +
	"reported_usd_low,reported_usd_high,returned_usd,chains,technique,flags,notes"

// NewIncidents builds a curated_incidents source.
func NewIncidents(s feed.Spec) (feed.Source, error) {
	if s.Location == "" {
		s.Location = feed.Embedded
	}
	if err := feed.DecodeOptions(s, nil); err != nil {
		return nil, err
	}
	return &Incidents{feed.BaseOf(s)}, nil
}

func (c *Incidents) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	if c.Location() == feed.Embedded {
		return c.Bundled(), nil
	}
	return feed.Checked(ctx, hc, c.Location(), "*.csv", "curated_incidents", func(b []byte) error {
		return feed.CheckHeader(b, Header)
	})
}

func (c *Incidents) Bundled() []feed.File {
	return []feed.File{feed.Bundled("dprk_incidents.csv", "curated_incidents")}
}
