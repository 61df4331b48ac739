package pipeline

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Two reference events and two incidents of ours that split them
// differently: each side has 4 pairs and 2 are shared.
func TestDedupReportCountsPairs(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "events.csv")
	require.NoError(t, os.WriteFile(ref, []byte(`date,name,loss_usd,recovered_usd,net_usd,chain,sector,basel2_category,soa_category,classification,technique,description,sources,source_urls,n_sources
2022-01-01,Alpha,10.0,0.0,10.0,,DeFi,EF,SC-Technical,,Exploit/Other/Other,,"defi_rekt,slowmist",https://de.fi/rekt-database?id=1 | https://example.org/a,2
2022-02-01,Beta,20.0,0.0,20.0,,DeFi,EF,SC-Technical,,Exploit/Other/Other,,"blocksec,defi_rekt,slowmist",https://de.fi/rekt-database?id=2 | https://example.org/b | https://example.org/m,3
`), 0o644))
	release := filepath.Join(dir, "release")
	recon := filepath.Join(release, "parquet", "reconciliation")
	require.NoError(t, os.MkdirAll(recon, 0o755))
	db := duck(t)
	_, err := db.Exec(`COPY (SELECT * FROM (VALUES
			('X', 'defi_rekt', '1|1', 'https://de.fi/rekt-database?id=1', DATE '2022-01-01', 'Alpha', 10.0),
			('X', 'slowmist', '2022-01-01|Alpha|1', 'https://example.org/a', DATE '2022-01-01', 'Alpha', 10.0),
			('X', 'defi_rekt', '2|1', 'https://de.fi/rekt-database?id=2', DATE '2022-02-01', 'Beta', 20.0),
			('Y', 'slowmist', '2022-02-01|Beta|1', 'https://example.org/b', DATE '2022-02-01', 'Beta', 20.0),
			('Y', 'blocksec', '7|1', 'https://example.org/m', DATE '2022-02-01', 'Beta', 20.0))
		t(incident_id, feed, source_record_key, feed_url, feed_date, feed_name, feed_amount_usd))
		TO '` + filepath.Join(recon, "reconciliation.parquet") + `' (FORMAT parquet)`)
	require.NoError(t, err)

	var out bytes.Buffer
	st, err := DedupReport(t.Context(), release, ref, &out)
	require.NoError(t, err)
	require.Equal(t, int64(2), st.Events)
	require.Equal(t, int64(5), st.LinkedRecords)
	require.Equal(t, map[string]int64{"blocksec": 1, "defi_rekt": 2, "slowmist": 2}, st.LinkedByFeed)
	require.Equal(t, [3]int64{4, 4, 2}, [3]int64{st.ReferencePairs, st.OurPairs, st.Both})
	require.InDelta(t, 0.5, st.Precision(), 1e-9)
	require.InDelta(t, 0.5, st.Recall(), 1e-9)
	require.Contains(t, out.String(), "precision 0.500  recall 0.500")
}
