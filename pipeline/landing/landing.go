package landing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/renameio/v2"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sync/errgroup"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// Landing is the immutable landing zone and raw archive: bytes stored
// zstd-compressed under the sha256 of their uncompressed content, plus one
// snapshot record per successful fetch. A snapshot record is written only
// after all its objects are in place (each written atomically), so a crash
// never leaves a snapshot that points at missing or partial bytes. DuckDB
// reads the .zst objects directly.
//
//	<data_dir>/landing/<source>/objects/<sha256><ext>.zst   files and raw HTTP bodies
//	<data_dir>/landing/<source>/snapshots/<fetched_at>.json one record per good fetch
//	<data_dir>/landing/<source>/bundled/<sha256><ext>.zst   bundled facts used as a fallback
//	<data_dir>/landing/<source>/last_attempt.json           outcome of the latest fetch
//	<data_dir>/landing/<source>/unusable/<record name>      a snapshot a run could not load, and why
type Landing struct{ Root string }

// Snapshot describes the files of one fetch of one source.
type Snapshot struct {
	Source string `json:"source"`
	Type   string `json:"type"`
	// Location is as configured: an API key is a placeholder there, never the key.
	Location  string    `json:"location"`
	FetchedAt time.Time `json:"fetched_at"`
	// NotModified means the feed answered 304 to every request: the bytes are
	// the previous snapshot's, verified unchanged at FetchedAt.
	NotModified bool         `json:"not_modified,omitempty"`
	Files       []LandedFile `json:"files"`
	// Responses are the HTTP responses the files came from (URLs redacted).
	Responses []fetch.Response `json:"responses,omitempty"`
	// CheckedBy is the hash of the binary whose input checks passed these
	// files: an unchanged local file is only taken without reading it when
	// the same checks would run again (a stricter release re-checks it).
	CheckedBy string `json:"checked_by,omitempty"`
}

