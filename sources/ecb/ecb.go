package ecb

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/heiststat/heiststat/sources/feed"
	"github.com/heiststat/heiststat/sources/fetch"
)

// EuroFxRef is the ECB euro reference rate history, either the zip the ECB
// publishes (eurofxref-hist.zip) or its CSV (eurofxref-hist.csv): one row per
// TARGET day, newest first, units of each currency per 1 EUR.
type EuroFxRef struct{ feed.Base }

// NewEuroFxRef builds an ecb_eurofxref source.
func NewEuroFxRef(s feed.Spec) (feed.Source, error) {
	b, err := feed.Located(s, nil)
	if err != nil {
		return nil, err
	}
	return &EuroFxRef{b}, nil
}

func (e *EuroFxRef) Fetch(ctx context.Context, hc *http.Client) ([]feed.File, error) {
	bs, err := fetch.Read(ctx, hc, e.Location(), "eurofxref-hist*")
	if err != nil {
		return nil, err
	}
	var out []feed.File
	for _, b := range bs {
		files, err := histFiles(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name, err)
		}
		out = append(out, files...)
	}
	return out, nil
}

// histFiles keeps a zip as fetched (archive only) and lands its CSV beside it.
// A zip is recognised by its content, whatever the URL is called.
func histFiles(b fetch.Blob) ([]feed.File, error) {
	if strings.EqualFold(path.Ext(b.Name), ".zip") || bytes.HasPrefix(b.Data, []byte("PK\x03\x04")) {
		csv, name, err := unzipOne(b.Data, ".csv")
		if err != nil {
			return nil, err
		}
		if err := checkHist(csv); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return []feed.File{{Name: b.Name, Data: b.Data}, {Name: name, Format: "ecb_eurofxref", Data: csv}}, nil
	}
	if err := checkHist(b.Data); err != nil {
		return nil, err
	}
	return []feed.File{{Name: b.Name, Format: "ecb_eurofxref", Data: b.Data}}, nil
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
		data, err := fetch.ReadLimited(rc, int64(f.UncompressedSize64))
		rc.Close()
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", f.Name, err)
		}
		return data, path.Base(f.Name), nil
	}
	return nil, "", fmt.Errorf("no %s file in archive", suffix)
}

// checkHist requires the Date column first and the USD and GBP columns the
// cross rates are built from.
func checkHist(b []byte) error {
	lines := feed.FirstLines(b, 1)
	if len(lines) == 0 {
		return fmt.Errorf("empty file")
	}
	cols := strings.Split(lines[0], ",")
	if cols[0] != "Date" {
		return fmt.Errorf("first column is %q, want \"Date\"", cols[0])
	}
	if len(cols) > histMaxColumns {
		return fmt.Errorf("%d columns, the raw model reads at most %d", len(cols), histMaxColumns)
	}
	for _, want := range []string{"USD", "GBP"} {
		if !slices.Contains(cols, want) {
			return fmt.Errorf("required column %q is missing from the header", want)
		}
	}
	return nil
}

// histMaxColumns matches the c0..c63 columns declared in sql/raw/raw_ecb_eurofxref.sql.
const histMaxColumns = 64

// Bundled returns the ECB rates the curated incidents need, transcribed with
// their source, for runs with neither network nor archive.
func (e *EuroFxRef) Bundled() []feed.File {
	return []feed.File{feed.Bundled("fx.csv", "bundled_fx")}
}
