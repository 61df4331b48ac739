package ofac

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heiststat/heiststat/internal/feedtest"
	"github.com/heiststat/heiststat/sources/feed"
)

func TestParseAdvanced(t *testing.T) {
	rows, err := ParseAdvanced(bytes.NewReader(feedtest.Testdata(t, "sdn_advanced.xml")))
	require.NoError(t, err)
	require.Equal(t, []SanctionedAddress{
		{ProfileID: "27307", Address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", Asset: "ETH", Entity: "LAZARUS GROUP", Program: "DPRK3"},
		{ProfileID: "27307", Address: "0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B", Asset: "ETH", Entity: "LAZARUS GROUP", Program: "DPRK3"},
		{ProfileID: "27307", Address: "bc1qexampletestaddressxxxxxxxxxxxxxxxxxxxx", Asset: "XBT", Entity: "LAZARUS GROUP", Program: "DPRK3"},
		{ProfileID: "27307", Address: "0xNOTAHEXADDRESS", Asset: "ETH", Entity: "LAZARUS GROUP", Program: "DPRK3"},
		{ProfileID: "39796", Address: "0x8589427373D6D84E98730D7795D8f6f8731FDA16", Asset: "USDT", Entity: "TORNADO CASH", Program: "CYBER2"},
		{ProfileID: "39796", Address: "0x8589427373D6D84E98730D7795D8f6f8731FDA16", Asset: "USDT", Entity: "TORNADO CASH", Program: "DPRK3"},
	}, rows)
}

func TestParseAdvancedDrift(t *testing.T) {
	doc := string(feedtest.Testdata(t, "sdn_advanced.xml"))
	for name, tc := range map[string]struct{ doc, want string }{
		"truncated download":    {doc[:len(doc)/2], "XML syntax error"},
		"not the advanced list": {`<?xml version="1.0"?><sdnList><sdnEntry/></sdnList>`, "root element is <sdnList>"},
		"renamed feature type":  {strings.ReplaceAll(doc, "Digital Currency Address - ", "Virtual Currency Address - "), "no \"Digital Currency Address - *\" feature types"},
		"renamed VersionDetail": {strings.ReplaceAll(doc, "VersionDetail", "Detail"), "no digital currency addresses"},
		"no program type":       {strings.Replace(doc, ">Program<", ">Programme<", 1), `no "Program" sanctions type`},
		"empty":                 {"", "empty document"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseAdvanced(strings.NewReader(tc.doc))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestAdvancedFetch(t *testing.T) {
	doc := feedtest.Testdata(t, "sdn_advanced.xml")
	srv := feedtest.NewMux(t, map[string]http.HandlerFunc{
		"GET /exports/SDN_ADVANCED.XML": feedtest.Bytes(doc),
		"GET /exports/truncated.xml":    feedtest.Bytes(doc[:len(doc)-40]),
	})
	files := feedtest.RequireFetch(t, NewAdvanced, "ofac_sdn_advanced", srv.URL+"/exports/SDN_ADVANCED.XML")
	require.Equal(t, []feed.File{{Name: "sdn_advanced.xml", Format: "ofac_sdn_advanced", Data: doc}}, files)
	_, err := feedtest.Must(t, NewAdvanced, feedtest.Spec("ofac_sdn_advanced", srv.URL+"/exports/truncated.xml")).Fetch(t.Context(), feedtest.Client())
	require.ErrorContains(t, err, "XML syntax error")
}

func TestAdvancedBatches(t *testing.T) {
	recs, err := AdvancedBatches(bytes.NewReader(feedtest.Testdata(t, "sdn_advanced.xml")), "/landed/x.xml", 4)
	require.NoError(t, err)
	require.Len(t, recs, 2, "6 rows in batches of 4")
	require.EqualValues(t, 4, recs[0].NumRows())
	require.EqualValues(t, 2, recs[1].NumRows())
	require.True(t, recs[0].Schema().Equal(AdvancedSchema))
	for _, r := range recs {
		r.Release()
	}
}

// largeAdvancedDocument repeats the fixture's parties n times under fresh ids.
func largeAdvancedDocument(b *testing.B, n int) []byte {
	doc, err := os.ReadFile("testdata/sdn_advanced.xml")
	require.NoError(b, err)
	s := string(doc)
	head, rest, _ := strings.Cut(s, "<DistinctParties>")
	parties, rest, _ := strings.Cut(rest, "</DistinctParties>")
	entriesHead, rest, _ := strings.Cut(rest, "<SanctionsEntries>")
	entries, tail, _ := strings.Cut(rest, "</SanctionsEntries>")
	var out strings.Builder
	out.WriteString(head + "<DistinctParties>")
	for i := range n {
		out.WriteString(strings.NewReplacer(`ID="27307"`, fmt.Sprintf(`ID="%d"`, 1000000+i), `ID="39796"`, fmt.Sprintf(`ID="%d"`, 2000000+i)).Replace(parties))
	}
	out.WriteString("</DistinctParties>" + entriesHead + "<SanctionsEntries>")
	for i := range n {
		out.WriteString(strings.NewReplacer(`ProfileID="27307"`, fmt.Sprintf(`ProfileID="%d"`, 1000000+i), `ProfileID="39796"`, fmt.Sprintf(`ProfileID="%d"`, 2000000+i)).Replace(entries))
	}
	out.WriteString("</SanctionsEntries>" + tail)
	return []byte(out.String())
}

// BenchmarkParseAdvanced streams a generated document of about 14 MB
// (2,000 copies of the fixture's parties) through the parser.
func BenchmarkParseAdvanced(b *testing.B) {
	doc := largeAdvancedDocument(b, 2000)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		rows, err := ParseAdvanced(bytes.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		if len(rows) != 6*2000 {
			b.Fatalf("%d rows", len(rows))
		}
	}
}

func TestFetchFixtures(t *testing.T) {
	for _, tc := range []struct {
		typ, loc string
		ctor     func(feed.Spec) (feed.Source, error)
		files    int
	}{
		{"ofac_sdn_csv", "testdata/sdn.csv", NewSDNCSV, 1},
		{"ofac_addresses", "testdata/addresses", NewAddresses, 2},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			feedtest.RequireFormat(t, feedtest.RequireFetch(t, tc.ctor, tc.typ, tc.loc), tc.files, tc.typ)
		})
	}
}

// A changed list fails before anything lands, naming what changed.
func TestDrift(t *testing.T) {
	sdn := string(feedtest.Testdata(t, "sdn.csv"))
	for _, tc := range []struct {
		name, file, data, wantErr string
		ctor                      func(feed.Spec) (feed.Source, error)
	}{
		{"sdn with a header row", "sdn.csv",
			"ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks\n" + sdn, "not an ent_num", NewSDNCSV},
		{"sdn column dropped", "sdn.csv", "27307,\"LAZARUS GROUP\",-0- ,\"DPRK3\"\n", "want 12", NewSDNCSV},
		{"address list not an array", "sanctioned_addresses_ETH.json", `{"addresses": []}`, "not a JSON array", NewAddresses},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := feedtest.WriteTemp(t, tc.file, []byte(tc.data))
			_, err := feedtest.Must(t, tc.ctor, feedtest.Spec("ofac", dir)).Fetch(t.Context(), feedtest.Client())
			require.ErrorContains(t, err, tc.wantErr)
			require.ErrorContains(t, err, tc.file)
		})
	}
	t.Run("address list named without its asset", func(t *testing.T) {
		dir := feedtest.WriteTemp(t, "addresses.json", []byte(`["0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"]`))
		_, err := feedtest.Must(t, NewAddresses, feedtest.Spec("ofac_addresses", filepath.Join(dir, "addresses.json"))).Fetch(t.Context(), feedtest.Client())
		require.ErrorContains(t, err, "file name must be sanctioned_addresses_<ASSET>.json")
	})
}

func TestFetchRealSnapshots(t *testing.T) {
	for _, tc := range []struct {
		typ, rel string
		ctor     func(feed.Spec) (feed.Source, error)
		files    int
	}{
		{"ofac_sdn_csv", "ofac/sdn_2024-05-03_digital_currency_and_dprk_rows.csv", NewSDNCSV, 1},
		{"ofac_addresses", "ofac", NewAddresses, 17},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			files := feedtest.RequireFetch(t, tc.ctor, tc.typ, feedtest.SharedPath(t, tc.rel))
			require.Len(t, files, tc.files)
		})
	}
}
