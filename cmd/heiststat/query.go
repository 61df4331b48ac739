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
	dir, err := g.current()
	if err != nil {
		return releaseError(stderr, err)
	}
	db, names, err := openRelease(ctx, dir)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitFailed
	}
	defer db.Close()
	res, err := queryResult(ctx, db, q.SQL)
	if err != nil {
		fmt.Fprintf(stderr, "heiststat: query: %v\n(datasets: %s)\n", err, strings.Join(names, ", "))
		return exitFailed
	}
	if err := res.write(stdout, q.Format); err != nil {
		fmt.Fprintf(stderr, "heiststat: %v\n", err)
		return exitFailed
	}
	return exitOK
}
