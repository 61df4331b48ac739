package fetch

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
	read := func(known map[FileStat]string) Blob {
		t.Helper()
		ctx := WithExchange(context.Background(), &Exchange{Unchanged: func(st FileStat) (string, bool) {
			sum, ok := known[st]
			return sum, ok
		}})
		nbs, err := ReadReusing(ctx, nil, dir, "*.csv")
		require.NoError(t, err)
		require.Len(t, nbs, 1)
		return nbs[0]
	}

	// Just written: racy, so not recorded, and read again next time.
	nb := read(nil)
	require.Equal(t, "version A", string(nb.Data))
	require.Nil(t, nb.Stat)

	defer func(d time.Duration) { statSettle = d }(statSettle)
	statSettle = 0
	nb = read(nil)
	require.Equal(t, "version A", string(nb.Data))
	require.NotNil(t, nb.Stat)
	require.Equal(t, int64(len("version A")), nb.Stat.Size)

	// Known unchanged: named by its sum, not read.
	known := map[FileStat]string{*nb.Stat: "sum of A"}
	nb = read(known)
	require.Nil(t, nb.Data)
	require.Equal(t, "sum of A", nb.SHA256)

	// Rewritten with the same size and its modification time set back: the
	// change time still tells, and the new bytes are read.
	mtime := time.Unix(0, nb.Stat.MtimeNs)
	require.NoError(t, os.WriteFile(p, []byte("version B"), 0o644))
	require.NoError(t, os.Chtimes(p, mtime, mtime))
	nb = read(known)
	require.Equal(t, "version B", string(nb.Data))
	require.Empty(t, nb.SHA256)

	// Read (sources that transform the bytes) always reads.
	nbs, err := Read(WithExchange(context.Background(), &Exchange{Unchanged: func(FileStat) (string, bool) { return "x", true }}), nil, dir, "*.csv")
	require.NoError(t, err)
	require.Equal(t, "version B", string(nbs[0].Data))
}
