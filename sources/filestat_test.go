package sources

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReadLocalReusesUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "BTC-USD.csv")
	require.NoError(t, os.WriteFile(p, []byte("version A"), 0o644))
	if _, ok := StatFile(p); !ok {
		t.Skip("no file change times on this system: files are always read")
	}
	read := func(known map[FileStat]string) namedBytes {
		t.Helper()
		ctx := WithExchange(context.Background(), &Exchange{Unchanged: func(st FileStat) (string, bool) {
			sum, ok := known[st]
			return sum, ok
		}})
		nbs, err := readLocationReusing(ctx, nil, dir, "*.csv")
		require.NoError(t, err)
		require.Len(t, nbs, 1)
		return nbs[0]
	}

	// Just written: racy, so not recorded, and read again next time.
	nb := read(nil)
	require.Equal(t, "version A", string(nb.data))
	require.Nil(t, nb.stat)

	defer func(d time.Duration) { statSettle = d }(statSettle)
	statSettle = 0
	nb = read(nil)
	require.Equal(t, "version A", string(nb.data))
	require.NotNil(t, nb.stat)
	require.Equal(t, int64(len("version A")), nb.stat.Size)

	// Known unchanged: named by its sum, not read.
	known := map[FileStat]string{*nb.stat: "sum of A"}
	nb = read(known)
	require.Nil(t, nb.data)
	require.Equal(t, "sum of A", nb.sum)

	// Rewritten with the same size and its modification time set back: the
	// change time still tells, and the new bytes are read.
	mtime := time.Unix(0, nb.stat.MtimeNs)
	require.NoError(t, os.WriteFile(p, []byte("version B"), 0o644))
	require.NoError(t, os.Chtimes(p, mtime, mtime))
	nb = read(known)
	require.Equal(t, "version B", string(nb.data))
	require.Empty(t, nb.sum)

	// readLocation (sources that transform the bytes) always reads.
	nbs, err := readLocation(WithExchange(context.Background(), &Exchange{Unchanged: func(FileStat) (string, bool) { return "x", true }}), nil, dir, "*.csv")
	require.NoError(t, err)
	require.Equal(t, "version B", string(nbs[0].data))
}
