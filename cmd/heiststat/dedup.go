package main

import (
	"context"
	"fmt"
	"io"

	"github.com/heiststat/heiststat/pipeline"
)

type dedupReportCmd struct {
	Release   string `help:"Published release folder (its parquet/reconciliation is read)." default:"out/current" type:"existingdir"`
	Reference string `help:"The independent merge: events_consolidated CSV with sources and source_urls columns." required:"" type:"existingfile"`
}

func (d *dedupReportCmd) exec(ctx context.Context, stdout, stderr io.Writer) int {
	if _, err := pipeline.DedupReport(ctx, d.Release, d.Reference, stdout); err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitFailed
	}
	return exitOK
}
