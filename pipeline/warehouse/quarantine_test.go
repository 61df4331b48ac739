package warehouse

import (
	"bytes"
	"fmt"
	"testing"
	"unicode/utf8"
)

// Any bytes: the CSV check never panics, keeps good records whole, and
// every kept record is valid UTF-8 with the first record's width.
func FuzzCheckCSV(f *testing.F) {
	for _, seed := range []string{
		"a,b,c\n1,2,3\n",
		"a,b\r\n1,\"x\r\ny\"\r\n2,3\n",
		"a,b\n\"open,1\n2,3\n",
		"\xef\xbb\xbfa,b\n1,\xff\n",
		"a,b\n1,\"q\"x\n1,2,3\n,\n",
		"\"",
		"",
	} {
		f.Add([]byte(seed), false, 1)
	}
	f.Fuzz(func(t *testing.T, data []byte, padded bool, key int) {
		var keys []string
		if key > 0 && key < 4 {
			keys = []string{string(rune('0' + key))}
		}
		clean, lines := checkCSV(data, padded, keys)
		for _, l := range lines {
			if l.Line < 1 || !utf8.ValidString(l.Text) {
				t.Fatalf("bad quarantined line %+v", l)
			}
		}
		if clean != nil && !utf8.Valid(clean) {
			t.Fatalf("cleaned copy holds invalid UTF-8: %q", clean)
		}
		if clean != nil && len(clean) > len(data)+bytes.Count(data, []byte("\n"))+1 {
			t.Fatalf("cleaned copy grew: %d > %d", len(clean), len(data))
		}
	})
}

// A yfinance-like price file of 100,000 days, keyed by date.
func BenchmarkCheckCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("Price,Close,High,Low,Open,Volume\nTicker,BTC-USD,BTC-USD,BTC-USD,BTC-USD,BTC-USD\nDate,,,,,\n")
	for i := range 100_000 {
		fmt.Fprintf(&buf, "%06d-01-01,42358.80859375,43124.70703125,40948.28125,41074.10546875,32004652376\n", i)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if clean, _ := checkCSV(data, false, []string{"1"}); clean != nil {
			b.Fatal("a clean file was rewritten")
		}
	}
}
