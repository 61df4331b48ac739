package landing

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gofrs/flock"
	"github.com/stretchr/testify/require"
)

func newTestLock(t *testing.T, path string) *flock.Flock {
	t.Helper()
	l := flock.New(path)
	ok, err := l.TryLock()
	require.NoError(t, err)
	require.True(t, ok)
	return l
}

// The wait runs on synctest's clock: the timeout is exactly 300 ms of
// (virtual) time, and a lock released during the wait is taken.
func TestLockWaitsUpToTimeout(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o755))
	synctest.Test(t, func(t *testing.T) {
		l := newTestLock(t, filepath.Join(data, ".lock"))
		start := time.Now()
		_, err := LockDataDir(t.Context(), slog.New(slog.DiscardHandler), data, 300*time.Millisecond)
		require.ErrorIs(t, err, ErrLocked)
		require.Equal(t, 300*time.Millisecond, time.Since(start))
		require.Contains(t, err.Error(), "waited 300ms")

		// Released while the second writer waits: it gets the lock and records itself.
		start = time.Now()
		time.AfterFunc(time.Second, func() { _ = l.Unlock() })
		unlock, err := LockDataDir(t.Context(), slog.New(slog.DiscardHandler), data, 10*time.Second)
		require.NoError(t, err)
		require.Less(t, time.Since(start), time.Second+2*lockRetry, "taken within a retry of its release")
		b, err := os.ReadFile(filepath.Join(data, ".lock"))
		require.NoError(t, err)
		require.Contains(t, string(b), "pid ")
		_, err = LockDataDir(t.Context(), slog.New(slog.DiscardHandler), data, 0)
		require.ErrorIs(t, err, ErrLocked)
		require.Contains(t, err.Error(), "held by pid ")
		unlock()
	})
}
