package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/heiststat/heiststat/output"
)

// floorCmd lands every file under -in in -out, content-addressed, hashing it with sha256 on
// the way and fsyncing it before it counts, on every core: the least any
// landing that keeps the raw bytes durably (as heiststat's foundation
// requires) must do, without heiststat's compression, records or checks.
// The bench times it beside the reference to show how much of the 1.25x
// margin landing alone takes.
func floorCmd(args []string) error {
	fl := flag.NewFlagSet("floor", flag.ExitOnError)
	in := fl.String("in", "", "generated input folder")
	out := fl.String("out", "", "folder to land the copies in (emptied first)")
	fl.Parse(args)
	if *in == "" || *out == "" {
		return fmt.Errorf("floor: -in and -out are required")
	}
	if err := os.RemoveAll(*out); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var paths []string
	err := filepath.WalkDir(*in, func(p string, d fs.DirEntry, err error) error {
		// Dotfiles are the generator's markers, which heiststat never lands.
		if err == nil && d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	var total atomic.Int64
	landed := make([]string, len(paths))
	var g errgroup.Group
	g.SetLimit(runtime.NumCPU())
	for i, p := range paths {
		g.Go(func() (err error) {
			var n int64
			landed[i], n, err = land(p, *out)
			total.Add(n)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// heiststat's own way to make a landing durable: the objects, fsynced
	// concurrently, then their folder.
	if err := output.Fsync(landed, []string{*out}); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "landed %d files, %d MB\n", len(paths), total.Load()>>20)
	return nil
}

// land writes src beside its final name and renames it to the sha256 of its
// content, as a content-addressed landing zone does.
func land(src, dir string) (string, int64, error) {
	r, err := os.Open(src)
	if err != nil {
		return "", 0, err
	}
	defer r.Close()
	w, err := os.CreateTemp(dir, ".landing-*")
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	dst := filepath.Join(dir, hex.EncodeToString(h.Sum(nil))+filepath.Ext(src))
	if err == nil {
		err = os.Rename(w.Name(), dst)
	}
	if err != nil {
		os.Remove(w.Name())
	}
	return dst, n, err
}
