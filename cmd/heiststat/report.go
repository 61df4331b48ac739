package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/heiststat/heiststat/output"
)

type reportCmd struct {
	Year     int    `help:"Show only this year (its YoY still compares with the year before)."`
	Actor    string `help:"Show one attributed actor (e.g. DPRK, or unattributed) with its share of each year."`
	Currency string `help:"Currency of the stolen column: USD, GBP or any published currency." default:"USD"`
	Exact    bool   `help:"Print money with every digit (2013781046.38) instead of rounded (2.01bn)."`
}

var currencyCode = regexp.MustCompile(`^[A-Za-z]{3}$`)

// exec prints annual totals (or one actor's) from the current release, with
// the YoY figures the marts publish.
func (r *reportCmd) exec(ctx context.Context, g *globals, stdout, stderr io.Writer) int {
	if !currencyCode.MatchString(r.Currency) {
		fmt.Fprintf(stderr, "heiststat: --currency %q is not a 3-letter code\n", r.Currency)
		return exitUsage
	}
	ccy := strings.ToLower(r.Currency)
	rel, dir, code := g.openCurrent(ctx, stderr)
	if rel == nil {
		return code
	}
	defer rel.Close()

	table, filter, share := "annual", "true", "NULL"
	var args []any
	if r.Actor != "" {
		table, filter, share = "annual_by_actor", "lower(actor) = lower(?)", "share_of_year_pct"
		args = append(args, r.Actor)
	}
	stolen, yoy := output.StolenColumn(ccy), output.YoYColumn(ccy)
	if ok, err := rel.HasColumn(ctx, table, stolen); err != nil || !ok {
		fmt.Fprintf(stderr, "heiststat: %s.csv has no %s column: add %s to the config's currencies (actors: USD or GBP)\n", table, stolen, strings.ToUpper(ccy))
		return exitUsage
	}
	if ok, err := rel.HasColumn(ctx, table, yoy); err != nil || !ok {
		yoy = "NULL"
	}
	args = append(args, r.Year, r.Year)
	res, err := rel.Query(ctx, fmt.Sprintf(`
		SELECT year, incidents, %[1]s::DECIMAL(18, 2), %[2]s, is_partial_year,
			yoy_incidents_pct, %[5]s
		FROM %[3]s WHERE %[4]s AND (? = 0 OR year = ?)
		ORDER BY year`, stolen, share, table, filter, yoy), args...)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitFailed
	}
	if len(res.Text) == 0 {
		fmt.Fprintf(stderr, "heiststat: no rows for --year %d --actor %q\n%s", r.Year, r.Actor, available(ctx, rel))
		return exitFailed
	}
	title := "All thefts"
	if r.Actor != "" {
		title = "Actor " + r.Actor
	}
	fmt.Fprintf(stdout, "%s, stolen in %s at theft-date values (release %s)\n\n", title, strings.ToUpper(ccy), dir)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "year\tincidents\tYoY\tstolen\tYoY\t"
	if r.Actor != "" {
		head += "share of year\t"
	}
	fmt.Fprintln(tw, head)
	for _, row := range res.Text {
		year := row[0]
		if row[4] == "true" {
			year += "*"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t", year, row[1], output.YoYArrow(number(row[5])), money(row[2], ccy, r.Exact), output.YoYArrow(number(row[6])))
		if r.Actor != "" {
			line += output.Percent(number(row[3])) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return exitFailed
	}
	fmt.Fprintln(stdout, "\n* partial year (data ends before 31 December): its YoY compares the same part of the year before. YoY is empty when the previous year is 0.")
	return exitOK
}

// available lists the actors and years a release has, for a filter that
// matched nothing.
func available(ctx context.Context, rel *output.Release) string {
	var actors, years string
	_ = rel.QueryRow(ctx, "SELECT string_agg(DISTINCT actor, ', ' ORDER BY actor) FROM annual_by_actor").Scan(&actors)
	_ = rel.QueryRow(ctx, "SELECT min(year) || '-' || max(year) FROM annual").Scan(&years)
	return fmt.Sprintf("  actors: %s\n  years:  %s\n", actors, years)
}

// money prints an amount as people read it (output.Money), or with every
// digit when exact.
func money(s, ccy string, exact bool) string {
	if s == "" {
		return ""
	}
	if exact {
		return output.CurrencySymbol(ccy) + s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return output.Money(ccy, v)
}

// number reads a published decimal cell; nil when empty (undefined).
func number(s string) *float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil
	}
	return &v
}