// LandedFile is one file of a snapshot.
type LandedFile struct {
	Name   string `json:"name"`
	Format string `json:"format,omitempty"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	// StoredBytes is the compressed size on disk.
	StoredBytes int64 `json:"stored_bytes,omitempty"`
	// SourceStat identifies the local file the bytes were read from, so the
	// next fetch can recognise it unchanged without reading it.
	SourceStat *fetch.FileStat `json:"source_stat,omitempty"`
	// ObjectStat identifies the object file as written and verified. Objects
	// are immutable and only ever written by Store (atomically), so one whose
	// FileStat is still this is not decompressed and hashed again by Latest,
	// which was most of a no-change run. Any write to it, even one that restores its times,
	// moves its change time; silent bit rot is still caught by the frame
	// checksum of zstd when DuckDB reads it.
	ObjectStat *fetch.FileStat `json:"object_stat,omitempty"`
	// Path is where the bytes are; derived from the hash, so not stored.
	Path string `json:"-"`
}

// Bytes is the total size of the snapshot's files.
func (s *Snapshot) Bytes() int64 {
	var n int64
	for _, f := range s.Files {
		n += f.Bytes
	}
	return n
}

// FetchDay is the UTC day of the fetch: staging rejects records dated after it.
func (s *Snapshot) FetchDay() string { return s.FetchedAt.UTC().Format(time.DateOnly) }

func (l *Landing) dir(source string) string { return filepath.Join(l.Root, source) }

func (l *Landing) objectPath(source, folder, sum, name string) string {
	return filepath.Join(l.dir(source), folder, sum+strings.ToLower(filepath.Ext(name))+".zst")
}

// reusable maps the stat of each local file in prev to its sha256: a file
// whose stat is unchanged is not read or hashed again. Only the binary
// whose checks passed those files may skip them (a newer binary may check
// more), and only files stored as ordinary objects count.
func (l *Landing) reusable(prev *Snapshot) map[fetch.FileStat]string {
	known := map[fetch.FileStat]string{}
	if bin, err := BinaryHash(); err != nil || prev.CheckedBy != bin {
		return known
	}
	for _, f := range prev.Files {
		if f.SourceStat != nil && f.Path == l.objectPath(prev.Source, "objects", f.SHA256, f.Name) {
			known[*f.SourceStat] = f.SHA256
		}
	}
	return known
}

// Store writes the files (and the raw HTTP bodies of ex, when given) as
// objects and, when record is true, a snapshot record for them. Bundled
// fallbacks are stored apart and without a record, so they are never
// mistaken for an archived fetch later. prev (nil if none) is the source's
// latest good snapshot, whose objects Latest has just verified: they are not
// read back again, and a file given by its SHA256 only must be one of them.
func (l *Landing) Store(src feed.Source, files []feed.File, ex *fetch.Exchange, prev *Snapshot, fetchedAt time.Time, record bool) (*Snapshot, error) {
	folder := "objects"
	if !record {
		folder = "bundled"
	}
	snap := &Snapshot{Source: src.Name(), Type: src.Type(), Location: fetch.Redact(src.Location()), FetchedAt: fetchedAt.UTC()}
	if bin, err := BinaryHash(); err == nil {
		snap.CheckedBy = bin
	}
	stored := map[string]bool{}
	// Compression is most of the landing's cost, so the files are hashed and
	// written on every core; the record lists them in the source's order.
	snap.Files = make([]LandedFile, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	verified := map[string]LandedFile{}
	if prev != nil {
		for _, f := range prev.Files {
			verified[f.SHA256] = f
		}
	}
	unsynced := make([]bool, len(files))
	for i, f := range files {
		g.Go(func() error {
			if f.Data == nil && f.SHA256 != "" {
				old, ok := verified[f.SHA256]
				if !ok || old.Path != l.objectPath(src.Name(), folder, f.SHA256, f.Name) {
					return fmt.Errorf("%s: unchanged file is not an object of the last good snapshot", f.Name)
				}
				snap.Files[i] = LandedFile{Name: f.Name, Format: f.Format, SHA256: f.SHA256, Bytes: old.Bytes, StoredBytes: old.StoredBytes, SourceStat: f.Stat, Path: old.Path, ObjectStat: objectStat(old.Path)}
				return nil
			}
			sum := sha256.Sum256(f.Data)
			hexSum := hex.EncodeToString(sum[:])
			p := l.objectPath(src.Name(), folder, hexSum, f.Name)
			var n int64
			if old, ok := verified[hexSum]; ok && old.Path == p && old.StoredBytes > 0 {
				n = old.StoredBytes
			} else {
				var err error
				if n, err = writeObject(p, hexSum, f.Data); err != nil {
					return err
				}
				unsynced[i] = true
			}
			snap.Files[i] = LandedFile{Name: f.Name, Format: f.Format, SHA256: hexSum, Bytes: int64(len(f.Data)), StoredBytes: n, SourceStat: f.Stat, Path: p, ObjectStat: objectStat(p)}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var toSync []string
	for i, f := range snap.Files {
		stored[f.SHA256] = true
		if unsynced[i] {
			toSync = append(toSync, f.Path)
		}
	}
	if ex != nil {
		snap.Responses = ex.Responses()
		snap.NotModified = ex.NotModified()
		for _, r := range snap.Responses {
			body := ex.Body(r.SHA256)
			if stored[r.SHA256] || body == nil {
				continue // already an object, or a 304 reusing an archived body
			}
			p := l.objectPath(src.Name(), folder, r.SHA256, "")
			if _, err := writeObject(p, r.SHA256, body); err != nil {
				return nil, err
			}
			toSync = append(toSync, p)
			stored[r.SHA256] = true
		}
	}
	if err := syncObjects(toSync); err != nil {
		return nil, err
	}
	if !record {
		return snap, nil
	}
	b, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(l.dir(src.Name()), "snapshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := renameio.WriteFile(filepath.Join(dir, recordName(snap)), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return snap, nil
}

var (
	// The fastest level: landing is on the critical path of every run, and
	// on price CSVs the default level saves 3% of the bytes for 50% more time.
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	zdec, _ = zstd.NewReader(nil)
	zbufs   = sync.Pool{New: func() any { return new([]byte) }}
)

// writeObject compresses content-addressed bytes once, atomically (a
// temporary file renamed into place), and returns the stored size; an
// existing object whose bytes no longer match its name (disk corruption) is
// rewritten. The caller makes the object durable with syncObjects before
// any record points at it, also when it already existed: a process killed
// between an object's rename and its sync may have left it only in the page
// cache.
func writeObject(p, sum string, data []byte) (int64, error) {
	if _, err := readObject(p, sum); err == nil {
		st, err := os.Stat(p)
		if err != nil {
			return 0, err
		}
		return st.Size(), nil
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	// The compressed bytes only live until written: reusing their buffers
	// lowers the fetch's peak RSS.
	zb := zbufs.Get().(*[]byte)
	defer zbufs.Put(zb)
	z := zenc.EncodeAll(data, (*zb)[:0])
	*zb = z
	f, err := os.CreateTemp(dir, "."+filepath.Base(p)+".tmp")
	if err != nil {
		return 0, err
	}
	_, err = f.Write(z)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return 0, err
	}
	return int64(len(z)), nil
}

// syncObjects makes written objects and their folder entries durable. One
// fsync per object as it was written (renameio) stalled the next files'
// creation behind each journal commit. Synced together after all are written, the first commit
// carries them all and the others find little left to do. Until then no
// record points at them, and an object left torn by a crash fails its hash
// and is rewritten by the next fetch.
func syncObjects(paths []string) error {
	var dirs []string
	for _, p := range paths {
		if d := filepath.Dir(p); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return output.Fsync(paths, dirs)
}

// objectStat is the FileStat of an object just written or verified (nil if
// it cannot be taken: the object is then verified by its hash every time).
func objectStat(p string) *fetch.FileStat {
	if st, ok := fetch.StatFile(p); ok {
		return &st
	}
	return nil
}

// Read returns the file's bytes, checked against its hash.
func (f LandedFile) Read() ([]byte, error) { return readObject(f.Path, f.SHA256) }

// readObject decompresses an object and checks it against its hash.
func readObject(p, want string) ([]byte, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(p, ".zst") {
		if b, err = zdec.DecodeAll(b, nil); err != nil {
			return nil, fmt.Errorf("corrupt: %s: %w", filepath.Base(p), err)
		}
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		return nil, fmt.Errorf("corrupt: %s: sha256 is %s, recorded %s", filepath.Base(p), got[:12], want[:12])
	}
	return b, nil
}

// archivedBody returns a source's archived object by the hash of its bytes,
// whatever its extension, for answering a 304.
func (l *Landing) archivedBody(source string) func(string) ([]byte, error) {
	return func(sum string) ([]byte, error) {
		matches, _ := filepath.Glob(filepath.Join(l.dir(source), "objects", sum+"*.zst"))
		err := fmt.Errorf("no archived object %s", sum[:min(12, len(sum))])
		for _, m := range matches {
			var b []byte
			if b, err = readObject(m, sum); err == nil {
				return b, nil
			}
		}
		return nil, err
	}
}

// Attempt is the outcome of the latest fetch of a source (last_attempt.json),
// for `heiststat sources`.
type Attempt struct {
	At          time.Time `json:"at"`
	OK          bool      `json:"ok"`
	NotModified bool      `json:"not_modified,omitempty"`
	// Error is redacted: API keys never reach the archive.
	Error string `json:"error,omitempty"`
}

func (l *Landing) recordAttempt(source string, a Attempt) error {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(l.dir(source), 0o755); err != nil {
		return err
	}
	return renameio.WriteFile(filepath.Join(l.dir(source), "last_attempt.json"), append(b, '\n'), 0o644)
}

// LastAttempt reads the outcome of the latest fetch of a source (nil if none).
func (l *Landing) LastAttempt(source string) (*Attempt, error) {
	b, err := os.ReadFile(filepath.Join(l.dir(source), "last_attempt.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var a Attempt
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("last_attempt.json of %s: %w", source, err)
	}
	return &a, nil
}

// recordName is the file name of a snapshot's record.
func recordName(snap *Snapshot) string {
	return snap.FetchedAt.UTC().Format("20060102T150405.000000000Z") + ".json"
}

// Unusable marks a landed snapshot that could not be loaded: its bytes
// passed the fetch checks but DuckDB could not read them. Later runs skip
// it, and `heiststat sources` lists it with the reason.
//
//	<data_dir>/landing/<source>/unusable/<snapshot record name>
type Unusable struct {
	Snapshot  string    `json:"snapshot"`
	FetchedAt time.Time `json:"fetched_at"`
	Reason    string    `json:"reason"`
	MarkedAt  time.Time `json:"marked_at"`
}

// MarkUnusable records that a snapshot cannot be loaded, and why.
func (l *Landing) MarkUnusable(snap *Snapshot, reason string, at time.Time) error {
	u := Unusable{Snapshot: recordName(snap), FetchedAt: snap.FetchedAt, Reason: fetch.Redact(reason), MarkedAt: at.UTC()}
	b, err := json.MarshalIndent(u, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Join(l.dir(snap.Source), "unusable")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return renameio.WriteFile(filepath.Join(dir, u.Snapshot), append(b, '\n'), 0o644)
}

// Unusable lists the snapshots of a source marked unusable, oldest first.
func (l *Landing) Unusable(source string) ([]Unusable, error) {
	dir := filepath.Join(l.dir(source), "unusable")
	names, err := records(dir)
	if err != nil {
		return nil, err
	}
	var out []Unusable
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		var u Unusable
		if err := json.Unmarshal(b, &u); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, n), err)
		}
		u.Snapshot = n
		out = append(out, u)
	}
	return out, nil
}

// records lists the .json records in dir, oldest first (their names start
// with the time); none when dir does not exist.
func records(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// ErrNoArchive means a source has never landed a good snapshot.
var ErrNoArchive = errors.New("no archived snapshot")

// Latest returns the newest snapshot of a source whose files are all present
// and match their hashes. Corrupt or incomplete snapshots are skipped; each
// skip is described in the returned notes.
func (l *Landing) Latest(source string) (*Snapshot, []string, error) {
	dir := filepath.Join(l.dir(source), "snapshots")
	names, err := records(dir)
	if err != nil {
		return nil, nil, err
	}
	unusable, err := l.Unusable(source)
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	for i := len(names) - 1; i >= 0; i-- {
		if j := slices.IndexFunc(unusable, func(u Unusable) bool { return u.Snapshot == names[i] }); j >= 0 {
			notes = append(notes, fmt.Sprintf("skipping archived snapshot %s: marked unusable: %s", filepath.Join(dir, names[i]), unusable[j].Reason))
			continue
		}
		snap, err := l.readSnapshot(source, filepath.Join(dir, names[i]))
		if err != nil {
			notes = append(notes, fmt.Sprintf("skipping archived snapshot %s: %v (trying the next older one)", filepath.Join(dir, names[i]), err))
			continue
		}
		return snap, notes, nil
	}
	return nil, notes, ErrNoArchive
}

func (l *Landing) readSnapshot(source, path string) (*Snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var snap Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, fmt.Errorf("unreadable record: %w", err)
	}
	for i := range snap.Files {
		f := &snap.Files[i]
		f.Path = l.objectPath(source, "objects", f.SHA256, f.Name)
		if f.ObjectStat != nil {
			if st, ok := fetch.StatFile(f.Path); ok && st == *f.ObjectStat {
				continue
			}
		}
		_, err := readObject(f.Path, f.SHA256)
		if errors.Is(err, os.ErrNotExist) {
			// Archives written before compression hold plain objects.
			if _, lerr := readObject(strings.TrimSuffix(f.Path, ".zst"), f.SHA256); lerr == nil {
				f.Path, err = strings.TrimSuffix(f.Path, ".zst"), nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", f.Name, err)
		}
	}
	return &snap, nil
}
