// Command scanbench measures `flagscan scan` on a generated tree against
// `git grep -F` of the same call names over the same tree, in one run, so
// that the ratio does not depend on the machine.
//
// Usage (from the repository root):
//
//	go run ./bench/scanbench [-files 20000] [-runs 5] [-flag-share 0.03] [-scale 1] [-dir DIR]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/flagscan/flagscan/bench/gen"
	"github.com/flagscan/flagscan/bench/internal/measure"
	"github.com/flagscan/flagscan/scanner/rules"
)

func main() {
	files := flag.Int("files", 20000, "files in the generated tree")
	runs := flag.Int("runs", 5, "runs of each command; the median is reported")
	share := flag.Float64("flag-share", 0.03, "share of source files that reference a flag")
	scale := flag.Int("scale", 1, "length of the source files: 1 gives about a kilobyte each, 5 several, as real source files are")
	dir := flag.String("dir", "", "generate the tree here and keep it (default: a temporary directory, removed)")
	flag.Parse()
	log.SetFlags(0)

	root := *dir
	if root == "" {
		root = measure.TempDir("scanbench")
		defer os.RemoveAll(root)
	}
	tree := filepath.Join(root, "tree")
	var t gen.Tree
	if _, err := os.Stat(filepath.Join(tree, ".git")); err != nil {
		log.Printf("generating %d files in %s", *files, tree)
		t, err = gen.GenerateScaled(tree, *files, *share, 1, *scale)
		if err != nil {
			log.Fatal(err)
		}
		// gc.auto=0: a background gc started by the commit would make
		// the explicit one fail.
		for _, args := range [][]string{
			{"init", "-q", "-b", "main"},
			{"-c", "gc.auto=0", "add", "-A"},
			{"-c", "gc.auto=0", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "generated tree"},
			{"gc", "-q"},
		} {
			measure.Run(tree, "git", args...)
		}
	}
	bin := measure.BuildFlagscan(root)

	needles := rules.New(true, nil, nil).Needles()
	grepArgs := []string{"grep", "-F", "-c"}
	for _, n := range needles {
		grepArgs = append(grepArgs, "-e", n)
	}
	// The blob cache a push fills, filled here by a first scan: a scan of
	// an unchanged checkout then parses nothing.
	cacheDB := filepath.Join(root, "cache.db")
	os.Remove(cacheDB)
	run([]string{bin, "scan", "--format", "json", "--db", cacheDB, tree})
	cases := []struct {
		name string
		cmd  []string
	}{
		{"flagscan scan (working tree)", []string{bin, "scan", "--format", "json", tree}},
		{"flagscan scan (blob cache)", []string{bin, "scan", "--format", "json", "--db", cacheDB, tree}},
		{"git grep -F (working tree)", append([]string{"git", "-C", tree}, grepArgs...)},
		{"flagscan scan --rev HEAD", []string{bin, "scan", "--format", "json", "--rev", "HEAD", "--repo", tree}},
		{"git grep -F HEAD", append(append([]string{"git", "-C", tree}, grepArgs...), "HEAD")},
	}
	results := make([]result, len(cases))
	var out []byte
	for r := 0; r < *runs; r++ {
		for i, c := range cases {
			d, rss, stdout := run(c.cmd)
			results[i].times = append(results[i].times, d)
			results[i].rss = max(results[i].rss, rss)
			if i == 0 {
				out = stdout
			}
		}
	}
	sizes, mb := treeSize(tree)
	fmt.Printf("tree: %d files (%d in languages flagscan reads), %.1f MB; needles: %s\n", sizes.all, sizes.code, mb, strings.Join(needles, " "))
	if t.Files > 0 {
		fmt.Printf("generated: %d files with flag references, %d distinct keys\n", t.FlagFiles, t.Keys)
	}
	fmt.Printf("flagscan found %d references\n", bytes.Count(out, []byte(`"flag_key"`)))
	fmt.Printf("%-32s %10s %10s %12s %10s %10s\n", "command", "median", "min", "files/s", "MB/s", "max RSS")
	for i, c := range cases {
		m := measure.Median(results[i].times)
		fmt.Printf("%-32s %10s %10s %12.0f %10.1f %8.1fMB\n", c.name, m.Round(time.Millisecond), slices.Min(results[i].times).Round(time.Millisecond),
			float64(sizes.all)/m.Seconds(), mb/m.Seconds(), float64(results[i].rss)/1024)
	}
	grep := measure.Median(results[2].times).Seconds()
	fmt.Printf("ratio working tree: flagscan / git grep = %.2f (target <= 3)\n", measure.Median(results[0].times).Seconds()/grep)
	fmt.Printf("ratio blob cache:   flagscan / git grep = %.2f\n", measure.Median(results[1].times).Seconds()/grep)
	fmt.Printf("ratio --rev:        flagscan / git grep = %.2f (target <= 4)\n", measure.Median(results[3].times).Seconds()/measure.Median(results[4].times).Seconds())
}

// result is what the runs of one command measured.
type result struct {
	times []time.Duration
	rss   int64 // KiB
}

// run runs a command to completion and returns its wall time, its peak
// resident memory in KiB and its output.
func run(args []string) (time.Duration, int64, []byte) {
	cmd := exec.Command(args[0], args[1:]...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	d, rss, err := measure.Time(cmd)
	// git grep exits 1 when nothing matches; any other failure is fatal.
	if err != nil && !(args[0] == "git" && cmd.ProcessState.ExitCode() == 1) {
		log.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return d, rss, stdout.Bytes()
}

type counts struct{ all, code int }

func treeSize(dir string) (counts, float64) {
	var c counts
	var size int64
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			c.all++
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
			switch filepath.Ext(p) {
			case ".md", ".json", ".css":
			default:
				c.code++
			}
		}
		return nil
	})
	return c, float64(size) / 1e6
}
