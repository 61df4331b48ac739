package sources

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzCheckDefiLlamaHacks holds the streaming check to what decoding into
// maps accepted: the same inputs pass, and a drifted field fails either way.
func FuzzCheckDefiLlamaHacks(f *testing.F) {
	for _, s := range []string{
		`[{"date":1647993600,"name":"Ronin","amount":624000000,"chain":["Ethereum"]}]`,
		`[null,{"date":1,"name":"x","amount":1,"chain":[],"date":"1"}]`,
		`[{"d\u0061te":1,"name":"x","amount":1.5e3,"chain":[],"extra":{"a":[1,{"b":null}]}}]`,
		` [ {"date":1,"name":"\xff","amount":1,"chain":[]} ] `,
		`[{"date":1,"name":"x","amount":1,"chain":[]}]]`,
		`[{"date":1,"name":"x","amount":"1","chain":[]}]`,
		`[1]`, `{}`, `null`, `[]`, ``, `[{"date":1,`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := checkDefiLlamaHacks(b)
		var recs []map[string]json.RawMessage
		if err := json.Unmarshal(b, &recs); err != nil {
			require.Error(t, got)
			return
		}
		if len(recs) == 0 {
			require.ErrorContains(t, got, "empty array")
			return
		}
		for _, req := range defiLlamaRequired {
			ok := false
			for _, r := range recs {
				if v, present := r[req.field]; present && jsonKind(v) == req.kind {
					ok = true
				}
			}
			if !ok {
				require.ErrorContains(t, got, `"`+req.field+`"`)
				return
			}
		}
		require.NoError(t, got)
	})
}
