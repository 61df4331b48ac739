package pipeline

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"
)

// sessionSettings run on every new DuckDB connection.
var sessionSettings = []string{
	// Dates and years are UTC days whatever the machine's zone.
	"SET TimeZone = 'UTC'",
	// The planner underestimates file reads and can pick a nested-loop ASOF
	// join that takes minutes at scale (shared/reference/traps.md).
	"SET asof_loop_join_threshold = 0",
	// Never reach for the network to install extensions mid-run.
	"SET autoinstall_known_extensions = false",
	"SET autoload_known_extensions = false",
	// Models and outputs never rely on insertion order (every published file
	// is written with ORDER BY); without it, large CREATE TABLE AS statements
	// stream in parallel instead of buffering to keep the order.
	"SET preserve_insertion_order = false",
	// Bound DuckDB's buffers (its default is 80% of RAM) so a large run
	// spills to disk instead of growing past a couple of GB of RSS. DuckDB
	// holds about 0.5 GB beyond this limit at 1000x (1.67 GB peak RSS; the
	// TEMP models count against it and spill beyond it); at 1 GB
	// int_incidents__valued ran out of memory there.
	"SET memory_limit = '1152MB'",
	// DuckDB's allocator (jemalloc) keeps freed pages resident until a later
	// allocation flushes them, which memory_limit does not count: peak RSS at
	// 1000x varied from 1.67 to 2.10 GB. Its background threads return them
	// as they decay: 1.61-1.64 GB in five runs, same wall time (28-31 s).
	"SET allocator_background_threads = true",
	// The raw loads commit together (see build; the models are TEMP and
	// never logged); with the default 16 MB threshold that commit would
	// stop for a checkpoint. One checkpoint beside the model build (Run)
	// writes it all once.
	"SET checkpoint_threshold = '4GB'",
	// FSST string compression costs the checkpoint of the raw tables most
	// of its time: 255-320 -> 135-160 ms for the real snapshot's 7 MB of
	// text. The warehouse is a cache of the landing zone, read back only by
	// runs whose raw loads are skipped: 10.5 instead of 8.4 MB for the
	// snapshot, 205 instead of 96 MB at 1000x (same outputs, 2-4 CPU s less).
	"SET disabled_compression_methods = 'fsst,dict_fsst'",
}

// OpenWarehouse opens (or creates) the DuckDB file at path; "" is in-memory.
func OpenWarehouse(path string) (*sql.DB, error) {
	c, err := duckdb.NewConnector(path, func(ex driver.ExecerContext) error {
		for _, s := range sessionSettings {
			if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		if strings.Contains(err.Error(), "Could not set lock") {
			return nil, fmt.Errorf("%w: warehouse %s is open in another process: %v", ErrLocked, path, err)
		}
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// sqlList renders a list of SQL string literals.
func sqlList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = sqlString(x)
	}
	return "[" + strings.Join(q, ", ") + "]::VARCHAR[]"
}

// DuckDBVersion is the version of the DuckDB library linked in.
func DuckDBVersion() string { return mapping.LibraryVersion() }
