package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type runFlags struct {
	scales  string
	seed    uint64
	work    string
	bin     string
	python  string
	results string
	sql     string
	pandas  string
}

// measurement is one timed child process.
type measurement struct {
	Job     string
	Scale   string
	Wall    time.Duration
	RSS     int64            // peak resident set, bytes (wait4 rusage)
	Stages  map[string]int64 // milliseconds, from heiststat's log
	Phases  map[string]float64
	Out     string // output folder
	Comment string
}

func runCmd(args []string) error {
	var f runFlags
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	fs.StringVar(&f.scales, "scales", "100,1000", "synthetic scales to run (the real snapshot always runs)")
	fs.Uint64Var(&f.seed, "seed", 1, "generator seed")
	fs.StringVar(&f.work, "work", "data/bench", "git-ignored work folder (generated inputs are cached here)")
	fs.StringVar(&f.bin, "bin", "bin/heiststat", "the heiststat binary")
	fs.StringVar(&f.python, "python", "/usr/bin/python3", "python with Debian's python3-pandas")
	fs.StringVar(&f.results, "results", "bench/results.md", "results file to write")
	fs.StringVar(&f.sql, "sql", "bench/reference.sql", "the DuckDB-SQL reference script")
	fs.StringVar(&f.pandas, "pandas", "bench/pandas_job.py", "the pandas job")
	fs.Parse(args)
	started := time.Now()

	var scales []int
	for _, s := range strings.Split(f.scales, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bad scale %q", s)
		}
		scales = append(scales, n)
	}
	work, err := filepath.Abs(f.work)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	rep := &report{Seed: f.seed}

	// Job 1: the real snapshot end to end, cold (fresh data folder), then
	// again with identical inputs.
	snapDir := filepath.Join(work, "run", "snapshot")
	if err := os.RemoveAll(snapDir); err != nil {
		return err
	}
	m, err := heiststat(f.bin, "configs/snapshot.yaml", snapDir, "real snapshot")
	if err != nil {
		return err
	}
	rep.add(m)
	if m, err = heiststat(f.bin, "configs/snapshot.yaml", snapDir, "real snapshot"); err != nil {
		return err
	}
	m.Job = "heiststat, second run"
	rep.add(m)

	for i, scale := range scales {
		label := fmt.Sprintf("%dx", scale)
		t := time.Now()
		in, err := generated(work, scale, f.seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "inputs %s ready in %s: %s\n", label, time.Since(t).Round(time.Millisecond), in)
		dir := filepath.Join(work, "run", label)
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		cfg, err := writeConfig(in, dir)
		if err != nil {
			return err
		}
		h, err := heiststat(f.bin, cfg, dir, label)
		if err != nil {
			return err
		}
		rep.add(h)
		// The second run of the smallest synthetic scale stands for the
		// no-change run at every scale.
		if i == 0 {
			m, err := heiststat(f.bin, cfg, dir, label)
			if err != nil {
				return err
			}
			m.Job = "heiststat, second run"
			rep.add(m)
		}
		refOut := filepath.Join(dir, "reference")
		r, err := timed("DuckDB-SQL reference", label, refOut, exec.Command(self, "ref", "-sql", f.sql, "-in", in, "-out", refOut))
		if err != nil {
			return err
		}
		rep.add(r)
		floorOut := filepath.Join(dir, "floor")
		fl, err := timed("landing floor", label, floorOut, exec.Command(self, "floor", "-in", in, "-out", floorOut))
		if err != nil {
			return err
		}
		rep.add(fl)
		// The copies are only there to be timed.
		if err := os.RemoveAll(floorOut); err != nil {
			return err
		}
		pdOut := filepath.Join(dir, "pandas")
		cmd := exec.Command(f.python, f.pandas, in, pdOut)
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		p, err := timed("pandas", label, pdOut, cmd)
		if err != nil {
			return err
		}
		_ = json.Unmarshal(stdout.Bytes(), &p.Phases)
		rep.add(p)
		if err := rep.compare(label, h, r, p); err != nil {
			return err
		}
	}
	rep.Total = time.Since(started)
	text := rep.markdown()
	fmt.Print(rep.table())
	return os.WriteFile(f.results, []byte(text), 0o644)
}

// writeConfig points heiststat's sources at the generated feeds.
func writeConfig(in, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cfg := fmt.Sprintf(`# Written by heistbench for the generated feeds in %[1]s.
data_dir: data
out_dir: out
currencies: [GBP]
# Every category counts, as in the reference and pandas jobs (the default
# leaves rug pulls out of the annual totals).
theft_categories: [hack_exploit, key_compromise, phishing, rug_pull_scam, other]
sources:
  - {name: defillama_hacks, type: defillama_hacks, location: %[1]s/defillama/hacks.json}
  - {name: ecb_fx, type: ecb_eurofxref, location: %[1]s/ecb/eurofxref-hist.csv}
  - {name: prices_yfinance, type: prices_yfinance, location: %[1]s/yfinance}
  - {name: curated, type: curated_incidents, location: %[1]s/curated/incidents.csv}
`, in)
	p := filepath.Join(dir, "heiststat.yaml")
	return p, os.WriteFile(p, []byte(cfg), 0o644)
}

// heiststat runs one heiststat process with data and out under dir and reads
// its stage timings from the JSON log.
func heiststat(bin, cfg, dir, scale string) (measurement, error) {
	cmd := exec.Command(bin, "run", "--config", cfg, "--data", filepath.Join(dir, "data"),
		"--out", filepath.Join(dir, "out"), "--log-format", "json")
	var logBuf bytes.Buffer
	cmd.Stderr = &logBuf
	m, err := timed("heiststat", scale, filepath.Join(dir, "out", "current"), cmd)
	if err != nil {
		return m, fmt.Errorf("%w\n%s", err, logBuf.String())
	}
	m.Stages = stages(logBuf.Bytes())
	// Keep the last log beside the run, for a closer look at the stages.
	return m, os.WriteFile(filepath.Join(dir, "heiststat.log"), logBuf.Bytes(), 0o644)
}

// stages sums duration_ms per stage; extract runs its sources concurrently,
// so its time is the slowest source.
func stages(log []byte) map[string]int64 {
	out := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec struct {
			Stage    string `json:"stage"`
			Duration *int64 `json:"duration_ms"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.Stage == "" || rec.Duration == nil {
			continue
		}
		if rec.Stage == "extract" {
			out[rec.Stage] = max(out[rec.Stage], *rec.Duration)
		} else {
			out[rec.Stage] += *rec.Duration
		}
	}
	return out
}

// timed runs cmd and measures its wall time and peak RSS. heiststat's exit
// status 3 (published, degraded) counts as success.
func timed(job, scale, out string, cmd *exec.Cmd) (measurement, error) {
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	fmt.Fprintf(os.Stderr, "running %s (%s)...\n", job, scale)
	start := time.Now()
	err := cmd.Run()
	m := measurement{Job: job, Scale: scale, Wall: time.Since(start), Out: out}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.RSS = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		err = nil
	}
	if err != nil {
		return m, fmt.Errorf("%s (%s): %w", job, scale, err)
	}
	fmt.Fprintf(os.Stderr, "  %s wall, %d MB peak RSS\n", m.Wall.Round(time.Millisecond), m.RSS>>20)
	return m, nil
}
