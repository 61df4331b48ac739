package warehouse

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/renameio/v2"
	"github.com/heiststat/heiststat/pipeline/landing"
	"golang.org/x/sync/errgroup"
)

// The quarantine is a Go pass over every landed CSV and JSON file before
// DuckDB reads it. DuckDB's reader fails a whole load on one line with the
// wrong number of fields, an unterminated quote, mixed line endings or
// invalid UTF-8 (and its store_rejects option lets one unterminated quote
// swallow the rest of the file), so such a line is taken out here, with its
// line number, its text and the reason, and the rest of the file loads from
// a cleaned copy. The verdict is a function of the file's bytes and this
// checker: it is kept per file hash, so a file is scanned once.
//
//	<data_dir>/quarantine/<sha256>-<kind>[-<key>...].json  the verdict
//	<data_dir>/quarantine/<sha256><ext>   the cleaned copy, when one is needed

// quarantineVersion names the checker's rules: a verdict of another version
// is computed again.
const quarantineVersion = 1

// maxRejectText bounds the text of a rejected line kept in rejects.csv.
const maxRejectText = 200

// quarantinedLine is one line kept out of a load (Rejected) or a warning
// about a file that still loads (invalid UTF-8 replaced in a JSON file).
type quarantinedLine struct {
	Source   string `json:"-"`
	Feed     string `json:"-"`
	File     string `json:"-"`
	Line     int    `json:"line"`
	Reason   string `json:"reason"`
	Text     string `json:"text,omitempty"`
	Rejected bool   `json:"rejected"`
}

type verdict struct {
	Version int               `json:"version"`
	Cleaned bool              `json:"cleaned"`
	Lines   []quarantinedLine `json:"lines,omitempty"`
}

// checkSpec is how a raw model reads its files: kind is "csv",
// "csv_padded" (rows may have fewer fields than the first), "json", or ""
// (not checked); key names the fields that identify a record in a file,
// from the model's "-- quarantine key:" line: 1-based positions, names in
// the file's first line, or "line" for the whole line.
type checkSpec struct {
	kind string
	key  []string
}

var keyDirective = regexp.MustCompile(`(?m)^-- quarantine key: ([A-Za-z0-9_, ]+)\s*$`)

func specOf(models []Model, format string) checkSpec {
	for _, m := range models {
		if m.Layer != "raw" || m.Name != "raw_"+format {
			continue
		}
		var spec checkSpec
		switch {
		case strings.Contains(m.SQL, "read_csv(getvariable('files_"+format+"')"):
			spec.kind = "csv"
			if strings.Contains(m.SQL, "null_padding = true") {
				spec.kind = "csv_padded"
			}
		case strings.Contains(m.SQL, "read_json(getvariable('files_"+format+"')"):
			spec.kind = "json"
		}
		if d := keyDirective.FindStringSubmatch(m.SQL); d != nil {
			for _, f := range strings.Split(d[1], ",") {
				spec.key = append(spec.key, strings.TrimSpace(f))
			}
		}
		return spec
	}
	return checkSpec{}
}

// fileKind is how a raw model reads its files ("" if not checked).
func fileKind(models []Model, format string) string { return specOf(models, format).kind }

