package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// report collects the measurements and the equivalence checks of one bench run.
type report struct {
	Seed   uint64
	Runs   []measurement
	Checks []string
	Total  time.Duration
}

func (r *report) add(m measurement) { r.Runs = append(r.Runs, m) }

func (r *report) find(job, scale string) *measurement {
	for i := range r.Runs {
		if r.Runs[i].Job == job && r.Runs[i].Scale == scale {
			return &r.Runs[i]
		}
	}
	return nil
}

// annualRow is the part of annual.csv the three jobs must agree on.
type annualRow struct {
	incidents      int64
	stolen, stoGBP float64
	text           string // the exact cells, for the DuckDB comparison
}

func readAnnual(path string) (map[string]annualRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, c := range []string{"year", "incidents", "stolen_usd", "stolen_gbp"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: no column %s", path, c)
		}
	}
	out := map[string]annualRow{}
	for _, rec := range recs[1:] {
		var a annualRow
		a.incidents, _ = strconv.ParseInt(rec[col["incidents"]], 10, 64)
		a.stolen, _ = strconv.ParseFloat(rec[col["stolen_usd"]], 64)
		a.stoGBP, _ = strconv.ParseFloat(rec[col["stolen_gbp"]], 64)
		a.text = strings.Join([]string{rec[col["incidents"]], rec[col["stolen_usd"]], rec[col["stolen_gbp"]]}, ",")
		out[rec[col["year"]]] = a
	}
	return out, nil
}

// compare checks that the reference and pandas give heiststat's annual
// incidents, stolen_usd and stolen_gbp on the same input: exactly for the
// reference (the same DuckDB), within a cent a year for pandas. The
// generated victims are distinct incidents to heiststat's matching (see
// bench/gen), so any disagreement means a job computes something else, and
// the bench fails.
func (r *report) compare(scale string, h, ref, pd measurement) error {
	hs, err := readAnnual(filepath.Join(h.Out, "csv", "annual.csv"))
	if err != nil {
		return err
	}
	rs, err := readAnnual(filepath.Join(ref.Out, "annual.csv"))
	if err != nil {
		return err
	}
	ps, err := readAnnual(filepath.Join(pd.Out, "annual.csv"))
	if err != nil {
		return err
	}
	var diffs []string
	var maxUSD, maxGBP float64
	exact := true
	for year, a := range hs {
		if b, ok := rs[year]; !ok || b.text != a.text {
			diffs = append(diffs, fmt.Sprintf("%s: heiststat %s, reference %s", year, a.text, b.text))
		}
		p, ok := ps[year]
		if !ok || p.incidents != a.incidents || apartCents(p.stolen, a.stolen) > 1 || apartCents(p.stoGBP, a.stoGBP) > 1 {
			diffs = append(diffs, fmt.Sprintf("%s: heiststat %s, pandas %s", year, a.text, p.text))
		}
		exact = exact && p.text == a.text
		maxUSD = max(maxUSD, math.Abs(p.stolen-a.stolen))
		maxGBP = max(maxGBP, math.Abs(p.stoGBP-a.stoGBP))
	}
	if len(rs) != len(hs) || len(ps) != len(hs) {
		diffs = append(diffs, fmt.Sprintf("years: heiststat %d, reference %d, pandas %d", len(hs), len(rs), len(ps)))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s: the jobs' annual totals (incidents, stolen_usd, stolen_gbp) differ:\n  %s", scale, strings.Join(diffs, "\n  "))
	}
	pandas := "identical"
	if !exact {
		pandas = fmt.Sprintf("within a cent (largest difference %.2f USD and %.2f GBP in a year's total)", maxUSD, maxGBP)
	}
	r.Checks = append(r.Checks, fmt.Sprintf("%s: annual.csv (year, incidents, stolen_usd, stolen_gbp) of the DuckDB-SQL reference is identical "+
		"to heiststat's for all %d years; pandas' is %s.", scale, len(hs), pandas))
	return nil
}

// apartCents is how many cents two money figures read from CSV differ by.
func apartCents(x, y float64) int64 {
	d := math.Round(x*100) - math.Round(y*100)
	return int64(math.Abs(d))
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
func mb(b int64) string           { return fmt.Sprintf("%d MB", b>>20) }

func stageCell(m measurement, s string) string {
	if v, ok := m.Stages[s]; ok {
		return fmt.Sprintf("%.2f", float64(v)/1000)
	}
	if v, ok := m.Phases[s]; ok {
		return fmt.Sprintf("%.2f", v)
	}
	return ""
}

// table is the printed summary: every job, then the ratios and targets.
func (r *report) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n| job | input | wall | peak RSS | extract s | models s | tests s | publish s |\n|---|---|---|---|---|---|---|---|\n")
	for _, m := range r.Runs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", m.Job, m.Scale, secs(m.Wall), mb(m.RSS),
			stageCell(m, "extract"), stageCell(m, "models"), stageCell(m, "test"), stageCell(m, "publish"))
	}
	fmt.Fprintf(&b, "\n| input | heiststat / DuckDB-SQL | pandas / heiststat | RSS heiststat | RSS DuckDB-SQL | RSS pandas |\n|---|---|---|---|---|---|\n")
	for _, m := range r.Runs {
		if m.Job != "heiststat" || m.Scale == "real snapshot" {
			continue
		}
		ref, pd := r.find("DuckDB-SQL reference", m.Scale), r.find("pandas", m.Scale)
		if ref == nil || pd == nil {
			continue
		}
		fmt.Fprintf(&b, "| %s | %.2f | %.1f | %s | %s | %s |\n", m.Scale, m.Wall.Seconds()/ref.Wall.Seconds(),
			pd.Wall.Seconds()/m.Wall.Seconds(), mb(m.RSS), mb(ref.RSS), mb(pd.RSS))
	}
	b.WriteString("\n" + r.targets())
	if ref, fl := r.find("DuckDB-SQL reference", "1000x"), r.find("landing floor", "1000x"); ref != nil && fl != nil {
		fmt.Fprintf(&b, "\nAt 1000x, 1.25× the reference leaves %s for all heiststat does beyond it; landing the inputs alone "+
			"(the landing floor: read, sha256, write and fsync on every core, no compression, no records) took %s.\n",
			secs(ref.Wall/4), secs(fl.Wall))
	}
	return b.String()
}

