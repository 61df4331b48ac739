package feed

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

type optionsFunc func(v any) error

func (f optionsFunc) Decode(v any) error { return f(v) }

func TestLocated(t *testing.T) {
	_, err := Located(Spec{Name: "x", Type: "t"}, nil)
	require.EqualError(t, err, "location is required")

	var got any
	o := PatternOptions{Pattern: "*.csv"}
	b, err := Located(Spec{Name: "x", Type: "t", Location: "here", Options: optionsFunc(func(v any) error { got = v; return nil })}, &o)
	require.NoError(t, err)
	require.Equal(t, BaseOf(Spec{Name: "x", Type: "t", Location: "here"}), b)
	require.Same(t, &o, got, "options decode into the defaults")

	// A type without options decodes into an empty struct, which the
	// strict YAML decoder refuses for any option given.
	_, err = Located(Spec{Location: "here", Options: optionsFunc(func(v any) error {
		require.Equal(t, &struct{}{}, v)
		return errors.New(`unknown option "x"`)
	})}, nil)
	require.EqualError(t, err, `unknown option "x"`)
}

func TestWithExt(t *testing.T) {
	files := WithExt([]File{{Name: "hacks"}, {Name: "hacks.json"}}, ".json")
	require.Equal(t, []File{{Name: "hacks.json"}, {Name: "hacks.json"}}, files)
}

func TestRequireFields(t *testing.T) {
	var recs []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(`[{"a": 1, "b": null}, {"a": "x", "b": null}]`), &recs))
	fields := []Field{{Name: "a", Kind: "number"}, {Name: "b", Kind: "string"}}
	require.EqualError(t, RequireFields(recs, fields, false, "items"),
		`required field "b" is missing or not a string in all 2 items (renamed or retyped upstream?)`)
	require.NoError(t, RequireFields(recs, fields, true, "items"), "null counts when allowed")
}

func TestJSONLines(t *testing.T) {
	b, err := JSONLines([]map[string]string{{"a": "<&>"}, {"b": "c"}})
	require.NoError(t, err)
	require.Equal(t, "{\"a\":\"<&>\"}\n{\"b\":\"c\"}\n", string(b), "HTML left as written")
}

func TestCheckHeader(t *testing.T) {
	require.NoError(t, CheckHeader([]byte("\xef\xbb\xbfa,b\r\n1,2\r\n"), "a,b"))
	require.EqualError(t, CheckHeader([]byte("a,c\n"), "a,b"), `unexpected header "a,c", want "a,b"`)
	require.EqualError(t, CheckHeader(nil, "a,b"), "empty file")
}
