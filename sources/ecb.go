package sources

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/heiststat/heiststat/sources/bundled"
)

// ECBEuroFxRef is the ECB euro reference rate history, either the zip the ECB
// publishes (eurofxref-hist.zip) or its CSV (eurofxref-hist.csv): one row per
// TARGET day, newest first, units of each currency per 1 EUR.
type ECBEuroFxRef struct{ base }

func newECBEuroFxRef(s Spec) (Source, error) {
	return newLocated(s, func(b base) Source { return &ECBEuroFxRef{b} })
}

func (e *ECBEuroFxRef) Fetch(ctx context.Context, hc *http.Client) ([]File, error) {
	nbs, err := readLocation(ctx, hc, e.location, "eurofxref-hist*")
	if err != nil {
		return nil, err
	}
	var out []File
	for _, nb := range nbs {
		files, err := ecbFiles(nb)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", nb.name, err)
		}
		out = append(out, files...)
	}
	return out, nil
}

// ecbFiles keeps a zip as fetched (archive only) and lands its CSV beside it.
// A zip is recognised by its content, whatever the URL is called.
func ecbFiles(nb namedBytes) ([]File, error) {
	if strings.EqualFold(path.Ext(nb.name), ".zip") || bytes.HasPrefix(nb.data, []byte("PK\x03\x04")) {
		csv, name, err := unzipOne(nb.data, ".csv")
		if err != nil {
			return nil, err
		}
		if err := checkECBHist(csv); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return []File{{Name: nb.name, Data: nb.data}, {Name: name, Format: "ecb_eurofxref", Data: csv}}, nil
	}
	if err := checkECBHist(nb.data); err != nil {
		return nil, err
	}
	return []File{{Name: nb.name, Format: "ecb_eurofxref", Data: nb.data}}, nil
}

func unzipOne(b []byte, suffix string) ([]byte, string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, "", fmt.Errorf("not a zip archive: %w", err)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), suffix) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, "", err
		}
		data, err := readLimited(rc, int64(f.UncompressedSize64))
		rc.Close()
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", f.Name, err)
		}
		return data, path.Base(f.Name), nil
	}
	return nil, "", fmt.Errorf("no %s file in archive", suffix)
}

// checkECBHist requires the Date column first and the USD and GBP columns the
// cross rates are built from.
func checkECBHist(b []byte) error {
	lines := firstLines(b, 1)
	if len(lines) == 0 {
		return fmt.Errorf("empty file")
	}
	cols := strings.Split(lines[0], ",")
	if cols[0] != "Date" {
		return fmt.Errorf("first column is %q, want \"Date\"", cols[0])
	}
	if len(cols) > ecbMaxColumns {
		return fmt.Errorf("%d columns, the raw model reads at most %d", len(cols), ecbMaxColumns)
	}
	for _, want := range []string{"USD", "GBP"} {
		if !contains(cols, want) {
			return fmt.Errorf("required column %q is missing from the header", want)
		}
	}
	return nil
}

// ecbMaxColumns matches the c0..c63 columns declared in sql/raw/raw_ecb_eurofxref.sql.
const ecbMaxColumns = 64

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Bundled returns the ECB rates the curated incidents need, transcribed with
// their source, for runs with neither network nor archive.
func (e *ECBEuroFxRef) Bundled() []File {
	return []File{bundledFile("fx.csv", "bundled_fx")}
}

func bundledFile(name, format string) File {
	b, err := bundled.FS.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("bundled file %s missing from the binary: %v", name, err))
	}
	return File{Name: name, Format: format, Data: b}
}
