// Command heistbench is heiststat's benchmark harness (make bench):
//
//	heistbench run   generate the inputs (cached), run the jobs, print the
//	                 ratio table and write bench/results.md
//	heistbench gen   write the synthetic feeds for one scale and seed
//	heistbench ref   run bench/reference.sql in-process (the DuckDB-SQL reference)
//	heistbench floor land the generated feeds (copy, sha256, fsync): the landing floor
//
// It drives the real heiststat binary through a config and takes the stage
// timings from the run's own JSON log, so it keeps working as models change.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runCmd(os.Args[2:])
	case "gen":
		err = genCmd(os.Args[2:])
	case "ref":
		err = refCmd(os.Args[2:])
	case "floor":
		err = floorCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "heistbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: heistbench run|gen|ref|floor [flags] (-h for flags)")
	os.Exit(2)
}

func genCmd(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	scale := fs.Int("scale", 100, "multiple of the real snapshot's incident count")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same bytes")
	work := fs.String("work", "data/bench", "cache folder for generated inputs")
	fs.Parse(args)
	dir, err := generated(*work, *scale, *seed)
	if err != nil {
		return err
	}
	fmt.Println(dir)
	return nil
}
