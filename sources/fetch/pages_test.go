package fetch

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// Pages are read to the count page 1 gives; a count that changes while
// paging, or a failing page, fails the whole fetch.
func TestPages(t *testing.T) {
	counts := map[int]int{1: 3, 2: 3, 3: 3}
	fetched := 0
	fetch := func(_ context.Context, page int) ([]byte, error) {
		fetched++
		return []byte(strconv.Itoa(page)), nil
	}
	stopAt := 0
	check := func(page int, b []byte) ([]string, int, bool, error) {
		return []string{PageName(page, ".txt")}, counts[page], page == stopAt, nil
	}
	names, err := Pages(t.Context(), fetch, check)
	require.NoError(t, err)
	require.Equal(t, []string{"page_001.txt", "page_002.txt", "page_003.txt"}, names)

	stopAt = 2
	names, err = Pages(t.Context(), fetch, check)
	require.NoError(t, err)
	require.Equal(t, []string{"page_001.txt", "page_002.txt"}, names, "an incremental fetch stops early")
	stopAt = 0

	counts[2] = 4
	_, err = Pages(t.Context(), fetch, check)
	require.ErrorContains(t, err, "page 2: the page count changed from 3 to 4 while paging")

	counts[1] = MaxPages + 1
	fetched = 0
	_, err = Pages(t.Context(), fetch, check)
	require.ErrorContains(t, err, "page 1 announces 1001 pages")
	require.Equal(t, 1, fetched)
}
