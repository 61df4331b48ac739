package fetch

import (
	"path/filepath"
	"time"
)

// FileStat identifies one version of a local file the way git's index does:
// a file whose path, size, modification and change times (ns), device and inode are
// those it had when its bytes were landed is taken as unchanged, and is not
// read and hashed again.
// Rewriting a file always moves its change time, even when the modification
// time is set back.
type FileStat struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	MtimeNs int64  `json:"mtime_ns"`
	CtimeNs int64  `json:"ctime_ns"`
	Inode   uint64 `json:"inode"`
	Dev     uint64 `json:"dev"`
}

// statSettle (a variable for tests) is how long a file must have been left alone before its
// FileStat is recorded. It handles git's "racy" case: a file rewritten within
// the file system's timestamp granularity of the read could keep its size
// and times; one untouched for longer gets newer times on any later write.
var statSettle = 2 * time.Second

// settledStat returns the FileStat of p when it did not change while it was
// read (before is its stat from before the read, started at readStart) and
// had not changed for statSettle before that; otherwise nil, and the file is
// read again next time.
func settledStat(p string, before FileStat, readStart time.Time) *FileStat {
	limit := readStart.Add(-statSettle).UnixNano()
	if before.MtimeNs >= limit || before.CtimeNs >= limit {
		return nil
	}
	if after, ok := StatFile(p); !ok || after != before {
		return nil
	}
	return &before
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