// targets states each of the targets against the measurement.
func (r *report) targets() string {
	var b strings.Builder
	b.WriteString("| target | measured | met |\n|---|---|---|\n")
	row := func(name, got string, ok bool) {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, got, map[bool]string{true: "yes", false: "**no**"}[ok])
	}
	if h, ref, pd := r.find("heiststat", "1000x"), r.find("DuckDB-SQL reference", "1000x"), r.find("pandas", "1000x"); h != nil && ref != nil && pd != nil {
		q := h.Wall.Seconds() / ref.Wall.Seconds()
		row("1000x: heiststat ≤ 1.25× DuckDB-SQL", fmt.Sprintf("%.2f×", q), q <= 1.25)
		p := pd.Wall.Seconds() / h.Wall.Seconds()
		row("1000x: heiststat ≥ 10× faster than pandas", fmt.Sprintf("%.1f×", p), p >= 10)
		row("1000x: peak RSS ≤ 2 GB", mb(h.RSS), h.RSS <= 2<<30)
	}
	if s := r.find("heiststat", "real snapshot"); s != nil {
		row("real snapshot end to end ≤ 2 s (process start included)", secs(s.Wall), s.Wall <= 2*time.Second)
	}
	for _, m := range r.Runs {
		if m.Job == "heiststat, second run" {
			row(fmt.Sprintf("no-change run ≤ 0.5 s (%s; measured as a second run with identical inputs)", m.Scale), secs(m.Wall), m.Wall <= 500*time.Millisecond)
		}
	}
	return b.String()
}

func (r *report) markdown() string {
	var b strings.Builder
	b.WriteString("# heiststat benchmark results\n\nWritten by `make bench` (bench/heistbench); do not edit by hand. How to read and reproduce it: docs/benchmarks.md.\n\n")
	b.WriteString("## Machine\n\n")
	for _, kv := range machine() {
		fmt.Fprintf(&b, "- %s: %s\n", kv[0], kv[1])
	}
	fmt.Fprintf(&b, "- generator seed: %d; whole bench: %s\n\n", r.Seed, secs(r.Total))
	b.WriteString("## Jobs, ratios and targets\n\nWall time includes process start; peak RSS is the process's maximum resident set (wait4 rusage). Stage columns come from heiststat's own JSON log (extract = the slowest source, the sources run concurrently) and from the pandas script's phase timer (read, compute, write).\n")
	b.WriteString(r.table())
	for _, m := range r.Runs {
		if m.Job == "pandas" && m.Phases != nil {
			fmt.Fprintf(&b, "\npandas %s phases: read %.2f s, compute %.2f s, write %.2f s\n", m.Scale, m.Phases["read"], m.Phases["compute"], m.Phases["write"])
		}
	}
	b.WriteString("\n## Same answers\n\n")
	for _, c := range r.Checks {
		b.WriteString("- " + c + "\n")
	}
	return b.String()
}

// machine describes where the numbers were measured.
func machine() [][2]string {
	cpu := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	var si syscall.Sysinfo_t
	ram := "unknown"
	if syscall.Sysinfo(&si) == nil {
		ram = fmt.Sprintf("%.1f GiB", float64(si.Totalram)*float64(si.Unit)/(1<<30))
	}
	osName := runtime.GOOS
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				osName = strings.Trim(v, `"`)
			}
		}
	}
	var u syscall.Utsname
	if syscall.Uname(&u) == nil {
		osName += ", kernel " + cstr(u.Release[:])
	}
	// The machine is shared: how busy it was says how far to trust a timing.
	load := "unknown"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			load = strings.Join(f[:3], ", ") + " (1, 5 and 15 min, at the end of the bench, its own jobs included)"
		}
	}
	return [][2]string{
		{"date (UTC)", time.Now().UTC().Format(time.RFC3339)},
		{"load average", load},
		{"CPU", cpu},
		{"cores", strconv.Itoa(runtime.NumCPU())},
		{"RAM", ram},
		{"OS", osName},
		{"Go", runtime.Version()},
		{"DuckDB", duckdbVersion()},
	}
}

func cstr(cs []int8) string {
	var b strings.Builder
	for _, c := range cs {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return b.String()
}
