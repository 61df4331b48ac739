package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked means another heiststat process holds the data folder.
var ErrLocked = errors.New("another heiststat process holds the lock on the data folder")

// lockRetry is how often a waiting writer retries the lock.
const lockRetry = 200 * time.Millisecond

// lockDataDir takes the one-writer lock on the data folder: run, fetch and
// every scheduled job hold it while they write the landing zone, the
// warehouse and the releases. A second writer retries for up to timeout
// (0: not at all) and then gives up with ErrLocked. Readers of published
// releases never take it.
func lockDataDir(ctx context.Context, log *slog.Logger, dataDir string, timeout time.Duration) (unlock func(), err error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, ".lock")
	l := flock.New(path)
	ok, err := l.TryLock()
	if err == nil && !ok && timeout > 0 {
		log.Info("waiting for the data folder lock", "stage", "lock", "holder", lockHolder(path), "timeout", timeout.String())
		wctx, cancel := context.WithTimeout(ctx, timeout)
		ok, err = l.TryLockContext(wctx, lockRetry)
		cancel()
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			err = nil // the wait ran out: report it as busy below
		}
	}
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dataDir, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w %s (%s; waited %s, set lock_timeout or --lock-timeout to wait longer)",
			ErrLocked, dataDir, lockHolder(path), timeout)
	}
	// Who holds the lock, for the message a second writer prints.
	_ = os.WriteFile(path, fmt.Appendf(nil, "pid %d since %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339)), 0o644)
	return func() { _ = l.Unlock() }, nil
}

// lockHolder describes the process recorded in the lock file.
func lockHolder(path string) string {
	b, err := os.ReadFile(path)
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return "held by " + s
	}
	return "holder unknown"
}
