package fetch

import (
	"os"
	"syscall"
)

// StatFile returns the FileStat of a local file; ok is false when it cannot
// be taken (the file is then always read).
func StatFile(p string) (FileStat, bool) {
	fi, err := os.Stat(p)
	if err != nil {
		return FileStat{}, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return FileStat{}, false
	}
	return FileStat{Path: absPath(p), Size: fi.Size(), MtimeNs: fi.ModTime().UnixNano(), CtimeNs: st.Ctim.Nano(), Inode: st.Ino, Dev: st.Dev}, true
}
