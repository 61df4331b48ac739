package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeTemp writes b to a file named name in a new temporary folder and
// returns the folder.
func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	return dir
}

func TestFetchIncidentAndOFACFixtures(t *testing.T) {
	for _, tc := range []struct {
		typ, fixture string
		files        int
	}{
		{"slowmist_hacked", "slowmist", 1},
		{"defi_rekt", "defi_rekt", 1},
		{"blocksec_events", "blocksec", 1},
		{"ofac_sdn_csv", "ofac_sdn", 1},
		{"ofac_addresses", "ofac_addresses", 2},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			files, err := newSource(t, tc.typ, filepath.Join("testdata", tc.fixture)).Fetch(t.Context(), testClient())
			require.NoError(t, err)
			require.Len(t, files, tc.files)
			for _, f := range files {
				require.Equal(t, tc.typ, f.Format)
				require.NotEmpty(t, f.Data)
			}
		})
	}
}

// A changed feed fails before anything lands, naming what changed.
func TestIncidentAndOFACFeedDrift(t *testing.T) {
	slowmist := string(readTestdata(t, "slowmist/hacked.csv"))
	rekt := string(readTestdata(t, "defi_rekt/all_records.csv"))
	blocksec := string(readTestdata(t, "blocksec/all.json"))
	sdn := string(readTestdata(t, "ofac_sdn/sdn.csv"))
	for _, tc := range []struct {
		name, typ, file, data, wantErr string
	}{
		{"slowmist column renamed", "slowmist_hacked", "hacked.csv",
			strings.Replace(slowmist, "loss_usd", "loss", 1), "unexpected header"},
		{"rekt column renamed", "defi_rekt", "all_records.csv",
			strings.Replace(rekt, "funds_lost", "fundsLost", 1), "unexpected header"},
		{"blocksec loss retyped to a number", "blocksec_events", "all.json",
			strings.NewReplacer(`"loss": "1500000000.000000"`, `"loss": 1500000000`, `"loss": "2700000.000000"`, `"loss": 2700000`).Replace(blocksec),
			`"loss" is missing or not a string`},
		{"blocksec bare array", "blocksec_events", "all.json", `[{"id": 1}]`, "not a BlockSec response"},
		{"blocksec empty list", "blocksec_events", "all.json", `{"count": 0, "list": []}`, `"list" is missing or empty`},
		{"sdn with a header row", "ofac_sdn_csv", "sdn.csv",
			"ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks\n" + sdn, "not an ent_num"},
		{"sdn column dropped", "ofac_sdn_csv", "sdn.csv", "27307,\"LAZARUS GROUP\",-0- ,\"DPRK3\"\n", "want 12"},
		{"address list not an array", "ofac_addresses", "sanctioned_addresses_ETH.json", `{"addresses": []}`, "not a JSON array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTemp(t, tc.file, []byte(tc.data))
			_, err := newSource(t, tc.typ, dir).Fetch(t.Context(), testClient())
			require.ErrorContains(t, err, tc.wantErr)
			require.ErrorContains(t, err, tc.file)
		})
	}
	t.Run("address list named without its asset", func(t *testing.T) {
		dir := writeTemp(t, "addresses.json", []byte(`["0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"]`))
		_, err := newSource(t, "ofac_addresses", filepath.Join(dir, "addresses.json")).Fetch(t.Context(), testClient())
		require.ErrorContains(t, err, "file name must be sanctioned_addresses_<ASSET>.json")
	})
}

func TestFetchIncidentAndOFACRealSnapshots(t *testing.T) {
	for _, tc := range []struct {
		typ, rel string
		files    int
	}{
		{"slowmist_hacked", "hacks/slowmist_hacked_all_records_2026-05-29.csv", 1},
		{"defi_rekt", "hacks/defi_rekt_all_records_2026-05-29.csv", 1},
		{"blocksec_events", "hacks/blocksec_attack_events_2026-05-29.json", 1},
		{"ofac_sdn_csv", "ofac/sdn_2024-05-03_digital_currency_and_dprk_rows.csv", 1},
		{"ofac_addresses", "ofac", 17},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			files, err := newSource(t, tc.typ, sharedPath(t, tc.rel)).Fetch(t.Context(), testClient())
			require.NoError(t, err)
			require.Len(t, files, tc.files)
		})
	}
}
