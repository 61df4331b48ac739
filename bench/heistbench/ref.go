package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
)

// refCmd runs the reference script in this process with the DuckDB linked
// into heiststat (same driver, same version, default settings).
func refCmd(args []string) error {
	fs := flag.NewFlagSet("ref", flag.ExitOnError)
	script := fs.String("sql", "bench/reference.sql", "the reference script")
	in := fs.String("in", "", "generated input folder")
	out := fs.String("out", "", "output folder")
	fs.Parse(args)
	b, err := os.ReadFile(*script)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	text := strings.NewReplacer("${IN}", *in, "${OUT}", *out).Replace(string(b))
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	// One connection: the script's SETs and tables live on it.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(text); err != nil {
		return fmt.Errorf("%s: %w", *script, err)
	}
	return nil
}

// duckdbVersion reports the linked DuckDB's version, for results.md.
func duckdbVersion() string {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SELECT version()").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}
