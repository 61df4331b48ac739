//go:build duckdb_arrow

package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/klauspost/compress/zstd"

	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/sources/ofac"
)

// arrowBatchRows is the Arrow record batch size for Go-parsed feeds.
const arrowBatchRows = 4096

// registerArrowFeeds parses the landed files DuckDB cannot read itself (OFAC
// sdn_advanced.xml) and registers them as the Arrow view the raw model reads
// (arrow_<format>). A format with no files registers an empty view, so the
// raw model always has its columns. The returned release must be called once
// the models are built.
func registerArrowFeeds(ctx context.Context, conn *sql.Conn, extracted []landing.Extracted) (release func(), err error) {
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for _, e := range extracted {
		if e.Snapshot == nil {
			continue
		}
		for _, f := range e.Snapshot.Files {
			if f.Format != "ofac_sdn_advanced" {
				continue
			}
			b, err := ofacBatches(f.Path)
			if err != nil {
				return nil, fmt.Errorf("source %s: %s: %w", e.Source.Name(), f.Name, err)
			}
			recs = append(recs, b...)
		}
	}
	rr, err := array.NewRecordReader(ofac.AdvancedSchema, recs)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		release, err = ar.RegisterView(rr, "arrow_ofac_sdn_advanced")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("registering arrow_ofac_sdn_advanced: %w", err)
	}
	return release, nil
}

// ofacBatches streams one landed sdn_advanced.xml from disk into Arrow batches.
func ofacBatches(path string) ([]arrow.RecordBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".zst") {
		// Archived objects are zstd-compressed: decompress as a stream, never
		// holding the whole document in memory.
		zr, err := zstd.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	return ofac.AdvancedBatches(r, path, arrowBatchRows)
}
