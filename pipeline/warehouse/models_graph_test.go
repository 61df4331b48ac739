package warehouse_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/pipeline/warehouse"
	sqlmodels "github.com/heiststat/heiststat/sql"
)

// The build order follows what each model reads, not its folder or file
// name; materialization comes from the file's header; a macro is a node
// its callers read.
func TestModelGraph(t *testing.T) {
	fsys := fstest.MapFS{
		"macros/twice.sql":                 {Data: []byte("-- doubles\nCREATE OR REPLACE TEMP MACRO twice(x) AS 2 * x")},
		"raw/raw_a.sql":                    {Data: []byte("SELECT 1 AS x")},
		"staging/stg_b.sql":                {Data: []byte("-- materialized: table\nSELECT * FROM raw_a")},
		"intermediate/int_a_late.sql":      {Data: []byte("SELECT * FROM int_b_early -- not stg_b\n")},
		"intermediate/int_b_early.sql":     {Data: []byte("SELECT 'int_a_late' AS s, * FROM \"stg_b\" /* raw_a */")},
		"marts/fct_c.sql":                  {Data: []byte("SELECT twice(x) FROM int_a_late")},
		"tests/assert_fct_c__nonempty.sql": {Data: []byte("SELECT 1 FROM fct_c WHERE false")},
	}
	models, tests, err := warehouse.LoadModels(fsys)
	require.NoError(t, err)
	var order []string
	byName := map[string]warehouse.Model{}
	for _, m := range models {
		order = append(order, m.Name)
		byName[m.Name] = m
	}
	require.Equal(t, []string{"twice", "raw_a", "stg_b", "int_b_early", "int_a_late", "fct_c"}, order)
	require.Equal(t, []string{"int_a_late", "twice"}, byName["fct_c"].Reads, "a model reads the macros it calls")
	require.Equal(t, "MACRO", byName["twice"].Materialize)
	require.Equal(t, []string{"stg_b"}, byName["int_b_early"].Reads, "quoted identifiers count; strings and comments do not")
	require.Equal(t, []string{"int_b_early"}, byName["int_a_late"].Reads)
	require.Equal(t, "TABLE", byName["stg_b"].Materialize, "the header overrides the staging layer's VIEW")
	require.Equal(t, "TABLE", byName["raw_a"].Materialize)
	require.Equal(t, []string{"fct_c"}, tests[0].Reads)

	fsys["macros/twice.sql"] = &fstest.MapFile{Data: []byte("CREATE MACRO twice(x) AS 2 * x")}
	_, _, err = warehouse.LoadModels(fsys)
	require.ErrorContains(t, err, "must hold CREATE OR REPLACE TEMP MACRO twice", "a macro must not outlive its connection")
	delete(fsys, "macros/twice.sql")

	fsys["marts/fct_c.sql"] = &fstest.MapFile{Data: []byte("SELECT * FROM int_a_late, fct_d")}
	fsys["marts/fct_d.sql"] = &fstest.MapFile{Data: []byte("SELECT * FROM fct_c")}
	_, _, err = warehouse.LoadModels(fsys)
	require.ErrorContains(t, err, "cycle: fct_c, fct_d")
}

// The project's models: each is built after every model it reads.
func TestModelGraphOfTheProject(t *testing.T) {
	models, tests, err := warehouse.LoadModels(sqlmodels.FS)
	require.NoError(t, err)
	built := map[string]bool{}
	for _, m := range models {
		for _, r := range m.Reads {
			require.True(t, built[r], "%s reads %s, built later", m.Name, r)
		}
		built[m.Name] = true
	}
	for _, ts := range tests {
		require.True(t, len(ts.Reads) > 0 || strings.Contains(ts.SQL, "seed_"), "data test %s reads no model or seed", ts.Name)
	}
	require.True(t, slices.ContainsFunc(models, func(m warehouse.Model) bool { return m.Name == "fct_incidents" }))
}
