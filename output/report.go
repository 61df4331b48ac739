package output

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"usd": func(v float64) string { return money("$", v) },
	"gbp": func(v float64) string { return money("£", v) },
	"yoy": yoyArrow,
	"pct": func(p *float64) string {
		if p == nil {
			return ""
		}
		return fmt.Sprintf("%.1f%%", *p)
	},
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
	Years    []ReportYear
	DPRK     []ReportShare
	Top      []ReportIncident
	Headline string
	// TotalsChart and ShareChart are inline SVG drawn by gonum/plot.
	TotalsChart, ShareChart template.HTML
}

// ReportYear is one row of annual.csv. A YoY of nil is undefined.
type ReportYear struct {
	Year, Incidents int
	USD, GBP        float64
	YoYUSD, YoYGBP  *float64
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

// ReportIncident is one of the largest incidents.
type ReportIncident struct {
	Year                        int
	Date, Victim, Actor, Method string
	USD, GBP                    float64
}

// LoadReport reads the figures report.html shows from the built marts.
func LoadReport(ctx context.Context, conn *sql.Conn, m *Manifest) (*Report, error) {
	r := &Report{Manifest: m}
	var err error
	r.Years, err = scanAll(ctx, conn, `SELECT year, incidents, stolen_usd::DOUBLE, stolen_gbp::DOUBLE,
		yoy_stolen_usd_pct::DOUBLE, yoy_stolen_gbp_pct::DOUBLE, is_partial_year FROM rpt_annual ORDER BY year`,
		func(y *ReportYear) []any {
			return []any{&y.Year, &y.Incidents, &y.USD, &y.GBP, &y.YoYUSD, &y.YoYGBP, &y.Partial}
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
	r.Top, err = scanAll(ctx, conn, `SELECT year, strftime(incident_date, '%Y-%m-%d'), victim, coalesce(actor, ''),
		valuation_method, amount_usd::DOUBLE, coalesce(amount_gbp, 0)::DOUBLE
		FROM rpt_top_incidents ORDER BY amount_usd DESC, incident_id LIMIT 10`,
		func(i *ReportIncident) []any {
			return []any{&i.Year, &i.Date, &i.Victim, &i.Actor, &i.Method, &i.USD, &i.GBP}
		})
	if err != nil {
		return nil, err
	}
	r.Headline = headline(r.DPRK)
	// An axis with no category cannot be drawn: with no rows the page says
	// so in place of the chart.
	if len(r.Years) > 0 {
		if r.TotalsChart, err = totalsChart(r.Years); err != nil {
			return nil, err
		}
	}
	if len(r.DPRK) > 0 {
		if r.ShareChart, err = shareChart(r.DPRK); err != nil {
			return nil, err
		}
	}
	return r, nil
}

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

// headline is the sentence a reporter looks for, on the last full year.
func headline(dprk []ReportShare) string {
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
		s += fmt.Sprintf("; the value stolen changed %+.1f%%, to %s (%s)", *cur.YoYUSD, money("$", cur.USD), money("£", cur.GBP))
	} else {
		s += fmt.Sprintf("; the value stolen was %s (%s)", money("$", cur.USD), money("£", cur.GBP))
	}
	if cur.Share != nil {
		s += fmt.Sprintf(", %.1f%% of all crypto stolen that year", *cur.Share)
	}
	return s + "."
}

// money prints an amount in millions or billions with its symbol.
func money(sym string, v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return fmt.Sprintf("%s%.2fbn", sym, v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%s%.1fm", sym, v/1e6)
	default:
		return fmt.Sprintf("%s%.0f", sym, v)
	}
}

// yoyArrow shows a YoY percentage with its direction; empty when undefined.
func yoyArrow(p *float64) string {
	switch {
	case p == nil:
		return ""
	case *p > 0:
		return fmt.Sprintf("▲ %+.1f%%", *p)
	case *p < 0:
		return fmt.Sprintf("▼ %+.1f%%", *p)
	default:
		return "► 0.0%"
	}
}

var (
	colorUSD  = color.RGBA{R: 0x1f, G: 0x5f, B: 0x9f, A: 0xff}
	colorGBP  = color.RGBA{R: 0xd9, G: 0x7a, B: 0x1c, A: 0xff}
	colorDPRK = color.RGBA{R: 0xb0, G: 0x1e, B: 0x2d, A: 0xff}
)

func yearLabel(year int, partial bool) string {
	if partial {
		return fmt.Sprintf("%d*", year)
	}
	return fmt.Sprint(year)
}

// totalsChart draws stolen USD and GBP per year (billions) as grouped bars,
// with the USD YoY above each year.
func totalsChart(years []ReportYear) (template.HTML, error) {
	p := plot.New()
	p.Title.Text = "Stolen per year at theft-date values (billions; * partial year)"
	p.Y.Label.Text = "billions"
	p.Add(plotter.NewGrid())
	usd, gbp := make(plotter.Values, len(years)), make(plotter.Values, len(years))
	names := make([]string, len(years))
	labels := plotter.XYLabels{}
	for i, y := range years {
		usd[i], gbp[i] = y.USD/1e9, y.GBP/1e9
		names[i] = yearLabel(y.Year, y.Partial)
		if y.YoYUSD != nil {
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(i) - 0.3, Y: usd[i]})
			labels.Labels = append(labels.Labels, fmt.Sprintf("%+.0f%%", *y.YoYUSD))
		}
	}
	w := vg.Points(11)
	for _, s := range []struct {
		name   string
		vals   plotter.Values
		color  color.Color
		offset vg.Length
	}{{"USD", usd, colorUSD, -w / 2}, {"GBP", gbp, colorGBP, w / 2}} {
		if len(s.vals) == 0 {
			continue
		}
		bars, err := plotter.NewBarChart(s.vals, w)
		if err != nil {
			return "", err
		}
		bars.Color, bars.Offset, bars.LineStyle.Width = s.color, s.offset, 0
		p.Add(bars)
		p.Legend.Add(s.name, bars)
	}
	if len(labels.XYs) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return "", err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(7)
		}
		p.Add(l)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = vg.Points(40)
	// Headroom for the YoY labels above the tallest bar.
	p.Y.Max = 1.12 * slices.Max(append(slices.Clone(usd), 0))
	p.NominalX(names...)
	return svg(p, 18*vg.Centimeter, 9*vg.Centimeter)
}

// shareChart draws DPRK's share of each year's stolen USD.
func shareChart(dprk []ReportShare) (template.HTML, error) {
	p := plot.New()
	p.Title.Text = "Share of the year's stolen USD attributed to DPRK (%)"
	p.Y.Label.Text = "percent"
	p.Y.Min, p.Y.Max = 0, 100
	p.Add(plotter.NewGrid())
	vals := make(plotter.Values, len(dprk))
	names := make([]string, len(dprk))
	for i, s := range dprk {
		if s.Share != nil {
			vals[i] = *s.Share
		}
		names[i] = yearLabel(s.Year, s.Partial)
	}
	if len(vals) > 0 {
		bars, err := plotter.NewBarChart(vals, vg.Points(16))
		if err != nil {
			return "", err
		}
		bars.Color, bars.LineStyle.Width = colorDPRK, 0
		p.Add(bars)
	}
	p.NominalX(names...)
	return svg(p, 18*vg.Centimeter, 7*vg.Centimeter)
}

// svg renders a plot as an inline <svg> element (the XML prolog dropped).
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
	return template.HTML(s[i:]), nil
}
