// Command heiststat builds annual crypto-theft statistics from incident, price
// and FX feeds. See README.md.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/kong"
	"github.com/mattn/go-isatty"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline"
	"github.com/heiststat/heiststat/pipeline/landing"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// Exit statuses, documented in the README for cron (and 128+signal when interrupted).
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitDegraded = 3
	exitLocked   = 4
)

type cli struct {
	globals

	Run      runCmd      `cmd:"" help:"Fetch every source, build the models, run the data tests and publish a release."`
	Fetch    fetchCmd    `cmd:"" help:"Fetch and archive sources only (all, or those named); build and publish nothing."`
	Sources  sourcesCmd  `cmd:"" help:"List each source with its last success, freshness, bytes and last error."`
	Schedule scheduleCmd `cmd:"" help:"Run the fetch and build jobs on their cron schedules until SIGTERM or SIGINT."`
	Runs     runsCmd     `cmd:"" help:"List the run history, newest first."`
	Report   reportCmd   `cmd:"" help:"Print annual totals from the current release, with YoY arrows."`
	Query    queryCmd    `cmd:"" help:"Run read-only SQL over the current release (one table per dataset)."`
	Version  versionCmd  `cmd:"" help:"Print the version, VCS revision, Go and DuckDB versions."`
	Help     helpCmd     `cmd:"" help:"Show help for a command (heiststat help run)."`

	Completion  completionCmd  `cmd:"" help:"Print the shell completion script for bash, zsh or fish (bash: source <(heiststat completion bash))."`
	DedupReport dedupReportCmd `cmd:"" name:"dedup-report" help:"Measure the incident matching of a release against an independent merge (precision and recall of record pairs)."`
}

// globals are the flags every command takes; each also reads an environment
// variable, so cron and shells can set them once.
type globals struct {
	Config    string           `short:"c" env:"HEISTSTAT_CONFIG" type:"path" placeholder:"FILE" help:"Configuration file. Without this flag or variable: ./heiststat.yaml, else heiststat/config.yaml in the user config dir (~/.config)."`
	Out       string           `env:"HEISTSTAT_OUT" type:"path" placeholder:"DIR" help:"Publish to (or read releases from) this folder instead of the config's out_dir."`
	Data      string           `env:"HEISTSTAT_DATA" type:"path" placeholder:"DIR" help:"Use this data folder instead of the config's data_dir."`
	LogFormat string           `help:"Log format: auto (text on a terminal, JSON otherwise), text or json." enum:"auto,text,json" default:"auto"`
	Debug     bool             `help:"Also log debug records, such as each model's build time."`
	Version   kong.VersionFlag `help:"Print the version and exit."`
}

type runCmd struct {
	Offline bool `help:"Do not fetch: replay the latest archived snapshot of every source."`
	// A pointer, so that an absent flag leaves the config's lock_timeout.
	LockTimeout *time.Duration `help:"Wait this long for another writer to release the data folder (default: the config's lock_timeout, else 0: give up at once)."`
	ValueAt     string         `name:"value-at" help:"Also re-value incidents with native amounts at this date's prices and FX (YYYY-MM-DD), in extra value_at_* columns; overrides the config's value_at." placeholder:"YYYY-MM-DD"`
}

type versionCmd struct{}

type helpCmd struct {
	Command []string `arg:"" optional:"" help:"The command to describe."`
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return guard(stderr, func() int { return dispatch(args, stdout, stderr) })
}

// guard reports a panic in f as a failed run (1), with its stack: left to
// the runtime it exits 2, which callers read as a usage error.
func guard(stderr io.Writer, f func() int) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "heiststat: internal error: %v\n%s", r, debug.Stack())
			code = exitFailed
		}
	}()
	return f()
}

