package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"
	"github.com/heiststat/heiststat/pipeline/landing"
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
	// spills to disk instead of growing past 2 GB of RSS; lower limits ran
	// int_incidents__valued out of memory at 1000x.
	"SET memory_limit = '1152MB'",
	// DuckDB's allocator (jemalloc) keeps freed pages resident, which
	// memory_limit does not count; its background threads return them.
	"SET allocator_background_threads = true",
	// The raw loads commit together (see Build; the models are TEMP and
	// never logged); with the default 16 MB threshold that commit would
	// stop for a checkpoint. One checkpoint beside the model build (pipeline.Run)
	// writes it all once.
	"SET checkpoint_threshold = '4GB'",
	// FSST string compression is most of the raw tables' checkpoint; the
	// warehouse is a cache of the landing zone, so a larger file is the
	// better trade.
	"SET disabled_compression_methods = 'fsst,dict_fsst'",
}

// Open opens (or creates) the DuckDB file at path; "" is in-memory.
func Open(path string) (*sql.DB, error) {
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
			return nil, fmt.Errorf("%w: warehouse %s is open in another process: %v", landing.ErrLocked, path, err)
		}
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// OpenConn opens the DuckDB file at path ("" is in-memory) and the one
// connection its TEMP models live on; closing the connection closes both.
func OpenConn(ctx context.Context, path string) (*Conn, error) {
	db, err := Open(path)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Conn{Conn: conn, db: db}, nil
}

// Conn is a connection that owns its database.
type Conn struct {
	*sql.Conn
	db *sql.DB
}

// Close closes the connection, then the database.
func (c *Conn) Close() error { return errors.Join(c.Conn.Close(), c.db.Close()) }

// QuoteString quotes s as a SQL string literal.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// sqlList renders a list of SQL string literals.
func sqlList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = QuoteString(x)
	}
	return "[" + strings.Join(q, ", ") + "]::VARCHAR[]"
}

// DuckDBVersion is the version of the DuckDB library linked in.
func DuckDBVersion() string { return mapping.LibraryVersion() }

// PruneBroken removes all but the newest warehouse moved aside, which stays
// for diagnosis.
func PruneBroken(warehouse string) error {
	matches, err := filepath.Glob(warehouse + ".broken-*")
	if err != nil {
		return err
	}
	var bases []string
	for _, m := range matches {
		if !strings.HasSuffix(m, ".wal") {
			bases = append(bases, m)
		}
	}
	slices.Sort(bases)
	var errs []error
	for _, b := range bases[:max(len(bases)-1, 0)] {
		errs = append(errs, os.Remove(b))
		if err := os.Remove(b + ".wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
