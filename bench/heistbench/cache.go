package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/heiststat/heiststat/bench/gen"
)

// generated returns the folder holding the feeds for scale and seed under
// work, generating them only when no complete copy is cached.
func generated(work string, scale int, seed uint64) (string, error) {
	dir, err := filepath.Abs(filepath.Join(work, "gen", fmt.Sprintf("x%d-seed%d-v%s", scale, seed, gen.Version)))
	if err != nil {
		return "", err
	}
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return dir, nil
	}
	// Generate beside the final folder and rename, so an interrupted run
	// never leaves a half-written cache that looks complete.
	tmp := dir + ".partial"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	if err := gen.Generate(tmp, gen.Spec{Scale: scale, Seed: seed}); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	return dir, os.Rename(tmp, dir)
}
