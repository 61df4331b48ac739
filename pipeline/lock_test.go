package pipeline

import (
	"testing"

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
