package output

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"image/color"
	"regexp"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"money": Money,
	"moneyp": func(ccy string, v *float64) string {
		if v == nil {
			return ""
		}
		return Money(ccy, *v)
	},
	"yoy": YoYArrow,
	"pct": Percent,
	"counts": func(rows []RowCount) *RowCount {
		if len(rows) == 0 {
			return nil
		}
		var t RowCount
		for _, r := range rows {
			t.RowsIn, t.Accepted, t.Rejected = t.RowsIn+r.RowsIn, t.Accepted+r.Accepted, t.Rejected+r.Rejected
		}
		return &t
	},
}).Parse(reportTemplate))

// Report is what report.html shows: the marts of the run and its manifest.
type Report struct {
	Manifest *Manifest
	// General is true when a general incident feed was read, so shares "of
	// all thefts" mean something; otherwise every figure is the curated
	// list's and the page says so.
	General bool
	// Stale names the sources that did not serve live data (degraded run).
	Stale []string
	// Currencies are the published currencies, USD first.
	Currencies []string
	Years      []ReportYear
	DPRK       []ReportShare
	Top        []ReportIncident
	// Estimates are the trackers' published totals beside ours, by year.
	Estimates []ReportEstimateYear
	Headline  string
	// Charts are inline SVG drawn by gonum/plot.
	TotalsChart, DPRKChart, ShareChart template.HTML
}

// ReportYear is one row of annual.csv; Stolen and YoY follow Currencies. A
// YoY of nil is undefined.
type ReportYear struct {
	Year, Incidents int
	Stolen          []float64
	YoY             []*float64
	Partial         bool
}

// ReportShare is the DPRK row of actor_share.csv for one year.
type ReportShare struct {
	Year, Incidents int
	USD, GBP        float64
	Share           *float64
	YoYUSD          *float64
	Partial         bool
}

// ReportIncident is one of the largest incidents, with the basis of its
// amount in words and the link behind it.
type ReportIncident struct {
	Year                       int
	Date, Victim, Actor, Basis string
	URL                        string
	USD, GBP                   float64
}

// ReportEstimateYear is one year's published totals.
type ReportEstimateYear struct {
	Year int
	Rows []ReportEstimate
}

// ReportEstimate is one published figure beside heiststat's for the same
// year and actor.
type ReportEstimate struct {
	Year                                  int
	Publisher, Edition, Scope, Actor, URL string
	USD                                   *float64
	Incidents                             *int
	Ours                                  float64
}

