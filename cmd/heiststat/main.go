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
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/kong"
	"github.com/mattn/go-isatty"

	"github.com/heiststat/heiststat/pipeline"
)

// Exit statuses, documented in the README for cron.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitDegraded = 3
	exitLocked   = 4
)

type cli struct {
	LogFormat string `help:"Log format: auto (text on a terminal, JSON otherwise), text or json." enum:"auto,text,json" default:"auto"`
	Debug     bool   `help:"Also log debug records, such as each model's build time."`

	Run      runCmd      `cmd:"" help:"Fetch every source, build the models, run the data tests and publish a release."`
	Fetch    fetchCmd    `cmd:"" help:"Fetch and archive sources only (all, or those named); build and publish nothing."`
	Sources  sourcesCmd  `cmd:"" help:"List each source with its last success, freshness, bytes and last error."`
	Schedule scheduleCmd `cmd:"" help:"Run the fetch and build jobs on their cron schedules until SIGTERM or SIGINT."`
	Runs     runsCmd     `cmd:"" help:"List the run history, newest first."`
	Report   reportCmd   `cmd:"" help:"Print annual totals from the current release, with YoY arrows."`
	Query    queryCmd    `cmd:"" help:"Run read-only SQL over the current release (one table per dataset)."`
	Version  versionCmd  `cmd:"" help:"Print the version."`

	DedupReport dedupReportCmd `cmd:"" name:"dedup-report" help:"Measure the incident matching of a release against an independent merge (precision and recall of record pairs)."`
}

type runCmd struct {
	Config  string `short:"c" help:"Configuration file." default:"configs/default.yaml" type:"existingfile"`
	Out     string `help:"Publish under this folder instead of the config's out_dir." type:"path"`
	Data    string `help:"Use this data folder instead of the config's data_dir." type:"path"`
	Offline bool   `help:"Do not fetch: replay the latest archived snapshot of every source."`
	// A pointer, so that an absent flag leaves the config's lock_timeout.
	LockTimeout *time.Duration `help:"Wait this long for another writer to release the data folder (default: the config's lock_timeout, else 0: give up at once)."`
	ValueAt     string         `name:"value-at" help:"Also re-value incidents with native amounts at this date's prices and FX (YYYY-MM-DD), in extra value_at_* columns; overrides the config's value_at." placeholder:"YYYY-MM-DD"`
}

type versionCmd struct{}

var version = "dev"

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

func dispatch(args []string, stdout, stderr io.Writer) int {
	var c cli
	parser, err := kong.New(&c, kong.Name("heiststat"),
		kong.Description("Annual statistics of crypto thefts, valued at the theft date in USD, GBP and other currencies."),
		kong.Writers(stdout, stderr), kong.Exit(func(code int) { panic(exitCode(code)) }))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch kctx.Command() {
	case "report":
		return c.Report.exec(ctx, stdout, stderr)
	case "query <sql>":
		return c.Query.exec(ctx, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "heiststat", version)
		return exitOK
	case "fetch", "fetch <sources>":
		return c.Fetch.exec(ctx, log, stdout, stderr)
	case "sources":
		return c.Sources.exec(stdout, stderr)
	case "schedule":
		return c.Schedule.exec(ctx, log, stderr)
	case "runs":
		return c.Runs.exec(ctx, stdout, stderr)
	case "dedup-report":
		return c.DedupReport.exec(ctx, stdout, stderr)
	default:
		return c.Run.exec(ctx, log, stdout, stderr)
	}
}

func (r *runCmd) exec(ctx context.Context, log *slog.Logger, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(r.Config, r.Out, r.Data, r.LockTimeout)
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
	if errors.Is(err, pipeline.ErrLocked) {
		log.Error("run not started", "error", err.Error())
		return exitLocked
	}
	if err != nil {
		log.Error("run failed", "error", err.Error())
		return exitFailed
	}
	printSummary(stdout, res)
	// A run that changed nothing exits like the release that stays current.
	if res.Status == pipeline.StatusDegraded {
		return exitDegraded
	}
	return exitOK
}

// printSummary tells a person where the outputs are and shows annual.csv.
func printSummary(w io.Writer, res *pipeline.Result) {
	if res.Unchanged {
		fmt.Fprintf(w, "Nothing changed since release %s (status %s): nothing published\n", res.Manifest.RunID, res.Status)
	} else {
		fmt.Fprintf(w, "Published release %s (status %s)\n", res.RunID, res.Status)
	}
	fmt.Fprintf(w, "  current:  %s -> %s\n", res.Current, res.Release)
	fmt.Fprintf(w, "  Parquet:  %s\n", filepath.Join(res.Current, "parquet"))
	fmt.Fprintf(w, "  CSV:      %s\n", filepath.Join(res.Current, "csv"))
	fmt.Fprintf(w, "  manifest: %s\n", filepath.Join(res.Current, "manifest.json"))
	for _, s := range res.Manifest.Sources {
		line := fmt.Sprintf("  source %-22s %-8s", s.Name, s.Freshness)
		if s.ArchivedAt != "" {
			line += " of " + s.ArchivedAt
		}
		if s.NotModified {
			line += " (not modified)"
		}
		if s.Error != "" {
			line += "  (" + s.Error + ")"
		}
		fmt.Fprintln(w, line)
	}
	f, err := os.Open(filepath.Join(res.Current, "csv", "annual.csv"))
	if err != nil {
		return
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, row := range rows {
		// year, incidents, stolen_usd, stolen_gbp, yoy_stolen_usd_pct, is_partial_year
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", row[0], row[1], row[2], row[3], row[6], row[8])
	}
	tw.Flush()
}

func newLogger(format string, debug bool, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{}
	if debug {
		opts.Level = slog.LevelDebug
	}
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
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