// quarantine checks the landed files of every source and returns the
// sources with each file that needed cleaning pointed at its cleaned copy,
// and the quarantined lines. The snapshots themselves are not changed.
func quarantine(extracted []landing.Extracted, models []Model, dir string) ([]landing.Extracted, []quarantinedLine, error) {
	out := make([]landing.Extracted, len(extracted))
	copy(out, extracted)
	type job struct{ e, f int }
	var jobs []job
	for i, e := range out {
		if e.Snapshot == nil {
			continue
		}
		snap := *e.Snapshot
		snap.Files = append([]landing.LandedFile(nil), e.Snapshot.Files...)
		out[i].Snapshot = &snap
		for j, f := range snap.Files {
			if f.Format != "" && fileKind(models, f.Format) != "" {
				jobs = append(jobs, job{i, j})
			}
		}
	}
	if len(jobs) == 0 {
		return out, nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	verdicts := make([]*verdict, len(jobs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k, jb := range jobs {
		g.Go(func() error {
			f := out[jb.e].Snapshot.Files[jb.f]
			v, err := checkFile(f, specOf(models, f.Format), dir)
			if err != nil {
				return fmt.Errorf("quarantine %s of %s: %w", f.Name, out[jb.e].Source.Name(), err)
			}
			verdicts[k] = v
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var lines []quarantinedLine
	for k, jb := range jobs {
		e := out[jb.e]
		f := &e.Snapshot.Files[jb.f]
		v := verdicts[k]
		if v.Cleaned {
			f.Path = filepath.Join(dir, f.SHA256+strings.ToLower(filepath.Ext(f.Name)))
		}
		for _, l := range v.Lines {
			l.Source, l.Feed, l.File = e.Source.Name(), f.Format, f.Name
			lines = append(lines, l)
		}
	}
	return out, lines, nil
}

// checkFile returns the file's verdict, from the cache or by scanning it
// (writing the cleaned copy when one is needed).
func checkFile(f landing.LandedFile, spec checkSpec, dir string) (*verdict, error) {
	// The verdict depends on the bytes, the rules and the model's key.
	vpath := filepath.Join(dir, strings.Join(append([]string{f.SHA256, spec.kind}, spec.key...), "-")+".json")
	cleaned := filepath.Join(dir, f.SHA256+strings.ToLower(filepath.Ext(f.Name)))
	if b, err := os.ReadFile(vpath); err == nil {
		var v verdict
		if json.Unmarshal(b, &v) == nil && v.Version == quarantineVersion {
			if _, err := os.Stat(cleaned); !v.Cleaned || err == nil {
				return &v, nil
			}
		}
	}
	data, err := f.Read()
	if err != nil {
		return nil, err
	}
	var (
		v     = &verdict{Version: quarantineVersion}
		clean []byte
	)
	if spec.kind == "json" {
		clean, v.Lines = checkJSON(data)
	} else {
		clean, v.Lines = checkCSV(data, spec.kind == "csv_padded", spec.key)
	}
	if clean != nil {
		v.Cleaned = true
		if err := renameio.WriteFile(cleaned, clean, 0o644); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return v, renameio.WriteFile(vpath, b, 0o644)
}

// checkJSON replaces invalid UTF-8 with U+FFFD: a JSON file is one
// document, so its records cannot be cut apart here; the replaced text
// reaches staging, and the release notes the file and line.
func checkJSON(data []byte) ([]byte, []quarantinedLine) {
	if utf8.Valid(data) {
		return nil, nil
	}
	var lines []quarantinedLine
	line := 1
	for rest := data; len(rest) > 0; {
		r, size := utf8.DecodeRune(rest)
		if r == utf8.RuneError && size <= 1 {
			lines = append(lines, quarantinedLine{Line: line, Reason: "invalid UTF-8 replaced with U+FFFD"})
			break // one note per file: the count follows from the copy
		}
		if r == '\n' {
			line++
		}
		rest = rest[size:]
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD")), lines
}

// checkCSV splits data into RFC 4180 records (quoted fields may hold line
// breaks; a quote inside a quoted field is doubled) and rejects each record
// that is not valid UTF-8, has a stray or unterminated quote, has another
// number of fields than the first record (more than it when padded), or
// repeats the key of an earlier good record (the first is kept). It
// returns nil when every record is good and the line endings agree, and
// otherwise the good records with \n line endings.
func checkCSV(data []byte, padded bool, key []string) ([]byte, []quarantinedLine) {
	recs, mixed := scanCSV(data, padded, key, false)
	if len(recs) == 0 && !mixed {
		return nil, nil
	}
	// Rare: a second pass keeps every record to write the cleaned copy.
	recs, _ = scanCSV(data, padded, key, true)
	var (
		out   bytes.Buffer
		lines []quarantinedLine
	)
	for _, r := range recs {
		if r.reason != "" {
			text := strings.ToValidUTF8(string(data[r.start:r.end]), "\uFFFD")
			if len(text) > maxRejectText {
				text = strings.ToValidUTF8(text[:maxRejectText], "") + "…"
			}
			reason := "malformed line: " + r.reason
			if strings.HasPrefix(r.reason, "duplicate") {
				reason = r.reason
			}
			lines = append(lines, quarantinedLine{Line: r.line, Reason: reason, Text: text, Rejected: true})
		}
	}
	out.Grow(len(data))
	for _, r := range recs {
		if r.reason == "" && r.end > r.start {
			out.Write(data[r.start:r.end])
			out.WriteByte('\n')
		}
	}
	return out.Bytes(), lines
}

// csvRecord is one record of a CSV file: data[start:end] without its line
// ending, and why it is rejected (empty: kept).
type csvRecord struct {
	start, end int // data[start:end] without the line ending
	next       int // where the next record starts
	line       int
	fields     int
	reason     string
}

// scanCSV splits data into records and checks each (see checkCSV); it
// returns the rejected records, or all of them when keepAll, and whether
// the line endings are mixed.
func scanCSV(data []byte, padded bool, key []string, keepAll bool) ([]csvRecord, bool) {
	var (
		recs       []csvRecord
		crlf, lf   bool
		pos, line  = 0, 1
		wantFields = -1
		seen       map[string]int
		cols       []int
	)
	if len(key) > 0 {
		// Sized once for every line: price files have millions.
		seen = make(map[string]int, bytes.Count(data, []byte("\n"))+1)
	}
	// A byte order mark is not part of the first field (and is dropped
	// from a cleaned copy).
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		pos = 3
	}
	for pos < len(data) {
		r := csvRecord{start: pos, line: line, fields: 1}
		inQuote, fieldStart := false, true
		i := pos
		// A line without quotes is one record: its fields are its commas
		// plus one, counted without the byte loop below.
		end := bytes.IndexByte(data[pos:], '\n')
		if end < 0 {
			end = len(data) - pos
		}
		if bytes.IndexByte(data[pos:pos+end], '"') < 0 {
			r.fields += bytes.Count(data[pos:pos+end], []byte(","))
			i = pos + end
		}
	scan:
		for ; i < len(data); i++ {
			c := data[i]
			switch {
			case inQuote && c == '"' && i+1 < len(data) && data[i+1] == '"':
				i++
			case inQuote && c == '"':
				inQuote = false
				if i+1 < len(data) && !bytes.ContainsRune([]byte(",\r\n"), rune(data[i+1])) && r.reason == "" {
					r.reason = "text after a closing quote"
				}
			case inQuote && c == '\n':
				line++
			case inQuote:
			case c == '"' && fieldStart:
				inQuote = true
			case c == '"' && r.reason == "":
				r.reason = "quote inside an unquoted field"
			case c == ',':
				r.fields++
				fieldStart = true
				continue
			case c == '\n':
				break scan
			}
			fieldStart = false
		}
		if inQuote || (r.reason != "" && line > r.line) {
			// A quote left open, or closed on a later line by what is
			// really another record: only the record's first line is
			// rejected, and the scan resumes on the next one.
			nl := bytes.IndexByte(data[pos:], '\n')
			if nl < 0 {
				nl = len(data) - pos
			}
			r.end, r.next, r.reason = pos+nl, min(pos+nl+1, len(data)), "unterminated quote"
			line = r.line + 1
		} else {
			r.end, r.next = i, min(i+1, len(data))
			if i < len(data) {
				if r.end > r.start && data[r.end-1] == '\r' {
					r.end--
					crlf = true
				} else {
					lf = true
				}
			}
			line++
		}
		pos = r.next
		text := data[r.start:r.end]
		if len(text) == 0 {
			if keepAll {
				recs = append(recs, r) // an empty line is no record
			}
			continue
		}
		if r.reason == "" && !utf8.Valid(text) {
			r.reason = "invalid UTF-8"
		}
		if r.reason == "" {
			if wantFields < 0 {
				wantFields = r.fields
				cols = keyColumns(text, key)
			} else if r.fields > wantFields || (r.fields < wantFields && !padded) {
				r.reason = fmt.Sprintf("%d fields, expected %d", r.fields, wantFields)
			}
		}
		if r.reason == "" && len(cols) > 0 {
			if k, ok := recordKey(text, cols); ok {
				if first, dup := seen[k]; dup {
					r.reason = fmt.Sprintf("duplicate of line %d", first)
				} else {
					seen[k] = r.line
				}
			}
		}
		if keepAll || r.reason != "" {
			recs = append(recs, r)
		}
	}
	return recs, crlf && lf
}

// registerQuarantined writes the quarantined lines for the models
// (stg_load__rejects) and the release notes.
func registerQuarantined(ctx context.Context, conn *sql.Conn, lines []quarantinedLine) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TABLE meta_quarantined_lines (
		source VARCHAR, feed VARCHAR, file_name VARCHAR, line BIGINT, reason VARCHAR, text VARCHAR, rejected BOOLEAN)`); err != nil {
		return err
	}
	const batch = 500
	for i := 0; i < len(lines); i += batch {
		chunk := lines[i:min(i+batch, len(lines))]
		rows := make([]string, len(chunk))
		args := make([]any, 0, 7*len(chunk))
		for j, l := range chunk {
			rows[j] = "(?, ?, ?, ?, ?, ?, ?)"
			args = append(args, l.Source, l.Feed, l.File, l.Line, l.Reason, l.Text, l.Rejected)
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO meta_quarantined_lines VALUES "+strings.Join(rows, ", "), args...); err != nil {
			return err
		}
	}
	return nil
}

// logQuarantined logs the first quarantined lines and how many there are.
func logQuarantined(log *slog.Logger, lines []quarantinedLine) {
	for i, l := range lines {
		if i == 5 {
			log.Warn("more lines quarantined: see csv/rejects.csv", "stage", "load", "lines", len(lines))
			return
		}
		log.Warn("line quarantined", "stage", "load", "source", l.Source, "file", l.File, "line", l.Line, "reason", l.Reason)
	}
}

// keyColumns resolves a key against a file's first record: 1-based field
// positions ([0] for the whole line); nil (no key check) when a named field
// is not there.
func keyColumns(first []byte, key []string) []int {
	var cols []int
	for _, k := range key {
		if k == "line" {
			return []int{0}
		}
		if n, err := strconv.Atoi(k); err == nil {
			cols = append(cols, n)
			continue
		}
		i := slices.Index(splitFields(first), k)
		if i < 0 {
			return nil
		}
		cols = append(cols, i+1)
	}
	return cols
}

// splitFields splits one well-formed record into its fields (nil if it
// does not parse).
func splitFields(text []byte) []string {
	if bytes.IndexByte(text, '"') < 0 {
		return strings.Split(string(text), ",")
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	fields, _ := r.Read()
	return fields
}

// recordKey is the key fields of one well-formed record (the whole line for
// key [0]); false when a key field is empty (staging rejects such a record
// for what it lacks).
func recordKey(text []byte, key []int) (string, bool) {
	if len(key) == 1 && key[0] == 0 {
		return string(text), true
	}
	// The common case, one unquoted field (a date), without splitting the
	// whole record: price files are millions of lines.
	if len(key) == 1 && bytes.IndexByte(text, '"') < 0 {
		f := text
		for range key[0] - 1 {
			i := bytes.IndexByte(f, ',')
			if i < 0 {
				return "", false
			}
			f = f[i+1:]
		}
		if i := bytes.IndexByte(f, ','); i >= 0 {
			f = f[:i]
		}
		f = bytes.TrimSpace(f)
		return string(f), len(f) > 0
	}
	fields := splitFields(text)
	parts := make([]string, len(key))
	for i, k := range key {
		if k > len(fields) || strings.TrimSpace(fields[k-1]) == "" {
			return "", false
		}
		parts[i] = strings.TrimSpace(fields[k-1])
	}
	return strings.Join(parts, "\x00"), true
}