// LoadReport reads the figures report.html shows from the built marts; its
// yearly table is the published annual dataset (one of csv): its
// stolen_<ccy> columns, and yoy_stolen_<ccy>_pct where the mart has one.
func LoadReport(ctx context.Context, conn *sql.Conn, m *Manifest, csv []Dataset) (*Report, error) {
	i := slices.IndexFunc(csv, func(d Dataset) bool { return d.Name == "annual" })
	if i < 0 {
		return nil, errors.New("no annual dataset")
	}
	annual := csv[i]
	r := &Report{Manifest: m, General: m.Coverage == CoverageGeneral, Currencies: m.Currencies}
	if len(r.Currencies) == 0 {
		r.Currencies = []string{"USD", "GBP"}
	}
	for _, s := range m.Sources {
		if s.Freshness != "live" && !(s.Freshness == "bundled" && s.Location == "embedded") {
			r.Stale = append(r.Stale, strings.TrimSpace(s.Name+" ("+s.Freshness+" "+s.ArchivedAt+")"))
		}
	}
	published, err := scanAll(ctx, conn, "SELECT column_name FROM (DESCRIBE "+annual.unordered()+")",
		func(c *string) []any { return []any{c} })
	if err != nil {
		return nil, err
	}
	var cols []string
	for _, c := range r.Currencies {
		yoy := "NULL"
		if slices.Contains(published, YoYColumn(c)) {
			yoy = YoYColumn(c)
		}
		cols = append(cols, StolenColumn(c)+"::DOUBLE", yoy+"::DOUBLE")
	}
	r.Years, err = scanAll(ctx, conn, `SELECT year, incidents, is_partial_year, `+strings.Join(cols, ", ")+` FROM (`+annual.unordered()+`) ORDER BY year`,
		func(y *ReportYear) []any {
			y.Stolen, y.YoY = make([]float64, len(r.Currencies)), make([]*float64, len(r.Currencies))
			fields := []any{&y.Year, &y.Incidents, &y.Partial}
			for i := range r.Currencies {
				fields = append(fields, &y.Stolen[i], &y.YoY[i])
			}
			return fields
		})
	if err != nil {
		return nil, err
	}
	r.DPRK, err = scanAll(ctx, conn, `SELECT year, incidents, stolen_usd::DOUBLE, stolen_gbp::DOUBLE,
		share_of_year_pct::DOUBLE, yoy_stolen_usd_pct::DOUBLE, is_partial_year
		FROM rpt_share_by_actor WHERE actor = 'DPRK' ORDER BY year`,
		func(s *ReportShare) []any {
			return []any{&s.Year, &s.Incidents, &s.USD, &s.GBP, &s.Share, &s.YoYUSD, &s.Partial}
		})
	if err != nil {
		return nil, err
	}
	r.Top, err = scanAll(ctx, conn, topIncidentsQuery,
		func(i *ReportIncident) []any {
			return []any{&i.Year, &i.Date, &i.Victim, &i.Actor, &i.Basis, &i.URL, &i.USD, &i.GBP}
		})
	if err != nil {
		return nil, err
	}
	estimates, err := scanAll(ctx, conn, `SELECT year, publisher, edition, scope, actor, url, stolen_usd::DOUBLE, incidents,
		heiststat_stolen_usd::DOUBLE FROM rpt_published_estimates ORDER BY year DESC, actor, publisher, edition`,
		func(e *ReportEstimate) []any {
			return []any{&e.Year, &e.Publisher, &e.Edition, &e.Scope, &e.Actor, &e.URL, &e.USD, &e.Incidents, &e.Ours}
		})
	if err != nil {
		return nil, err
	}
	for _, e := range estimates {
		if n := len(r.Estimates); n == 0 || r.Estimates[n-1].Year != e.Year {
			r.Estimates = append(r.Estimates, ReportEstimateYear{Year: e.Year})
		}
		last := &r.Estimates[len(r.Estimates)-1]
		last.Rows = append(last.Rows, e)
	}
	r.Headline = headline(r.DPRK, r.General)
	// An axis with no category cannot be drawn: with no rows the page says
	// so in place of the chart.
	if len(r.Years) > 0 {
		if r.TotalsChart, err = totalsChart(r.Years, r.Currencies); err != nil {
			return nil, err
		}
	}
	if len(r.DPRK) > 0 {
		if r.DPRKChart, err = dprkChart(r.DPRK); err != nil {
			return nil, err
		}
		if r.ShareChart, err = shareChart(r.DPRK); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// topIncidentsQuery gives the ten largest incidents with the basis of each
// amount in words: the native assets and the close they were priced at, or
// the feed whose figure stands.
const topIncidentsQuery = `
WITH top AS (
	SELECT * FROM rpt_top_incidents ORDER BY amount_usd DESC, incident_id LIMIT 10
),
assets AS (
	SELECT a.incident_id,
		string_agg(CASE WHEN a.quantity = round(a.quantity) THEN format('{:,}', a.quantity::HUGEINT) ELSE format('{:,.2f}', a.quantity) END || ' ' || a.asset, ' + ' ORDER BY a.asset_ordinal) AS what,
		max(a.price_date) AS price_date
	FROM fct_incident_assets a JOIN top USING (incident_id)
	GROUP BY a.incident_id
)
SELECT t.year, strftime(t.incident_date, '%Y-%m-%d'), t.victim, coalesce(t.actor, ''),
	CASE
		WHEN t.valuation_method = 'native_at_theft_date' AND a.what IS NOT NULL
			THEN 'valued from ' || a.what || ' at the ' || strftime(a.price_date, '%-d %b %Y') || ' close'
		WHEN t.valuation_method = 'reviewed_usd' AND i.reported_usd_low IS NULL THEN 'reviewed figure (the feeds gave no USD amount)'
		WHEN t.valuation_method = 'reviewed_usd' THEN 'reviewed figure (the feeds gave ' ||
			CASE WHEN i.reported_usd_low = i.reported_usd_high THEN format('{:,}', i.reported_usd_low::BIGINT)
				ELSE format('{:,}', i.reported_usd_low::BIGINT) || ' to ' || format('{:,}', i.reported_usd_high::BIGINT) END || ' USD)'
		WHEN t.valuation_method = 'median_of_feeds' THEN 'median of the feeds, which disagree (' ||
			format('{:,}', i.reported_usd_low::BIGINT) || ' to ' || format('{:,}', i.reported_usd_high::BIGINT) || ' USD)'
		ELSE 'as reported by ' || coalesce(i.source, 'the feeds') END,
	coalesce(i.amount_citation, t.citation_url, ''), t.amount_usd::DOUBLE, coalesce(t.amount_gbp, 0)::DOUBLE
FROM top t
JOIN fct_incidents i USING (incident_id)
LEFT JOIN assets a USING (incident_id)
ORDER BY t.amount_usd DESC, t.incident_id`

// scanAll reads every row of query into a T; fields gives the scan targets.
func scanAll[T any](ctx context.Context, conn *sql.Conn, query string, fields func(*T) []any) ([]T, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(fields(&v)...); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Render writes report.html: one self-contained page (inline CSS and SVG,
// no scripts, nothing loaded from the network). Same report, same bytes.
func (r *Report) Render() ([]byte, error) {
	var b bytes.Buffer
	if err := reportTmpl.Execute(&b, r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// headline is the sentence a reporter looks for, on the last full year. The
// share of all thefts is only said when a general incident feed was read.
func headline(dprk []ReportShare, general bool) string {
	var cur, prev *ReportShare
	for i := range dprk {
		if !dprk[i].Partial && i > 0 {
			cur, prev = &dprk[i], &dprk[i-1]
		}
	}
	if cur == nil {
		return ""
	}
	s := fmt.Sprintf("In %d, DPRK-linked thefts numbered %d (%d in %d)", cur.Year, cur.Incidents, prev.Incidents, prev.Year)
	if cur.YoYUSD != nil {
		s += fmt.Sprintf("; the value stolen changed %+.1f%%, to %s (%s)", *cur.YoYUSD, Money("USD", cur.USD), Money("GBP", cur.GBP))
	} else {
		s += fmt.Sprintf("; the value stolen was %s (%s)", Money("USD", cur.USD), Money("GBP", cur.GBP))
	}
	if general && cur.Share != nil {
		s += fmt.Sprintf(", %.1f%% of all crypto stolen that year", *cur.Share)
	}
	return s + "."
}

var (
	colorUSD   = color.RGBA{R: 0x1f, G: 0x5f, B: 0x9f, A: 0xff}
	colorGBP   = color.RGBA{R: 0xd9, G: 0x7a, B: 0x1c, A: 0xff}
	colorDPRK  = color.RGBA{R: 0xb0, G: 0x1e, B: 0x2d, A: 0xff}
	colorOther = []color.Color{color.RGBA{R: 0x3a, G: 0x8f, B: 0x5c, A: 0xff}, color.RGBA{R: 0x7a, G: 0x4f, B: 0x9f, A: 0xff}}
)

// Charts are drawn on a small canvas with large text: the SVG scales to the
// page width, so on a 390 px phone its 13 pt text still reads at 11 px or
// more, and the page's sans-serif (Liberation Sans first) is the chart's.
const (
	chartWidth = 14 * vg.Centimeter
	chartFont  = 13
)

func newChart(title, yLabel string) *plot.Plot {
	p := plot.New()
	sans := font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(chartFont)}
	p.Title.Text, p.Title.TextStyle.Font = title, sans
	p.Y.Label.Text, p.Y.Label.TextStyle.Font = yLabel, sans
	p.X.Tick.Label.Font, p.Y.Tick.Label.Font = sans, sans
	p.Legend.TextStyle.Font = sans
	p.Add(plotter.NewGrid())
	return p
}

func yearLabel(year int, partial bool) string {
	if partial {
		return fmt.Sprintf("%d*", year)
	}
	return fmt.Sprint(year)
}

// shortYear keeps year labels apart on a narrow chart ('16, '17, ...).
func shortYear(year int, partial bool) string {
	s := fmt.Sprintf("'%02d", year%100)
	if partial {
		s += "*"
	}
	return s
}

func barColor(ccy string, i int) color.Color {
	switch ccy {
	case "USD":
		return colorUSD
	case "GBP":
		return colorGBP
	}
	return colorOther[i%len(colorOther)]
}

// totalsChart draws stolen per year in each published currency (billions)
// as grouped bars.
func totalsChart(years []ReportYear, currencies []string) (template.HTML, error) {
	p := newChart("Stolen per year at theft-date values (* partial year)", "billions ("+strings.Join(currencies, ", ")+")")
	names := make([]string, len(years))
	for i, y := range years {
		names[i] = shortYear(y.Year, y.Partial)
	}
	w := vg.Points(14 / float64(len(currencies)))
	var maxV float64
	for c, ccy := range currencies {
		vals := make(plotter.Values, len(years))
		for i, y := range years {
			vals[i] = y.Stolen[c] / 1e9
			maxV = max(maxV, vals[i])
		}
		if len(vals) == 0 {
			continue
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return "", err
		}
		bars.Color, bars.LineStyle.Width = barColor(ccy, c), 0
		bars.Offset = w * vg.Length(float64(c)-float64(len(currencies)-1)/2)
		p.Add(bars)
		p.Legend.Add(ccy, bars)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = vg.Points(50)
	p.Y.Min, p.Y.Max = 0, 1.05*max(maxV, 0.001)
	p.NominalX(names...)
	return svg(p, chartWidth, 8*vg.Centimeter)
}

// dprkChart draws the value stolen in DPRK-attributed thefts per year.
func dprkChart(dprk []ReportShare) (template.HTML, error) {
	return dprkBars("Stolen in DPRK-attributed thefts", "USD millions", dprk, 0, func(s ReportShare) float64 { return s.USD / 1e6 })
}

// shareChart draws DPRK's share of each year's stolen USD.
func shareChart(dprk []ReportShare) (template.HTML, error) {
	return dprkBars("DPRK share of the year's stolen USD", "percent", dprk, 100, func(s ReportShare) float64 {
		if s.Share == nil {
			return 0
		}
		return *s.Share
	})
}

// dprkBars draws one bar a year of value, on an axis from 0 to top (0: just
// above the tallest bar).
func dprkBars(title, yLabel string, dprk []ReportShare, top float64, value func(ReportShare) float64) (template.HTML, error) {
	p := newChart(title, yLabel)
	vals := make(plotter.Values, len(dprk))
	names := make([]string, len(dprk))
	for i, s := range dprk {
		vals[i], names[i] = value(s), shortYear(s.Year, s.Partial)
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(12))
	if err != nil {
		return "", err
	}
	bars.Color, bars.LineStyle.Width = colorDPRK, 0
	p.Add(bars)
	if top == 0 {
		top = 1.05 * max(slices.Max(vals), 0.001)
	}
	p.Y.Min, p.Y.Max = 0, top
	p.NominalX(names...)
	return svg(p, chartWidth, 7*vg.Centimeter)
}

var svgSize = regexp.MustCompile(`^(<svg) width="[0-9.]+pt" height="[0-9.]+pt"`)

// svg renders a plot as an inline <svg> element that scales with its box.
func svg(p *plot.Plot, w, h vg.Length) (template.HTML, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	i := strings.Index(s, "<svg")
	if i < 0 {
		return "", fmt.Errorf("gonum/plot wrote no <svg> element")
	}
	s = s[i:]
	// gonum writes a viewBox: dropping the fixed size lets CSS scale it, and
	// the page's font list replaces the one font name it writes.
	s = svgSize.ReplaceAllString(s, "$1")
	s = strings.ReplaceAll(s, "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	return template.HTML(s), nil
}
