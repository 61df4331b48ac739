package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/heiststat/heiststat/pipeline"
	"github.com/heiststat/heiststat/pipeline/landing"
)

type fetchCmd struct {
	Sources []string `arg:"" optional:"" help:"Source names to fetch (default: all)."`
	// A pointer, so that an absent flag leaves the config's lock_timeout.
	LockTimeout *time.Duration `help:"Wait this long for another writer to release the data folder (default: the config's lock_timeout)."`
}

// exec fetches and archives. Exit 0 when every source fetched, 3 when some
// failed (their archive is untouched), 1 when none could be fetched.
func (f *fetchCmd) exec(ctx context.Context, g *globals, log *slog.Logger, stdout, stderr io.Writer) int {
	cfg, err := g.load(f.LockTimeout)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitUsage
	}
	res, err := pipeline.Fetch(ctx, cfg, log, pipeline.FetchOptions{Sources: f.Sources, Progress: progressWriter(stderr)})
	switch {
	case errors.Is(err, landing.ErrLocked):
		log.Error("fetch not started", "error", err.Error())
		return exitLocked
	case errors.Is(err, pipeline.ErrUnknownSource):
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitUsage
	case err != nil:
		log.Error("fetch failed", "error", err.Error())
		return exitFailed
	}
	failed := 0
	for _, e := range res {
		line := fmt.Sprintf("%-22s %-8s", e.Source.Name(), e.Freshness)
		switch {
		case e.FetchErr != nil:
			failed++
			line += "  " + shortError(e.FetchErr.Error())
		case e.Snapshot != nil:
			line += fmt.Sprintf("  %d bytes", e.Snapshot.Bytes())
			if e.NotModified {
				line += ", not modified (304)"
			} else if e.Unchanged {
				line += ", unchanged"
			}
		}
		fmt.Fprintln(stdout, line)
	}
	switch {
	case failed == 0:
		return exitOK
	case failed == len(res):
		return exitFailed
	default:
		return exitDegraded
	}
}

type sourcesCmd struct {
	JSON bool `help:"Print JSON instead of a table."`
}

func (s *sourcesCmd) exec(g *globals, stdout, stderr io.Writer) int {
	cfg, err := g.load(nil)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitUsage
	}
	states, err := pipeline.Sources(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitFailed
	}
	if s.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(states); err != nil {
			return exitFailed
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tTYPE\tFRESHNESS\tLAST SUCCESS (UTC)\tBYTES\tLAST ERROR")
	for _, st := range states {
		last := "never"
		if st.LastSuccess != nil {
			last = st.LastSuccess.Format(time.RFC3339)
			if st.NotModified {
				last += " (304)"
			}
		}
		lastErr := st.LastError
		if n := len(st.Unusable); n > 0 && lastErr == "" {
			u := st.Unusable[n-1]
			lastErr = fmt.Sprintf("snapshot %s unusable: %s", u.FetchedAt.Format(time.RFC3339), u.Reason)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", st.Name, st.Type, st.Freshness, last, st.Bytes, shortError(firstLine(lastErr)))
	}
	tw.Flush()
	for _, st := range states {
		for _, n := range st.Skipped {
			fmt.Fprintf(stderr, "%s: %s\n", st.Name, n)
		}

	}
	return exitOK
}

// progressWriter is where progress bars go: stderr when it is a terminal,
// nowhere otherwise (scheduled runs log one line per source per stage).
func progressWriter(stderr io.Writer) io.Writer {
	if f, ok := stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		return f
	}
	return nil
}
