package pipeline

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSnapshotRun measures one full run (extract from local files, load,
// models, data tests, publish) on the real snapshots.
func BenchmarkSnapshotRun(b *testing.B) {
	if _, err := os.Stat(sharedData); err != nil {
		b.Skipf("../shared/data not found: %v", err)
	}
	cfg, err := LoadConfig("../configs/snapshot.yaml")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.OutDir = filepath.Join(dir, "out")
	for b.Loop() {
		if _, err := Run(b.Context(), cfg, quietLog, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOfflineRun measures a run from the bundled facts only.
func BenchmarkOfflineRun(b *testing.B) {
	dir := b.TempDir()
	cfg, err := ParseConfig([]byte(offlineYAML), dir)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Run(b.Context(), cfg, quietLog, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
