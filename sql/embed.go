// Package sql holds the SQL models as plain files, layered like dbt:
// macros (the DuckDB macros models share), raw (typed reads of landed
// files), staging (renames, casts, quarantine), intermediate (unions,
// matching, valuation), marts (published tables), tests (queries that must
// return zero rows), comments (the data dictionary) and seeds (small
// reference tables). pipeline runs them in that order.
//
// Import it as sqlmodels: the name clashes with database/sql.
package sql

import "embed"

//go:embed macros raw staging intermediate marts tests comments seeds
var FS embed.FS
