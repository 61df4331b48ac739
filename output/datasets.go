// Package output publishes a release: Parquet for analysts, CSVs for
// reporters, SCHEMA.md and manifest.json, written into a staging folder,
// read back, and only then made current by swapping a symlink.
package output

import (
	"fmt"
	"strings"
)

// SchemaVersion is stored in every Parquet file's key-value metadata and in
// the manifest. Bump it when a published column is renamed or retyped;
// adding a column does not need a bump.
const SchemaVersion = "1"

// Dataset is one published file: a mart table written as Parquet or CSV.
type Dataset struct {
	// Name is the dataset name: parquet/<name>/<name>.parquet or csv/<name>.csv.
	Name string
	// Table is the mart it is written from; its columns, in order, are the
	// published schema (marts select explicit columns).
	Table string
	// OrderBy makes the row order, and so the bytes, reproducible.
	OrderBy string
	// Extra adds columns after the table's own (one per extra currency).
	Extra []ExtraColumn
}

// ExtraColumn is a computed column appended to a dataset.
type ExtraColumn struct {
	Name, Expr, Comment string
}

// Query is the SELECT that writes the dataset.
func (d Dataset) Query() string {
	return d.unordered() + " ORDER BY " + d.OrderBy
}

// unordered is Query without its ORDER BY.
func (d Dataset) unordered() string {
	var b strings.Builder
	b.WriteString("SELECT t.*")
	for _, e := range d.Extra {
		fmt.Fprintf(&b, ", %s AS %s", e.Expr, e.Name)
	}
	fmt.Fprintf(&b, " FROM %s t", d.Table)
	return b.String()
}

// StolenColumn names the annual datasets' column of the value stolen in ccy
// (the marts' stolen_usd and stolen_gbp; extra currencies' from Datasets).
func StolenColumn(ccy string) string { return "stolen_" + strings.ToLower(ccy) }

// YoYColumn names the YoY column of StolenColumn(ccy); the marts publish it
// for USD and GBP only.
func YoYColumn(ccy string) string { return "yoy_" + StolenColumn(ccy) + "_pct" }

// Datasets returns the published Parquet and CSV datasets. extra lists the
// configured currencies beyond USD and GBP; each adds an amount_<ccy> column
// to incidents and a stolen_<ccy> column to annual.
func Datasets(extra []string) (parquet, csv []Dataset) {
	var incExtra, annExtra []ExtraColumn
	for _, ccy := range extra {
		lc := strings.ToLower(ccy)
		incExtra = append(incExtra, ExtraColumn{
			Name:    "amount_" + lc,
			Expr:    fmt.Sprintf("(SELECT a.amount FROM fct_incident_amounts a WHERE a.incident_id = t.incident_id AND a.currency = '%s')", ccy),
			Comment: fmt.Sprintf("Value in %s at the ECB cross rate of the theft date (or the latest earlier ECB day), DECIMAL(18,2).", ccy),
		})
		annExtra = append(annExtra, ExtraColumn{
			Name:    StolenColumn(ccy),
			Expr:    fmt.Sprintf("coalesce((SELECT a.stolen FROM rpt_annual_amounts a WHERE a.year = t.year AND a.currency = '%s'), 0)::DECIMAL(18,2)", ccy),
			Comment: fmt.Sprintf("Sum of the year's incident values in %s, each at its theft-date rate.", ccy),
		})
	}
	// Published both as Parquet and as CSV, from one definition.
	rejects := Dataset{Name: "rejects", Table: "fct_rejects", OrderBy: "source, feed, source_record_key, record"}
	reconciliation := Dataset{Name: "reconciliation", Table: "fct_reconciliation", OrderBy: "incident_id, feed, source, source_record_key"}
	parquet = []Dataset{
		{Name: "incidents", Table: "fct_incidents", OrderBy: "incident_id", Extra: incExtra},
		{Name: "incident_assets", Table: "fct_incident_assets", OrderBy: "incident_id, asset_ordinal"},
		{Name: "incident_amounts", Table: "fct_incident_amounts", OrderBy: "incident_id, currency"},
		{Name: "prices", Table: "fct_prices_daily", OrderBy: "asset, price_date"},
		{Name: "fx", Table: "fct_fx_daily", OrderBy: "rate_date, currency"},
		rejects,
		reconciliation,
	}
	csv = []Dataset{
		{Name: "annual", Table: "rpt_annual", OrderBy: "year", Extra: annExtra},
		{Name: "annual_by_actor", Table: "rpt_annual_by_actor", OrderBy: "year, actor"},
		{Name: "annual_by_source", Table: "rpt_annual_by_source", OrderBy: "year, source"},
		{Name: "annual_by_victim_type", Table: "rpt_annual_by_victim_type", OrderBy: "year, victim_type"},
		{Name: "annual_by_chain", Table: "rpt_annual_by_chain", OrderBy: "year, chain"},
		{Name: "annual_by_technique", Table: "rpt_annual_by_technique", OrderBy: "year, technique"},
		{Name: "annual_by_country", Table: "rpt_annual_by_country", OrderBy: "year, country"},
		{Name: "top_incidents", Table: "rpt_top_incidents", OrderBy: "year, rank"},
		{Name: "actor_share", Table: "rpt_share_by_actor", OrderBy: "year, actor"},
		rejects,
		reconciliation,
		{Name: "annual_by_category", Table: "rpt_annual_by_category", OrderBy: "year, category"},
		{Name: "published_estimates", Table: "rpt_published_estimates", OrderBy: "year, actor, publisher, edition, scope, url, stolen_usd"},
	}
	return parquet, csv
}
