package landing

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Retention (docs/operations.md): every run lands a snapshot record per
// fetched source, and a damaged warehouse is moved aside rather than
// deleted. After a publish, while the data folder is locked, each source
// keeps its newest keep_releases+1 snapshot records (one more than the
// releases kept, so the oldest kept release's inputs are still there to
// fall back to) and its newest usable one; objects and quarantine verdicts
// that no kept record points to are removed (warehouse.PruneBroken keeps
// the newest warehouse moved aside).

// Prune applies the retention to the landing zone of the named sources and
// to the quarantine folder.
func (l *Landing) Prune(quarantineDir string, names []string, keep int) error {
	var errs []error
	referenced := map[string]bool{}
	for _, name := range names {
		refs, err := l.prune(name, keep)
		errs = append(errs, err)
		for sum := range refs {
			referenced[sum] = true
		}
	}
	if err := errors.Join(errs...); err != nil {
		// Without every source's references the quarantine cannot be pruned safely.
		return err
	}
	entries, err := os.ReadDir(quarantineDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		sum := e.Name()[:min(64, len(e.Name()))]
		if !referenced[sum] {
			errs = append(errs, os.Remove(filepath.Join(quarantineDir, e.Name())))
		}
	}
	return errors.Join(errs...)
}

// prune removes one source's snapshot records (and unusable marks) beyond
// the retention, then its objects no kept record points to, and returns
// the hashes the kept records point to.
func (l *Landing) prune(source string, keep int) (map[string]bool, error) {
	dir := filepath.Join(l.dir(source), "snapshots")
	names, err := records(dir)
	if err != nil {
		return nil, err
	}
	unusable, err := l.Unusable(source)
	if err != nil {
		return nil, err
	}
	isUnusable := func(n string) bool {
		return slices.ContainsFunc(unusable, func(u Unusable) bool { return u.Snapshot == n })
	}
	kept := map[string]bool{}
	for i := len(names) - 1; i >= 0 && len(names)-i <= keep; i-- {
		kept[names[i]] = true
	}
	for i := len(names) - 1; i >= 0; i-- {
		if !isUnusable(names[i]) {
			kept[names[i]] = true
			break
		}
	}
	referenced := map[string]bool{}
	var errs []error
	for _, n := range names {
		if !kept[n] {
			errs = append(errs, os.Remove(filepath.Join(dir, n)))
			if err := os.Remove(filepath.Join(l.dir(source), "unusable", n)); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		snap, err := l.readRecord(filepath.Join(dir, n))
		if err != nil {
			// An unreadable record keeps every object: nothing is known unused.
			return nil, errors.Join(append(errs, err)...)
		}
		for _, f := range snap.Files {
			referenced[f.SHA256] = true
		}
		for _, r := range snap.Responses {
			referenced[r.SHA256] = true
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	objects := filepath.Join(l.dir(source), "objects")
	entries, err := os.ReadDir(objects)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		// Temporary files of an object being written start with a dot.
		sum, _, _ := strings.Cut(e.Name(), ".")
		if sum != "" && !referenced[sum] {
			errs = append(errs, os.Remove(filepath.Join(objects, e.Name())))
		}
	}
	return referenced, errors.Join(errs...)
}

// readRecord reads a snapshot record without checking its objects.
func (l *Landing) readRecord(path string) (*Snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var snap Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &snap, nil
}
