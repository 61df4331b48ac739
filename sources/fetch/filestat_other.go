//go:build !linux

package fetch

// StatFile has no change time and inode to go by here: files are always read.
func StatFile(string) (FileStat, bool) { return FileStat{}, false }
