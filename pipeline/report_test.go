package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

// chromiumBin finds headless Chromium; CI (HEISTSTAT_REQUIRE_CHROMIUM) must
// have it.
func chromiumBin(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("HEISTSTAT_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium not installed, and HEISTSTAT_REQUIRE_CHROMIUM is set (CI)")
	}
	t.Skip("chromium not installed (apt-get install chromium; .ci/run installs it): skipping the browser rendering test")
	return ""
}

// viewAt renders report in an iframe width px wide (headless windows are at
// least 500 px wide, so a phone is an iframe), saves a screenshot and returns
// the DOM, whose title the harness sets to the report's scroll width and
// viewport width.
func viewAt(t *testing.T, bin, report string, width int, shot string) (dom string, scrollWidth, viewport int) {
	t.Helper()
	harness := filepath.Join(t.TempDir(), "harness.html")
	require.NoError(t, os.WriteFile(harness, []byte(fmt.Sprintf(`<!DOCTYPE html><html><head><style>body{margin:0}
iframe{border:0;width:%dpx;height:4000px;display:block}</style></head><body><iframe id="f" src="file://%s"></iframe>
<script>document.getElementById('f').onload=function(){var d=this.contentDocument;
document.title=d.documentElement.scrollWidth+'x'+this.contentWindow.innerWidth;
document.body.setAttribute('data-report', d.documentElement.outerHTML);};</script></body></html>`, width, report)), 0o644))
	run := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--allow-file-access-from-files",
			"--disable-background-networking", "--disable-component-update", "--no-first-run", "--virtual-time-budget=5000",
			"--user-data-dir=" + t.TempDir(), fmt.Sprintf("--window-size=%d,2400", max(width, 500))}
		cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+harness)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, stderr.String())
		return out
	}
	dom = html.UnescapeString(string(run("--dump-dom")))
	m := regexp.MustCompile(`<title>(\d+)x(\d+)</title>`).FindStringSubmatch(dom)
	require.NotNil(t, m, "the harness measured the report")
	scrollWidth, _ = strconv.Atoi(m[1])
	viewport, _ = strconv.Atoi(m[2])
	run("--screenshot=" + shot)
	return dom, scrollWidth, viewport
}

// Headless Chromium renders report.html on a 1400 px screen and a 390 px
// phone: no horizontal overflow (tables scroll in their own box, charts
// scale), the page text and both charts are there, the chart colours show in
// the screenshots, which are kept as test artifacts (go test -artifacts).
func TestReportRendersInChromium(t *testing.T) {
	bin := chromiumBin(t)
	dir := t.TempDir()
	cfg := parse(t, fixtureYAML(t), dir)
	report := offlineReport(t, cfg, time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC))
	for _, width := range []int{1400, 390} {
		shot := filepath.Join(t.ArtifactDir(), fmt.Sprintf("report_%d.png", width))
		dom, scroll, viewport := viewAt(t, bin, report, width, shot)
		require.Equal(t, width, viewport)
		require.LessOrEqual(t, scroll, viewport, "no horizontal overflow at %d px", width)
		for _, text := range []string{"Crypto thefts per year", "Annual totals", "Attributed to DPRK",
			"Largest incidents", "basis of the amount", "Methodology", "ECB euro reference rates", "Provenance", "curated_dprk",
			"Figures come from the incident feeds", `href="csv/annual.csv"`} {
			require.Contains(t, dom, text)
		}
		require.Regexp(t, `DPRK-linked thefts numbered \d+`, dom)
		require.Regexp(t, `(valued from [0-9,.]+ \w+.* close|as reported by \w+)`, dom)
		require.Len(t, regexp.MustCompile(`<svg`).FindAllString(dom, -1), 3, "totals, DPRK value and DPRK share charts")
		require.Greater(t, len(regexp.MustCompile(`<path[^>]* d="M[^"]+"`).FindAllString(dom, -1)), 40, "plotted bars and axes")
		for _, size := range regexp.MustCompile(`font-size:(\d+)px`).FindAllStringSubmatch(dom, -1) {
			px, _ := strconv.Atoi(size[1])
			require.GreaterOrEqual(t, px, chartFontPx, "chart text size in chart units")
		}

		f, err := os.Open(shot)
		require.NoError(t, err)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err)
		colours := map[uint32]int{}
		bounds := img.Bounds()
		for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
			for x := bounds.Min.X; x < min(bounds.Max.X, width); x += 2 {
				r, g, b, _ := img.At(x, y).RGBA()
				colours[(r>>8)<<16|(g>>8)<<8|b>>8]++
			}
		}
		require.Greater(t, len(colours), 20, "the screenshot is not blank")
		for name, rgb := range map[string]uint32{"USD bars": 0x1f5f9f, "GBP bars": 0xd97a1c, "DPRK bars": 0xb01e2d} {
			require.Greater(t, colours[rgb], 30, "%s drawn in the %d px screenshot", name, width)
		}
		t.Logf("screenshot: %s", shot)
	}
}

// chartFontPx is the chart text size in chart units: on a 390 px phone the
// chart is about 358 px wide for 397 units, so text reads at 11.7 px.
const chartFontPx = 13

// With the network unreachable only the curated list is read: the report
// says so and never claims a share of all crypto stolen.
func TestOfflineReportSaysCuratedListOnly(t *testing.T) {
	report := offlineReport(t, parse(t, offlineYAML, t.TempDir()), time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC))
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	page := string(b)
	require.Contains(t, page, "These figures are the curated DPRK list alone")
	require.Contains(t, page, `id="degraded"`, "a visible banner names the stale sources")
	require.Contains(t, page, "defillama_hacks (")
	require.NotContains(t, page, "of all crypto stolen")
	require.NotContains(t, page, "share of the year")
	m, err := os.ReadFile(filepath.Join(filepath.Dir(report), "manifest.json"))
	require.NoError(t, err)
	require.Contains(t, string(m), `"coverage": "curated_list_only"`)
	require.Contains(t, string(m), `"incident_feeds": [
    "curated"
  ]`)
}
