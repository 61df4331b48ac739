package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

type queryCmd struct {
	SQL    string `arg:"" help:"SQL to run; every dataset is a table named after it (incidents, annual, top_incidents, ...)."`
	Format string `short:"f" help:"Output: table, csv or json." enum:"table,csv,json" default:"table"`
}

func (q *queryCmd) exec(ctx context.Context, g *globals, stdout, stderr io.Writer) int {
	rel, _, code := g.openCurrent(ctx, stderr)
	if rel == nil {
		return code
	}
	defer rel.Close()
	if err := rel.ReadOnly(ctx, q.SQL); err != nil {
		fmt.Fprintf(stderr, "heiststat: query: %v\n", err)
		return exitUsage
	}
	res, err := rel.Query(ctx, q.SQL)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: query: %v\n(datasets: %s)\n", err, strings.Join(rel.Tables, ", "))
		return exitFailed
	}
	if err := res.Write(stdout, q.Format); err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitFailed
	}
	return exitOK
}
