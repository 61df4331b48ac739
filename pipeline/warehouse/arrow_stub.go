//go:build !duckdb_arrow

package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/sources/ofac"
)

// registerArrowFeeds without DuckDB's Arrow interface (the Makefile always
// builds with -tags duckdb_arrow): an empty view keeps the raw model valid,
// and a landed OFAC sdn_advanced.xml is an error instead of silently ignored.
func registerArrowFeeds(ctx context.Context, conn *sql.Conn, extracted []landing.Extracted) (func(), error) {
	for _, e := range extracted {
		if e.Snapshot == nil {
			continue
		}
		for _, f := range e.Snapshot.Files {
			if f.Format == "ofac_sdn_advanced" {
				return nil, fmt.Errorf("source %s: loading %s needs a build with -tags duckdb_arrow", e.Source.Name(), f.Name)
			}
		}
	}
	var cols []string
	for _, f := range ofac.AdvancedSchema.Fields() {
		cols = append(cols, "NULL::VARCHAR AS "+f.Name)
	}
	_, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP VIEW arrow_ofac_sdn_advanced AS SELECT "+strings.Join(cols, ", ")+" WHERE false")
	return func() {}, err
}
