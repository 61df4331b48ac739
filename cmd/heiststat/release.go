package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/heiststat/heiststat/output"
	"github.com/heiststat/heiststat/pipeline/warehouse"
)

// current is the release the read commands work on: the config's
// out_dir/current, or --out's.
func (g *globals) current() (string, error) {
	out := g.Out
	if out == "" {
		cfg, err := g.load(nil)
		if err != nil {
			return "", err
		}
		out = cfg.OutDir
	}
	dir := filepath.Join(out, "current")
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		return "", noRelease{fmt.Errorf("no published release at %s (run heiststat run first): %w", dir, err)}
	}
	return dir, nil
}

// openCurrent loads the current release for a read command; on failure it
// has printed why and returns the exit status.
func (g *globals) openCurrent(ctx context.Context, stderr io.Writer) (rel *output.Release, dir string, code int) {
	dir, err := g.current()
	if err != nil {
		return nil, "", releaseError(stderr, err)
	}
	db, err := warehouse.Open("")
	if err == nil {
		rel, err = output.OpenRelease(ctx, db, dir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return nil, "", exitFailed
	}
	return rel, dir, exitOK
}

// noRelease is a read command's missing release: a failure, not a usage error.
type noRelease struct{ error }

// releaseError prints why a read command has no release and gives its exit
// status: 1 when nothing is published yet, 2 for a configuration error.
func releaseError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "heiststat: %v\n", err)
	if _, ok := errors.AsType[noRelease](err); ok {
		return exitFailed
	}
	return exitUsage
}
