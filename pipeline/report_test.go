package pipeline

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// offlineReport publishes cfg (fresh data and out folders) with a pinned
// clock and returns report.html's path.
func offlineReport(t *testing.T, cfg *Config, now time.Time) string {
	t.Helper()
	res, err := runWith(t, cfg, "", Options{Now: func() time.Time { return now }})
	require.NoError(t, err)
	return filepath.Join(res.Current, "report.html")
}

// report.html is in the release and its manifest, loads nothing from the
// network, and is byte-identical for the same inputs and run time.
func TestReportSelfContainedAndDeterministic(t *testing.T) {
	now := time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC)
	cfg := parse(t, offlineYAML, t.TempDir())
	first := offlineReport(t, cfg, now)
	a, err := os.ReadFile(first)
	require.NoError(t, err)
	b, err := os.ReadFile(offlineReport(t, cfg, now))
	require.NoError(t, err)
	// Run ids end in a random suffix (unique across writers of one out_dir):
	// the rest of the page is the same bytes.
	suffix := regexp.MustCompile(`(\d{8}T\d{6}\.\d{3}Z)-[0-9A-Z]+`)
	a, b = suffix.ReplaceAll(a, []byte("$1")), suffix.ReplaceAll(b, []byte("$1"))
	require.True(t, bytes.Equal(a, b), "report.html differs between two runs on the same inputs")
	m, err := os.ReadFile(filepath.Join(filepath.Dir(first), "manifest.json"))
	require.NoError(t, err)
	require.Contains(t, string(m), `"path": "report.html"`)
	for _, external := range []string{"<script", "<link", "src=", "@import", "url("} {
		require.NotContains(t, string(a), external)
	}
}

// Headless Chromium renders report.html: the page text is there, the charts
// drew (SVG paths in the DOM, chart colours in the screenshot), and the
// screenshot is kept as a test artifact (go test -artifacts).
func TestReportRendersInChromium(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" && os.Getenv("HEISTSTAT_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium not installed, and HEISTSTAT_REQUIRE_CHROMIUM is set (CI)")
	}
	if bin == "" {
		t.Skip("chromium not installed (apt-get install chromium; .ci/run installs it): skipping the browser rendering test")
	}
	report := offlineReport(t, parse(t, offlineYAML, t.TempDir()), time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC))
	shot := filepath.Join(t.ArtifactDir(), "report.png")
	chromium := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
			"--user-data-dir=" + t.TempDir(), "--window-size=1200,2000"}
		cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+report)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, stderr.String())
		return out
	}

	dom := string(chromium("--dump-dom"))
	for _, text := range []string{"Crypto thefts per year", "Annual totals in USD and GBP", "Share attributed to DPRK",
		"Largest incidents", "Ronin Bridge", "Methodology", "ECB euro reference rates", "Provenance", "curated_dprk", "bundled"} {
		require.Contains(t, dom, text)
	}
	require.Regexp(t, `DPRK-linked thefts numbered \d+`, dom)
	require.Len(t, regexp.MustCompile(`<svg`).FindAllString(dom, -1), 2, "two charts")
	require.Greater(t, len(regexp.MustCompile(`<path[^>]* d="M[^"]+"`).FindAllString(dom, -1)), 40, "plotted bars and axes")

	chromium("--screenshot=" + shot)
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	colours := map[uint32]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[(r>>8)<<16|(g>>8)<<8|b>>8]++
		}
	}
	require.Greater(t, len(colours), 20, "the screenshot is not blank")
	for name, rgb := range map[string]uint32{"USD bars": 0x1f5f9f, "GBP bars": 0xd97a1c, "DPRK bars": 0xb01e2d} {
		require.Greater(t, colours[rgb], 200, "%s drawn in the screenshot", name)
	}
	t.Logf("screenshot: %s", shot)
}
