package output

import (
	"fmt"
	"strings"
)

// WithValueAt adds the value_at_* columns (fct_value_at: incidents valued
// from native amounts, re-valued at the configured date) to the incidents
// Parquet and to the annual and top_incidents CSVs. currencies are the
// published currencies beyond USD (GBP first). The theft-date columns are
// untouched: the re-valuation is an extra reading, not a new basis.
func WithValueAt(parquet, csv []Dataset, currencies []string) (p, c []Dataset) {
	amount := func(ccy string) string {
		return fmt.Sprintf("(SELECT v.amount FROM fct_value_at v WHERE v.incident_id = t.incident_id AND v.currency = '%s')", ccy)
	}
	perIncident := []ExtraColumn{{
		Name:    "value_at_date",
		Expr:    "(SELECT any_value(v.value_date) FROM fct_value_at v WHERE v.incident_id = t.incident_id)",
		Comment: "The value_at date (--value-at or config value_at) the value_at_* columns re-value at; NULL when the incident is not valued from native amounts.",
	}, {
		Name:    "value_at_usd",
		Expr:    amount("USD"),
		Comment: "The native stolen assets at the USD closes of value_at_date (or the latest earlier day within max_price_age_days), DECIMAL(18,2); NULL unless valuation_method is native_at_theft_date and every asset has a price then.",
	}}
	annual := []ExtraColumn{{
		Name:    "value_at_date",
		Expr:    "(SELECT any_value(v.value_date) FROM fct_value_at v)",
		Comment: "The value_at date (--value-at or config value_at) of the value_at_* columns.",
	}, {
		Name:    "value_at_incidents",
		Expr:    "(SELECT count(*) FROM fct_value_at v JOIN fct_incidents i USING (incident_id) WHERE i.year = t.year AND v.currency = 'USD')",
		Comment: "Incidents of the year re-valued at value_at_date (those valued from native amounts).",
	}, {
		Name:    "value_at_theft_date_usd",
		Expr:    "(SELECT coalesce(sum(i.amount_usd), 0) FROM fct_value_at v JOIN fct_incidents i USING (incident_id) WHERE i.year = t.year AND v.currency = 'USD')::DECIMAL(18,2)",
		Comment: "The same incidents' value at their theft dates, for comparison with value_at_usd.",
	}}
	for _, ccy := range append([]string{"USD"}, currencies...) {
		lc := strings.ToLower(ccy)
		if ccy != "USD" {
			perIncident = append(perIncident, ExtraColumn{
				Name:    "value_at_" + lc,
				Expr:    amount(ccy),
				Comment: fmt.Sprintf("value_at_usd in %s at the ECB cross rate of value_at_date (or the latest earlier ECB day), DECIMAL(18,2).", ccy),
			})
		}
		annual = append(annual, ExtraColumn{
			Name:    "value_at_" + lc,
			Expr:    fmt.Sprintf("(SELECT coalesce(sum(v.amount), 0) FROM fct_value_at v JOIN fct_incidents i USING (incident_id) WHERE i.year = t.year AND v.currency = '%s')::DECIMAL(18,2)", ccy),
			Comment: fmt.Sprintf("Sum of the year's re-valued incidents in %s at value_at_date.", ccy),
		})
	}
	fxGBP := ExtraColumn{
		Name:    "value_at_gbp_per_usd",
		Expr:    "(SELECT v.per_usd FROM fct_value_at v WHERE v.incident_id = t.incident_id AND v.currency = 'GBP')",
		Comment: "GBP per USD (ECB cross rate) on value_at_date or the latest earlier ECB day, used for value_at_gbp.",
	}
	extend := func(ds []Dataset, name string, cols []ExtraColumn) []Dataset {
		out := make([]Dataset, len(ds))
		for i, d := range ds {
			if d.Name == name {
				d.Extra = append(append([]ExtraColumn(nil), d.Extra...), cols...)
			}
			out[i] = d
		}
		return out
	}
	p = extend(parquet, "incidents", append(perIncident, fxGBP))
	c = extend(csv, "annual", annual)
	c = extend(c, "top_incidents", perIncident)
	return p, c
}
