package output

// Manifest is manifest.json: what a release was built from and what it holds.
type Manifest struct {
	RunID         string `json:"run_id"`
	StartedAt     string `json:"started_at"`
	FinishedAt    string `json:"finished_at"`
	Status        string `json:"status"`
	SchemaVersion string `json:"schema_version"`
	// AsOfDate is the date the data is taken to be complete to.
	AsOfDate string `json:"as_of_date"`
	// ValueAt is the configured re-valuation date (value_at_* columns), if any.
	ValueAt    string   `json:"value_at,omitempty"`
	Currencies []string `json:"currencies"`
	// IncidentFeeds are the incident feeds the published figures come from
	// (curated, defillama, slowmist, ...), and Coverage says what they add
	// up to: CoverageGeneral, CoverageCuratedOnly or CoverageNone.
	IncidentFeeds []string         `json:"incident_feeds"`
	Coverage      string           `json:"coverage"`
	Sources       []ManifestSource `json:"sources"`
	Files         []PublishedFile  `json:"files"`
	Notes         []string         `json:"notes,omitempty"`
}

// ManifestSource is one source's contribution to a run.
type ManifestSource struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Location string `json:"location"`
	// Freshness is live, archived, bundled or missing.
	Freshness string `json:"freshness"`
	// NotModified means live, verified unchanged by a 304: the archived bytes were reused.
	NotModified bool `json:"not_modified,omitempty"`
	// ArchivedAt is when an archived snapshot was fetched (freshness archived).
	ArchivedAt string         `json:"archived_at,omitempty"`
	FetchedAt  string         `json:"fetched_at,omitempty"`
	Bytes      int64          `json:"bytes"`
	Files      []ManifestFile `json:"files"`
	Rows       []RowCount     `json:"rows"`
	Error      string         `json:"error,omitempty"`
}

// ManifestFile is one landed input file.
type ManifestFile struct {
	Name   string `json:"name"`
	Format string `json:"format,omitempty"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// RowCount is records in, accepted and rejected for one feed format of a source.
type RowCount struct {
	Feed     string `json:"feed"`
	RowsIn   int64  `json:"rows_in"`
	Accepted int64  `json:"accepted"`
	Rejected int64  `json:"rejected"`
}

// PublishedFile is one file of the release.
type PublishedFile struct {
	Path   string `json:"path"`
	Rows   int64  `json:"rows,omitempty"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Coverage values: shares "of all thefts" are meaningful only for
// CoverageGeneral; with the curated list alone, every figure is that list's.
const (
	CoverageGeneral     = "general_feeds"
	CoverageCuratedOnly = "curated_list_only"
	CoverageNone        = "no_incident_feed"
)

// CoverageOf classifies the incident feeds a release was built from.
func CoverageOf(feeds []string) string {
	for _, f := range feeds {
		if f != "curated" {
			return CoverageGeneral
		}
	}
	if len(feeds) > 0 {
		return CoverageCuratedOnly
	}
	return CoverageNone
}
