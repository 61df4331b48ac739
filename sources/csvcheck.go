package sources

import (
	"bytes"
	"fmt"
)

// firstLines returns up to n lines of b without their line endings or a
// leading UTF-8 byte order mark (which spreadsheet exports add).
func firstLines(b []byte, n int) []string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var out []string
	for len(out) < n && len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		out = append(out, string(bytes.TrimSuffix(line, []byte("\r"))))
		b = rest
	}
	return out
}

// checkHeader requires the first line of a CSV to be exactly want, so that a
// renamed or reordered column fails with the file named instead of loading
// values into the wrong fields.
func checkHeader(b []byte, want string) error {
	lines := firstLines(b, 1)
	if len(lines) == 0 {
		return fmt.Errorf("empty file")
	}
	if lines[0] != want {
		return fmt.Errorf("unexpected header %q, want %q", lines[0], want)
	}
	return nil
}
