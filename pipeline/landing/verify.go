package landing

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Verify checks that nothing half-written ever landed: every snapshot
// record reads, every object verifies against its hash and belongs to a
// record, every recorded HTTP body exists, and no temporary file is left.
func (l *Landing) Verify() error {
	srcDirs, err := os.ReadDir(l.Root)
	if err != nil {
		return err
	}
	var errs []error
	for _, sd := range srcDirs {
		source := sd.Name()
		referenced := map[string]bool{}
		records, _ := filepath.Glob(filepath.Join(l.dir(source), "snapshots", "*"))
		for _, rec := range records {
			snap, err := l.readSnapshot(source, rec)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", rec, err))
				continue
			}
			for _, f := range snap.Files {
				referenced[f.SHA256] = true
			}
			for _, r := range snap.Responses {
				referenced[r.SHA256] = true
				if _, err := l.archivedBody(source)(r.SHA256); err != nil {
					errs = append(errs, fmt.Errorf("response body of %s in %s: %w", r.URL, rec, err))
				}
			}
		}
		objects, _ := filepath.Glob(filepath.Join(l.dir(source), "objects", "*"))
		for _, o := range objects {
			sum, _, _ := strings.Cut(filepath.Base(o), ".")
			if _, err := hex.DecodeString(sum); err != nil {
				errs = append(errs, fmt.Errorf("%s: not named by a hash", o))
				continue
			}
			if !referenced[sum] {
				errs = append(errs, fmt.Errorf("object %s has no snapshot record", o))
			}
			if _, err := readObject(o, sum); err != nil {
				errs = append(errs, err)
			}
		}
	}
	errs = append(errs, filepath.WalkDir(l.Root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".") {
			err = fmt.Errorf("temporary file left: %s", p)
		}
		return err
	}))
	return errors.Join(errs...)
}
