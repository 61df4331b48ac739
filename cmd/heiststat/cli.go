package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/alecthomas/kong"
	"github.com/willabides/kongplete"

	"github.com/heiststat/heiststat/pipeline"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// versionText names the build: module version, VCS revision and time (as
// the Go toolchain stamps them), Go and DuckDB versions.
func versionText() string {
	version, revision, when, dirty := "(devel)", "unknown", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if dirty {
		revision += "+dirty"
	}
	if when != "" {
		revision += " (" + when + ")"
	}
	return fmt.Sprintf("heiststat %s\n  revision %s\n  %s %s/%s\n  DuckDB %s",
		version, revision, runtime.Version(), runtime.GOOS, runtime.GOARCH, warehouse.DuckDBVersion())
}

// sigCause carries the signal that cancelled a command's context.
type sigCause struct{ sig syscall.Signal }

func (s sigCause) Error() string { return s.sig.String() + " received" }

// interruptible cancels ctx on SIGINT or SIGTERM, with the signal as the cause.
func interruptible(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	var stopped atomic.Bool
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			cancel(sigCause{s.(syscall.Signal)})
		case <-done:
		}
	}()
	return ctx, func() {
		if stopped.CompareAndSwap(false, true) {
			signal.Stop(ch)
			close(done)
			cancel(nil)
		}
	}
}

// interruption is the signal that cancelled ctx, or 0.
func interruption(ctx context.Context) syscall.Signal {
	if c, ok := errors.AsType[sigCause](context.Cause(ctx)); ok {
		return c.sig
	}
	return 0
}

// configPath finds the configuration file in the documented search order.
func (g *globals) configPath() (string, error) {
	if g.Config != "" { // the flag or $HEISTSTAT_CONFIG
		return g.Config, nil
	}
	tried := []string{"heiststat.yaml"}
	if dir, err := os.UserConfigDir(); err == nil {
		tried = append(tried, filepath.Join(dir, "heiststat", "config.yaml"))
	}
	for _, p := range tried {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no configuration file: pass --config FILE or set HEISTSTAT_CONFIG (also looked for %s)", strings.Join(tried, " and "))
}

// load reads the configuration and applies the command-line overrides.
func (g *globals) load(lockTimeout *time.Duration) (*pipeline.Config, error) {
	path, err := g.configPath()
	if err != nil {
		return nil, err
	}
	cfg, err := pipeline.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	if g.Out != "" {
		cfg.OutDir = g.Out
	}
	if g.Data != "" {
		cfg.DataDir = g.Data
	}
	if lockTimeout != nil {
		if *lockTimeout < 0 {
			return nil, errors.New("--lock-timeout must be >= 0")
		}
		cfg.LockTimeout = *lockTimeout
	}
	return cfg, nil
}

// complete answers a shell's completion request (COMP_LINE set) and exits;
// otherwise it returns at once.
func complete(parser *kong.Kong) {
	kongplete.Complete(parser)
}

type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

// completionScripts ask the binary itself for completions (COMP_LINE), so
// they never go stale when commands or flags change.
var completionScripts = map[string]string{
	"bash": "complete -C %[1]q heiststat\n",
	"zsh":  "autoload -U +X bashcompinit && bashcompinit\ncomplete -C %[1]q heiststat\n",
	"fish": "function __complete_heiststat\n    set -lx COMP_LINE (commandline -cp)\n    test -z (commandline -ct)\n    and set COMP_LINE \"$COMP_LINE \"\n    %[1]q\nend\ncomplete -f -c heiststat -a \"(__complete_heiststat)\"\n",
}

func (c *completionCmd) exec(stdout, stderr io.Writer) int {
	bin, err := os.Executable()
	if err == nil {
		bin, err = filepath.Abs(bin)
	}
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: finding this binary: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, completionScripts[c.Shell], bin)
	return exitOK
}
