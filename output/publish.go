package output

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/renameio/v2"
	"golang.org/x/sync/errgroup"
)

// Publisher writes releases under Root:
//
//	<root>/releases/<run_id>/   one complete, immutable release
//	<root>/current -> releases/<run_id>
//
// A release is built in a hidden staging folder, read back and synced, then
// renamed into place, and only then does current move, by an atomic symlink
// swap. A reader of current never sees a half-written release.
type Publisher struct {
	Root string
	// Keep is how many releases to keep, current included.
	Keep int
}

// Current is the path readers use.
func (p *Publisher) Current() string { return filepath.Join(p.Root, "current") }

// Publish writes the datasets, SCHEMA.md and the manifest as release runID
// and makes it current. The caller holds the out_dir's one-writer lock.
func (p *Publisher) Publish(ctx context.Context, conn *sql.Conn, runID string, parquet, csv []Dataset, m *Manifest) (dir string, err error) {
	releases := filepath.Join(p.Root, "releases")
	final := filepath.Join(releases, runID)
	stage := filepath.Join(releases, "."+runID+".partial")
	if _, err := os.Stat(final); err == nil {
		return "", fmt.Errorf("release %s already exists", final)
	}
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(stage)
		}
	}()

	var files []PublishedFile
	for _, d := range parquet {
		rel := relPath("parquet", d.Name)
		stmt := fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet, COMPRESSION zstd, KV_METADATA {schema_version: '%s', generated_by: 'heiststat'})",
			d.Query(), quote(filepath.Join(stage, rel)), SchemaVersion)
		f, err := p.write(ctx, conn, stage, rel, d, stmt, parquetRows(ctx, conn))
		if err != nil {
			return "", err
		}
		files = append(files, f)
	}
	for _, d := range csv {
		rel := relPath("csv", d.Name)
		query, err := csvSafeQuery(ctx, conn, d)
		if err != nil {
			return "", err
		}
		// csvRecords counts these files' records assuming DuckDB's defaults
		// of \n line ends and quotes escaped by doubling: add no NEW_LINE or
		// ESCAPE option here without changing it.
		stmt := fmt.Sprintf("COPY (%s) TO %s (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')", query, quote(filepath.Join(stage, rel)))
		f, err := p.write(ctx, conn, stage, rel, d, stmt, nil)
		if err != nil {
			return "", err
		}
		files = append(files, f)
	}

	report, err := LoadReport(ctx, conn, m, csv)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	html, err := report.Render()
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	rf, err := writeFile(stage, "report.html", html)
	if err != nil {
		return "", err
	}
	files = append(files, rf)

	doc, err := SchemaDoc(ctx, conn, parquet, csv)
	if err != nil {
		return "", err
	}
	f, err := writeFile(stage, "SCHEMA.md", []byte(doc))
	if err != nil {
		return "", err
	}
	files = append(files, f)

	m.Files = files
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	if _, err := writeFile(stage, "manifest.json", append(b, '\n')); err != nil {
		return "", err
	}
	if err := syncTree(stage); err != nil {
		return "", fmt.Errorf("syncing release: %w", err)
	}
	if err := os.Rename(stage, final); err != nil {
		return "", err
	}
	if err := syncPath(releases); err != nil {
		return "", err
	}
	if err := renameio.Symlink(filepath.Join("releases", runID), p.Current()); err != nil {
		return "", fmt.Errorf("switching current to %s: %w", runID, err)
	}
	return final, p.prune(runID)
}

