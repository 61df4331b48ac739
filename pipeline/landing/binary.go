package landing

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/heiststat/heiststat/sources/fetch"
)

// BinaryHash identifies the running executable. Hashing it is a noticeable
// part of a short run, so the hash is kept in one file in the user's
// cache directory beside the file's identity (fetch.StatFile: path,
// device, inode, size, modification and change times). Building or copying
// a new binary gives it a new inode or change time (which no user call can
// set back), so a stale hash is never reused; where no stat is available the
// binary is hashed every run.
var BinaryHash = sync.OnceValues(func() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	cache, key := "", ""
	if st, ok := fetch.StatFile(p); ok {
		key = fmt.Sprintf("%s %d %d %d %d %d", st.Path, st.Dev, st.Inode, st.Size, st.MtimeNs, st.CtimeNs)
		if dir, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(dir, "heiststat", "binary.sha256")
		}
	}
	if b, err := os.ReadFile(cache); err == nil && cache != "" {
		if k, sum, ok := strings.Cut(strings.TrimSuffix(string(b), "\n"), "\n"); ok && k == key {
			return sum, nil
		}
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if cache != "" {
		// Only a cache: a run that cannot write it hashes again next time.
		tmp := fmt.Sprintf("%s.%d", cache, os.Getpid())
		if os.MkdirAll(filepath.Dir(cache), 0o755) == nil && os.WriteFile(tmp, []byte(key+"\n"+sum+"\n"), 0o644) == nil {
			if os.Rename(tmp, cache) != nil {
				_ = os.Remove(tmp)
			}
		}
	}
	return sum, nil
})