func dispatch(args []string, stdout, stderr io.Writer) (code int) {
	var c cli
	parser, err := kong.New(&c, kong.Name("heiststat"),
		kong.Description("Annual statistics of crypto thefts, valued at the theft date in USD, GBP and other currencies."),
		kong.Vars{"version": versionText()},
		kong.Writers(stdout, stderr), kong.Exit(func(code int) { panic(exitCode(code)) }))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
	if code, exited := catchExit(func() { complete(parser) }); exited {
		return code
	}
	if len(args) == 0 {
		args = []string{"--help"}
	}
	var kctx *kong.Context
	if code, exited := catchExit(func() { kctx, err = parser.Parse(args) }); exited {
		return code
	}
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitUsage
	}
	log := newLogger(c.LogFormat, c.Debug, stderr)
	ctx, stop := interruptible(context.Background())
	defer stop()
	defer func() {
		// A signal is not a failure: shells expect 128 + the signal's number.
		if sig := interruption(ctx); sig != 0 && code != exitOK && code != exitUsage {
			code = 128 + int(sig)
		}
	}()
	g := &c.globals

	switch kctx.Command() {
	case "report":
		return c.Report.exec(ctx, g, stdout, stderr)
	case "query <sql>":
		return c.Query.exec(ctx, g, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionText())
		return exitOK
	case "help", "help <command>":
		code, _ := catchExit(func() { _, _ = parser.Parse(append(c.Help.Command, "--help")) })
		return code
	case "completion <shell>":
		return c.Completion.exec(stdout, stderr)
	case "fetch", "fetch <sources>":
		return c.Fetch.exec(ctx, g, log, stdout, stderr)
	case "sources":
		return c.Sources.exec(g, stdout, stderr)
	case "schedule":
		return c.Schedule.exec(ctx, g, log, stderr)
	case "runs":
		return c.Runs.exec(ctx, g, stdout, stderr)
	case "dedup-report":
		return c.DedupReport.exec(ctx, stdout, stderr)
	default:
		return c.Run.exec(ctx, g, log, stdout, stderr)
	}
}

func (r *runCmd) exec(ctx context.Context, g *globals, log *slog.Logger, stdout, stderr io.Writer) int {
	cfg, err := g.load(r.LockTimeout)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitUsage
	}
	if r.ValueAt != "" {
		if _, err := time.Parse(time.DateOnly, r.ValueAt); err != nil {
			fmt.Fprintf(stderr, "heiststat: --value-at %q is not a YYYY-MM-DD date\n", r.ValueAt)
			return exitUsage
		}
		cfg.ValueAt = r.ValueAt
	}
	res, err := pipeline.Run(ctx, cfg, log, pipeline.Options{Offline: r.Offline, Progress: progressWriter(stderr)})
	if errors.Is(err, landing.ErrLocked) {
		log.Error("run not started", "error", err.Error())
		return exitLocked
	}
	if err != nil && interruption(ctx) != 0 {
		log.Warn("run interrupted: nothing published", "signal", interruption(ctx).String())
		return exitFailed
	}
	if err != nil {
		log.Error("run failed", "error", err.Error())
		return exitFailed
	}
	printSummary(stdout, res)
	// A run that changed nothing exits like the release that stays current.
	if res.Status == warehouse.StatusDegraded {
		return exitDegraded
	}
	return exitOK
}