// write runs a COPY into the staging folder and reads the file back: a
// truncated or unreadable file, or a row count that differs from the table's,
// fails the publish before anything becomes current. A Parquet file's rows
// are counted from its footer (parquetRows); a CSV's records are counted in
// the pass that hashes it (csvRecords), not by DuckDB parsing it again.
func (p *Publisher) write(ctx context.Context, conn *sql.Conn, stage, rel string, d Dataset, copyStmt string, rows func(path string) (int64, error)) (PublishedFile, error) {
	path := filepath.Join(stage, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return PublishedFile{}, err
	}
	if _, err := conn.ExecContext(ctx, copyStmt); err != nil {
		return PublishedFile{}, fmt.Errorf("writing %s: %w", rel, err)
	}
	var want int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+d.Table).Scan(&want); err != nil {
		return PublishedFile{}, err
	}
	var csvRows csvRecords
	var f PublishedFile
	var err error
	if rows != nil {
		f, err = describeFile(stage, rel, io.Discard)
		if err == nil {
			f.Rows, err = rows(path)
		}
	} else {
		f, err = describeFile(stage, rel, &csvRows)
		// The header is a record too.
		f.Rows = csvRows.records - 1
	}
	if err != nil {
		return PublishedFile{}, fmt.Errorf("reading back %s: %w", rel, err)
	}
	if f.Rows != want {
		return PublishedFile{}, fmt.Errorf("reading back %s: %d rows, table %s has %d", rel, f.Rows, d.Table, want)
	}
	return f, nil
}

// parquetRows counts a Parquet file's rows, which DuckDB reads from the
// footer: a truncated file has none and fails.
func parquetRows(ctx context.Context, conn *sql.Conn) func(string) (int64, error) {
	return func(path string) (n int64, err error) {
		err = conn.QueryRowContext(ctx, "SELECT count(*) FROM read_parquet("+quote(path)+")").Scan(&n)
		return n, err
	}
}

// csvRecords counts the complete records of an RFC 4180 file written to it.
// A line break inside a quoted field is not a record's end; quotes come in
// pairs (an escaped quote is doubled), so a break is a record's end when the
// quotes before it are even. A record cut off by a truncated file has no
// break and is not counted.
type csvRecords struct{ quotes, records int64 }

func (c *csvRecords) Write(p []byte) (int, error) {
	n := len(p)
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.quotes += int64(bytes.Count(p, []byte{'"'}))
			return n, nil
		}
		c.quotes += int64(bytes.Count(p[:i], []byte{'"'}))
		if c.quotes%2 == 0 {
			c.records++
		}
		p = p[i+1:]
	}
}

func writeFile(stage, rel string, data []byte) (PublishedFile, error) {
	if err := os.WriteFile(filepath.Join(stage, rel), data, 0o644); err != nil {
		return PublishedFile{}, err
	}
	return describeFile(stage, rel, io.Discard)
}

// describeFile hashes a written file; also sees its bytes in the same pass.
func describeFile(stage, rel string, also io.Writer) (PublishedFile, error) {
	f, err := os.Open(filepath.Join(stage, rel))
	if err != nil {
		return PublishedFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(h, also), f)
	if err != nil {
		return PublishedFile{}, err
	}
	return PublishedFile{Path: rel, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// syncTree fsyncs every file and folder of a release, so that after a crash
// a renamed release is complete on disk, not just in the page cache.
func syncTree(root string) error {
	var files, dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, path)
		} else {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return Fsync(files, dirs)
}

// Fsync makes files durable, then the folders that name them. The files are
// synced concurrently: each fsync mostly waits for the disk, and waits that
// overlap share journal commits.
func Fsync(files, dirs []string) error {
	var g errgroup.Group
	g.SetLimit(8)
	for _, f := range files {
		g.Go(func() error { return syncPath(f) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, d := range dirs {
		if err := syncPath(d); err != nil {
			return err
		}
	}
	return nil
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// prune removes old releases beyond Keep and staging folders left by crashed
// runs. It runs only after current has moved, and never removes current.
func (p *Publisher) prune(current string) error {
	releases := filepath.Join(p.Root, "releases")
	entries, err := os.ReadDir(releases)
	if err != nil {
		return err
	}
	var ids []string
	var errs []error
	for _, e := range entries {
		switch {
		// A writer builds its .partial folder only while it holds the
		// out_dir lock, which the caller of Publish holds now: any other
		// one was left by a writer that is gone.
		case strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), ".partial"):
			errs = append(errs, os.RemoveAll(filepath.Join(releases, e.Name())))
		case e.IsDir() && e.Name() != current:
			ids = append(ids, e.Name())
		}
	}
	slices.Sort(ids)
	for len(ids) > p.Keep-1 {
		errs = append(errs, os.RemoveAll(filepath.Join(releases, ids[0])))
		ids = ids[1:]
	}
	return errors.Join(errs...)
}

func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
