package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/renameio/v2"

	"github.com/heiststat/heiststat/sources"
)

// Landing is the immutable landing zone: raw bytes stored by content hash,
// plus one snapshot record per successful fetch. A snapshot record is written
// only after all its files are in place, so a crash never leaves a snapshot
// that points at missing or partial bytes.
//
//	<data_dir>/landing/<source>/objects/<sha256><ext>
//	<data_dir>/landing/<source>/snapshots/<fetched_at>.json
type Landing struct{ Root string }

// Snapshot describes the files of one fetch of one source.
type Snapshot struct {
	Source    string       `json:"source"`
	Type      string       `json:"type"`
	Location  string       `json:"location"`
	FetchedAt time.Time    `json:"fetched_at"`
	Files     []LandedFile `json:"files"`
}

// LandedFile is one file of a snapshot.
type LandedFile struct {
	Name   string `json:"name"`
	Format string `json:"format,omitempty"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
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

func (l *Landing) dir(source string) string { return filepath.Join(l.Root, source) }

func (l *Landing) objectPath(source, sum, name string) string {
	return filepath.Join(l.dir(source), "objects", sum+strings.ToLower(filepath.Ext(name)))
}

// Store writes the files as objects and, when record is true, a snapshot
// record for them. Bundled fallbacks are stored without a record, so they are
// never mistaken for an archived fetch later.
func (l *Landing) Store(src sources.Source, files []sources.File, fetchedAt time.Time, record bool) (*Snapshot, error) {
	snap := &Snapshot{Source: src.Name(), Type: src.Type(), Location: src.Location(), FetchedAt: fetchedAt.UTC()}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		hexSum := hex.EncodeToString(sum[:])
		p := l.objectPath(src.Name(), hexSum, f.Name)
		if err := writeObject(p, hexSum, f.Data); err != nil {
			return nil, err
		}
		snap.Files = append(snap.Files, LandedFile{Name: f.Name, Format: f.Format, SHA256: hexSum, Bytes: int64(len(f.Data)), Path: p})
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
	name := snap.FetchedAt.Format("20060102T150405.000000000Z") + ".json"
	if err := renameio.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return snap, nil
}

// writeObject writes content-addressed bytes once, atomically; an existing
// object whose bytes no longer match its name (disk corruption) is rewritten.
func writeObject(p, sum string, data []byte) error {
	if verifyObject(p, sum) == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return renameio.WriteFile(p, data, 0o644)
}

// ErrNoArchive means a source has never landed a good snapshot.
var ErrNoArchive = errors.New("no archived snapshot")

// Latest returns the newest snapshot of a source whose files are all present
// and match their hashes. Corrupt or incomplete snapshots are skipped; each
// skip is described in the returned notes.
func (l *Landing) Latest(source string) (*Snapshot, []string, error) {
	dir := filepath.Join(l.dir(source), "snapshots")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, ErrNoArchive
	}
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	var notes []string
	for i := len(names) - 1; i >= 0; i-- {
		snap, err := l.readSnapshot(source, filepath.Join(dir, names[i]))
		if err != nil {
			notes = append(notes, fmt.Sprintf("skipping archived snapshot %s: %v", names[i], err))
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
		f.Path = l.objectPath(source, f.SHA256, f.Name)
		if err := verifyObject(f.Path, f.SHA256); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return &snap, nil
}

func verifyObject(p, want string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("corrupt: sha256 is %s, recorded %s", got[:12], want[:12])
	}
	return nil
}
