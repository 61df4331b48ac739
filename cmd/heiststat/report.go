package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
)

type reportCmd struct {
	Year     int    `help:"Show only this year (its YoY still compares with the year before)."`
	Actor    string `help:"Show one attributed actor (e.g. DPRK, or unattributed) with its share of each year."`
	Currency string `help:"Currency of the stolen column: USD, GBP or any published currency." default:"USD"`
}

var currencyCode = regexp.MustCompile(`^[A-Za-z]{3}$`)

// exec prints annual totals (or one actor's) from the current release, with
// YoY arrows.
func (r *reportCmd) exec(ctx context.Context, g *globals, stdout, stderr io.Writer) int {
	if !currencyCode.MatchString(r.Currency) {
		fmt.Fprintf(stderr, "heiststat: --currency %q is not a 3-letter code\n", r.Currency)
		return exitUsage
	}
	ccy := strings.ToLower(r.Currency)
	dir, err := g.current()
	if err != nil {
		return releaseError(stderr, err)
	}
	db, _, err := openRelease(ctx, dir)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitFailed
	}
	defer db.Close()

	table, filter, share := "annual", "true", "NULL"
	var args []any
	if r.Actor != "" {
		table, filter, share = "annual_by_actor", "lower(actor) = lower(?)", "share_of_year_pct::DECIMAL(9, 1)"
		args = append(args, r.Actor)
	}
	var ok bool
	if err := db.QueryRowContext(ctx, "SELECT count(*) > 0 FROM duckdb_columns() WHERE table_name = ? AND column_name = ?",
		table, "stolen_"+ccy).Scan(&ok); err != nil || !ok {
		fmt.Fprintf(stderr, "heiststat: %s.csv has no stolen_%s column: add %s to the config's currencies (actors: USD or GBP)\n", table, ccy, strings.ToUpper(ccy))
		return exitUsage
	}
	args = append(args, r.Year, r.Year)
	res, err := queryResult(ctx, db, fmt.Sprintf(`
		SELECT year, incidents, stolen, share, is_partial_year,
			round(100 * (incidents - lag(incidents) OVER w) / nullif(lag(incidents) OVER w, 0), 1)::DECIMAL(9, 1),
			round(100 * (stolen - lag(stolen) OVER w) / nullif(lag(stolen) OVER w, 0), 1)::DECIMAL(9, 1)
		FROM (SELECT year, incidents, stolen_%[1]s::DECIMAL(18, 2) AS stolen, %[2]s AS share, is_partial_year
			FROM %[3]s WHERE %[4]s)
		WINDOW w AS (ORDER BY year)
		QUALIFY ? = 0 OR year = ?
		ORDER BY year`, ccy, share, table, filter), args...)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitFailed
	}
	if len(res.text) == 0 {
		fmt.Fprintln(stderr, "heiststat: no rows (check --year and --actor)")
		return exitFailed
	}
	title := "All incidents"
	if r.Actor != "" {
		title = "Actor " + r.Actor
	}
	fmt.Fprintf(stdout, "%s, stolen in %s at theft-date values (release %s)\n\n", title, strings.ToUpper(ccy), dir)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "year\tincidents\tYoY\tstolen_" + ccy + "\tYoY\t"
	if r.Actor != "" {
		head += "share of year\t"
	}
	fmt.Fprintln(tw, head)
	for _, row := range res.text {
		year := row[0]
		if row[4] == "true" {
			year += "*"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t", year, row[1], arrow(row[5]), row[2], arrow(row[6]))
		if r.Actor != "" {
			line += pct(row[3]) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return exitFailed
	}
	fmt.Fprintln(stdout, "\n* partial year (data ends before 31 December). YoY is empty when the previous year is 0.")
	return exitOK
}

// arrow shows a YoY percentage with its direction.
func arrow(p string) string {
	switch {
	case p == "":
		return ""
	case strings.HasPrefix(p, "-"):
		return "▼ " + p + "%"
	case strings.Trim(p, "0.") == "":
		return "► 0.0%"
	default:
		return "▲ +" + p + "%"
	}
}

func pct(p string) string {
	if p == "" {
		return ""
	}
	return p + "%"
}