// printSummary tells a person where the outputs are, what the figures cover
// and shows annual.csv, its columns read by name.
func printSummary(w io.Writer, res *pipeline.Result) {
	if res.Unchanged {
		fmt.Fprintf(w, "Nothing changed since release %s (status %s): nothing published\n", res.Manifest.RunID, res.Status)
	} else {
		fmt.Fprintf(w, "Published release %s (status %s)\n", res.RunID, res.Status)
	}
	fmt.Fprintf(w, "  current:  %s -> %s\n", res.Current, res.Release)
	fmt.Fprintf(w, "  Parquet:  %s\n", filepath.Join(res.Current, "parquet"))
	fmt.Fprintf(w, "  CSV:      %s\n", filepath.Join(res.Current, "csv"))
	fmt.Fprintf(w, "  report:   %s\n", filepath.Join(res.Current, "report.html"))
	fmt.Fprintf(w, "  manifest: %s\n", filepath.Join(res.Current, "manifest.json"))
	var stale []string
	for _, s := range res.Manifest.Sources {
		line := fmt.Sprintf("  source %-22s %-8s", s.Name, s.Freshness)
		if s.ArchivedAt != "" {
			line += " of " + s.ArchivedAt
		}
		if s.NotModified {
			line += " (not modified)"
		}
		if s.Error != "" {
			line += "  (" + shortError(s.Error) + ")"
		}
		if s.Freshness != "live" && !(s.Freshness == "bundled" && s.Location == "embedded") {
			stale = append(stale, s.Name+" "+s.Freshness)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
	if res.Status == warehouse.StatusDegraded {
		fmt.Fprintf(w, "!! DEGRADED: %s. Figures use archived or bundled data for these sources.\n\n", strings.Join(stale, ", "))
	}
	fmt.Fprintln(w, coverageLine(res.Manifest.Coverage, res.Manifest.IncidentFeeds))
	f, err := os.Open(filepath.Join(res.Current, "csv", "annual.csv"))
	if err != nil {
		return
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		fmt.Fprintln(w, "No incidents in this release.")
		return
	}
	cols := []string{"year", "incidents", "stolen_usd", "stolen_gbp", "yoy_stolen_usd_pct", "is_partial_year"}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = slices.Index(rows[0], c)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, row := range rows {
		for _, i := range idx {
			if i >= 0 {
				fmt.Fprint(tw, row[i])
			}
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// coverageLine says which incident feeds the figures come from.
func coverageLine(coverage string, feeds []string) string {
	switch coverage {
	case output.CoverageGeneral:
		return "Thefts from the incident feeds " + strings.Join(feeds, ", ") + " (thefts only; scams and collapses are in annual_by_category.csv):"
	case output.CoverageCuratedOnly:
		return "These figures are the curated DPRK list alone (no general incident feed could be read): they are not totals of all crypto thefts."
	default:
		return "No incident feed could be read: there are no incident figures."
	}
}

// shortError keeps an error readable in a table: URLs are cut to host and
// path, dropping their long queries (the JSON log has the whole text).
func shortError(s string) string {
	words := strings.Fields(s)
	for i, wd := range words {
		trimmed := strings.Trim(wd, `"'(),;:`)
		if u, err := url.Parse(trimmed); err == nil && u.Host != "" {
			words[i] = strings.Replace(wd, trimmed, u.Host+u.Path, 1)
		}
	}
	return strings.Join(words, " ")
}

func newLogger(format string, debug bool, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{}
	f, isFile := w.(*os.File)
	tty := isFile && isatty.IsTerminal(f.Fd())
	if format == "auto" {
		format = "json"
		if tty {
			format = "text"
		}
	}
	switch {
	case debug:
		opts.Level = slog.LevelDebug
	case tty && format == "text":
		// A person at a terminal gets warnings; the summary after the run
		// says the rest (the JSON log keeps every record).
		opts.Level = slog.LevelWarn
	}
	if tty {
		w = aboveBar{w}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// aboveBar clears the progress bar's line before a log line, so the line
// prints above the bar (which redraws below it) instead of through it.
type aboveBar struct{ w io.Writer }

func (a aboveBar) Write(p []byte) (int, error) {
	if _, err := io.WriteString(a.w, "\r\x1b[K"); err != nil {
		return 0, err
	}
	return a.w.Write(p)
}

type exitCode int

// catchExit turns kong's exit (after --help or a usage error) into a return.
func catchExit(f func()) (code int, exited bool) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(exitCode)
			if !ok {
				panic(r)
			}
			code, exited = int(c), true
		}
	}()
	f()
	return 0, false
}
