// Command syncbench measures `flagscan sync` from process start to exit,
// the way a nightly job runs it: the first run over a 20,000-file
// repository (a baseline), the catch-up after 1,000 commits, a run with
// nothing new, and the catch-up of several such repositories in one
// invocation sharing one worker budget, next to `git log --first-parent -p`
// over the same commits.
//
// Usage (from the repository root):
//
//	go run ./bench/syncbench [-files 20000] [-commits 1000] [-per-commit 0] [-repos 4] [-runs 3]
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/flagscan/flagscan/bench/gen"
	"github.com/flagscan/flagscan/bench/internal/measure"
)

func main() {
	files := flag.Int("files", 20000, "files in the generated tree")
	commits := flag.Int("commits", 1000, "commits since the last run")
	perCommit := flag.Int("per-commit", 0, "files each commit changes (0: one to three)")
	repos := flag.Int("repos", 4, "repositories synced in one invocation, for the many-repositories figure (0: skip)")
	runs := flag.Int("runs", 3, "runs of each measure; the median is reported")
	flag.Parse()
	log.SetFlags(0)

	root := measure.TempDir("syncbench")
	defer os.RemoveAll(root)
	bin := measure.BuildFlagscan(root)

	repo := filepath.Join(root, "mono.git")
	measure.ImportHistory(repo, gen.HistoryOptions{Files: *files, Commits: *commits, PerCommit: *perCommit, Seed: 1})
	history := strings.Fields(measure.Run(repo, "git", "rev-list", "--first-parent", "--reverse", "main"))
	base, tip := history[0], history[len(history)-1]
	fmt.Printf("repository: %d files, then %d commits changing %s files each\n", *files, len(history)-1, perCommitText(*perCommit))
	fmt.Printf("%-58s %10s %10s %10s\n", "measure", "median", "max", "max RSS")

	// The last run saw the first commit: its store holds that baseline.
	sync := []string{"sync", "--quiet", "--progress", "off", "--format", "json", "--deliver-budget", "0"}
	baseDB := filepath.Join(root, "base.db")
	var baseline []time.Duration
	var baseRSS int64
	for r := 0; r < *runs; r++ {
		db := filepath.Join(root, fmt.Sprintf("b%d.db", r))
		measure.Run(repo, "git", "update-ref", "refs/heads/main", base)
		d, m := measure.Timed(repo, io.Discard, bin, append(sync, "--db", db)...)
		baseline, baseRSS = append(baseline, d), max(baseRSS, m)
		if r == 0 {
			measure.CopyStore(db, baseDB)
		}
	}
	report(fmt.Sprintf("first run: baseline of %d files (no events)", *files), baseline, baseRSS)

	// The nightly run: main moved 1,000 commits since.
	measure.Run(repo, "git", "update-ref", "refs/heads/main", tip)
	var catchUp, noop []time.Duration
	var catchRSS int64
	events := 0
	for r := 0; r < *runs; r++ {
		db := fresh(root, baseDB, "c.db")
		var out strings.Builder
		d, m := measure.Timed(repo, &out, bin, append(sync, "--db", db)...)
		catchUp, catchRSS = append(catchUp, d), max(catchRSS, m)
		events = strings.Count(out.String(), `"event":`)
		d, _ = measure.Timed(repo, io.Discard, bin, append(sync, "--db", db)...)
		noop = append(noop, d)
	}
	report(fmt.Sprintf("catch-up: %d commits", len(history)-1), catchUp, catchRSS)
	report("nothing new since the last run", noop, 0)
	var gitLog []time.Duration
	for r := 0; r < *runs; r++ {
		d, _ := measure.Timed(repo, io.Discard, "git", "log", "--first-parent", "-p", base+".."+tip)
		gitLog = append(gitLog, d)
	}
	report(fmt.Sprintf("git log --first-parent -p over the %d commits", len(history)-1), gitLog, 0)
	fmt.Printf("ratio catch-up / git log -p = %.2f\n", measure.Median(catchUp).Seconds()/measure.Median(gitLog).Seconds())

	if *repos > 0 {
		// Several repositories in one invocation, each with its own store,
		// each as many commits behind (local clones: hard-linked packs).
		// Each store starts as a copy of the first baseline (its blob cache
		// filled), then gets its own baseline under its own name.
		var dirs []string
		for i := 0; i < *repos; i++ {
			dir := filepath.Join(root, fmt.Sprintf("repo%d.git", i))
			measure.Run(root, "git", "clone", "-q", "--bare", repo, dir)
			measure.Run(dir, "git", "update-ref", "refs/heads/main", base)
			db := filepath.Join(dir, "flagscan.db")
			fresh(root, baseDB, db)
			measure.Run(dir, bin, sync...)
			fresh(root, db, db+".base")
			measure.Run(dir, "git", "update-ref", "refs/heads/main", tip)
			dirs = append(dirs, dir)
		}
		var many []time.Duration
		var manyRSS int64
		for r := 0; r < *runs; r++ {
			for _, dir := range dirs {
				db := filepath.Join(dir, "flagscan.db")
				fresh(root, db+".base", db)
			}
			d, m := measure.Timed(root, io.Discard, bin, append(append(sync, "--jobs", "2"), dirs...)...)
			many, manyRSS = append(many, d), max(manyRSS, m)
		}
		report(fmt.Sprintf("catch-up of %d such repositories in one sync (--jobs 2)", *repos), many, manyRSS)
	}
	fmt.Printf("the catch-up emitted %d events\n", events)
}

func perCommitText(n int) string {
	if n == 0 {
		return "1 to 3"
	}
	return fmt.Sprint(n)
}

// fresh copies the store from to name (in root unless absolute), replacing
// what was there, and returns its path.
func fresh(root, from, name string) string {
	db := name
	if !filepath.IsAbs(db) {
		db = filepath.Join(root, name)
	}
	measure.RemoveStore(db)
	measure.CopyStore(from, db)
	return db
}

// report prints a row of the table: the median, maximum and max RSS of
// a measure's runs.
func report(name string, times []time.Duration, rss int64) {
	measure.Report(58, name, times, slices.Max(times), rss)
}
