package landing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked means another heiststat process holds the data or output folder.
var ErrLocked = errors.New("another heiststat process holds the lock")

// lockRetry is how often a waiting writer retries the lock.
const lockRetry = 200 * time.Millisecond

// LockDataDir takes the one-writer lock on the data folder: run, fetch and
// every scheduled job hold it while they write the landing zone, the
// warehouse and the releases. A second writer retries for up to timeout
// (0: not at all) and then gives up with ErrLocked. Readers of published
// releases never take it.
func LockDataDir(ctx context.Context, log *slog.Logger, dataDir string, timeout time.Duration) (unlock func(), err error) {
	return lockDir(ctx, log, dataDir, "data folder", timeout)
}

// LockOutDir takes the one-writer lock on the output folder for a publish
// and its prune: two runs with separate data folders may share an out_dir,
// and each prune would otherwise remove the other's release in progress.
func LockOutDir(ctx context.Context, log *slog.Logger, outDir string, timeout time.Duration) (unlock func(), err error) {
	return lockDir(ctx, log, outDir, "output folder", timeout)
}

func lockDir(ctx context.Context, log *slog.Logger, dir, what string, timeout time.Duration) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, ".lock")
	// Never through a symlink: a link planted at .lock would have the lock
	// file (and the holder line written into it) land outside the folder.
	l := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDONLY|syscall.O_NOFOLLOW))
	ok, err := l.TryLock()
	if err == nil && !ok && timeout > 0 {
		log.Info("waiting for the "+what+" lock", "stage", "lock", "holder", lockHolder(path), "timeout", timeout.String())
		wctx, cancel := context.WithTimeout(ctx, timeout)
		ok, err = l.TryLockContext(wctx, lockRetry)
		cancel()
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			err = nil // the wait ran out: report it as busy below
		}
	}
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w on the %s %s (%s; waited %s, set lock_timeout or --lock-timeout to wait longer)",
			ErrLocked, what, dir, lockHolder(path), timeout)
	}
	// Who holds the lock, for the message a second writer prints.
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW, 0o644); err == nil {
		_, _ = fmt.Fprintf(f, "pid %d since %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
		_ = f.Close()
	}
	return func() { _ = l.Unlock() }, nil
}

// lockHolder describes the process recorded in the lock file.
func lockHolder(path string) string {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return "holder unknown"
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 256))
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return "held by " + s
	}
	return "holder unknown"
}
