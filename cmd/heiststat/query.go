package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	if err := readOnly(ctx, db, q.SQL); err != nil {
		fmt.Fprintf(stderr, "heiststat: query: %v\n", err)
		return exitUsage
	}
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

// readOnly refuses anything but one query, by parsing it without running
// it: the release is for reading, so DROP or INSERT is an error instead of a
// change to a throwaway copy.
func readOnly(ctx context.Context, db *sql.DB, query string) error {
	var parsed string
	if err := db.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", query).Scan(&parsed); err != nil {
		return err
	}
	var p struct {
		Error      bool              `json:"error"`
		Message    string            `json:"error_message"`
		Statements []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(parsed), &p); err != nil {
		return err
	}
	switch {
	case p.Error && strings.HasPrefix(p.Message, "Only SELECT"):
		return errors.New("the release is read-only: only SELECT, DESCRIBE and SHOW run here")
	case p.Error:
		return errors.New(p.Message)
	case len(p.Statements) != 1:
		return errors.New("one query at a time")
	}
	return nil
}
