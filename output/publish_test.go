package output

import (
	"testing"
)

func TestCSVRecordsCountsRecordsNotLines(t *testing.T) {
	const file = "id,note\n" +
		"1,plain\n" +
		"2,\"two\nlines\"\n" +
		"3,\"a \"\"quoted\"\"\nword\"\n" +
		"4,\"comma, here\"\n"
	for _, tc := range []struct {
		name string
		data string
		want int64
	}{
		{"whole file", file, 5},
		{"cut inside a quoted line break", file[:len("id,note\n1,plain\n2,\"two\n")], 2},
		{"cut before the last line break", file[:len(file)-1], 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Written in small pieces, as io.Copy may hand them over.
			var c csvRecords
			for i := 0; i < len(tc.data); i += 3 {
				if _, err := c.Write([]byte(tc.data[i:min(i+3, len(tc.data))])); err != nil {
					t.Fatal(err)
				}
			}
			if c.records != tc.want {
				t.Errorf("records = %d, want %d", c.records, tc.want)
			}
		})
	}
}
