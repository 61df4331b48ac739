package pipeline

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/heiststat/heiststat/pipeline/warehouse"
)

//go:embed dedup_report.sql
var dedupReportSQL string

// DedupStats is the pairwise agreement between this release's matching and
// an independent merge, over the records both sides can be linked on.
type DedupStats struct {
	Events, LinkedRecords          int64
	LinkedByFeed                   map[string]int64
	ReferencePairs, OurPairs, Both int64
}

// Precision is the share of our same-incident pairs that the reference also
// puts together; Recall the share of the reference's pairs that we find.
func (s DedupStats) Precision() float64 { return ratio(s.Both, s.OurPairs) }
func (s DedupStats) Recall() float64    { return ratio(s.Both, s.ReferencePairs) }

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// DedupReport measures the matching of the release in releaseDir (its
// parquet/reconciliation) against the independent merge in reference (the
// pricing-the-defi-tail events_consolidated CSV) and writes the figures and
// the largest disagreements to w.
func DedupReport(ctx context.Context, releaseDir, reference string, w io.Writer) (DedupStats, error) {
	var st DedupStats
	conn, err := warehouse.OpenConn(ctx, "")
	if err != nil {
		return st, err
	}
	defer conn.Close()
	recon := filepath.Join(releaseDir, "parquet", "reconciliation", "reconciliation.parquet")
	for _, s := range []string{
		"SET VARIABLE reconciliation = " + warehouse.QuoteString(recon),
		"SET VARIABLE reference = " + warehouse.QuoteString(reference),
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return st, err
		}
	}
	for _, stmt := range strings.Split(dedupReportSQL, ";\n") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return st, fmt.Errorf("dedup report: %w", err)
		}
	}
	if err := conn.QueryRowContext(ctx, `SELECT (SELECT count(DISTINCT event_no) FROM links), (SELECT count(*) FROM links),
		count(*) FILTER (WHERE in_reference), count(*) FILTER (WHERE in_ours), count(*) FILTER (WHERE in_reference AND in_ours)
		FROM pairs`).Scan(&st.Events, &st.LinkedRecords, &st.ReferencePairs, &st.OurPairs, &st.Both); err != nil {
		return st, err
	}
	st.LinkedByFeed = map[string]int64{}
	rows, err := conn.QueryContext(ctx, "SELECT feed, count(*) FROM links GROUP BY feed ORDER BY feed")
	if err != nil {
		return st, err
	}
	defer rows.Close()
	var feeds []string
	for rows.Next() {
		var f string
		var n int64
		if err := rows.Scan(&f, &n); err != nil {
			return st, err
		}
		st.LinkedByFeed[f] = n
		feeds = append(feeds, fmt.Sprintf("%s %d", f, n))
	}
	if err := rows.Err(); err != nil {
		return st, err
	}

	fmt.Fprintf(w, "Dedup report: %s\n  against %s\n", recon, reference)
	fmt.Fprintf(w, "  linked records: %d (%s) in %d reference events\n", st.LinkedRecords, strings.Join(feeds, ", "), st.Events)
	fmt.Fprintf(w, "  record pairs: reference %d, ours %d, both %d\n", st.ReferencePairs, st.OurPairs, st.Both)
	fmt.Fprintf(w, "  precision %.3f  recall %.3f\n", st.Precision(), st.Recall())
	for _, ex := range []struct{ title, where string }{
		{"merged here, apart in the reference", "in_ours AND NOT in_reference"},
		{"apart here, merged in the reference", "in_reference AND NOT in_ours"},
	} {
		if err := printPairs(ctx, conn.Conn, w, ex.title, ex.where); err != nil {
			return st, err
		}
	}
	return st, nil
}

// printPairs lists up to ten disagreeing pairs, largest amounts first, with
// each record's feed, date, name and amount.
func printPairs(ctx context.Context, conn *sql.Conn, w io.Writer, title, where string) error {
	rows, err := conn.QueryContext(ctx, `WITH recs AS (
			SELECT feed || ':' || source_record_key AS k, feed, strftime(feed_date, '%Y-%m-%d') AS d, feed_name, feed_amount_usd
			FROM ours)
		SELECT a.feed || ' ' || a.d || ' ' || a.feed_name || ' ' || coalesce(a.feed_amount_usd::varchar, '?'),
			b.feed || ' ' || b.d || ' ' || b.feed_name || ' ' || coalesce(b.feed_amount_usd::varchar, '?')
		FROM pairs p JOIN recs a ON a.k = p.a_key JOIN recs b ON b.k = p.b_key
		WHERE `+where+`
		ORDER BY greatest(coalesce(a.feed_amount_usd, 0), coalesce(b.feed_amount_usd, 0)) DESC, p.a_key, p.b_key
		LIMIT 10`)
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Fprintf(w, "  %s (largest first):\n", title)
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fmt.Fprintf(w, "    %s  <->  %s\n", a, b)
	}
	return rows.Err()
}
