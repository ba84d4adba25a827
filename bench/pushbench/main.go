// Command pushbench measures the analyzer from process start to exit:
// `flagscan push` of 1, 10 and 100 commits (10 files each) to a
// repository of 20,000+ files, the first push of a new branch of one
// commit, and `flagscan log` over 10,000 commits against `git log
// --first-parent -p` over the same range.
//
// Usage (from the repository root):
//
//	go run ./bench/pushbench [-files 20000] [-log-commits 10000] [-runs 5]
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
	logCommits := flag.Int("log-commits", 10000, "commits in the history flagscan log walks (0: no log)")
	ordinary := flag.Float64("log-ordinary", 0.9, "share of the files the log's commits change that reference no flag (0: every one does)")
	runs := flag.Int("runs", 5, "runs of each command; the median is reported")
	uses := flag.Int("uses", 500, "files that take their key from the constants module")
	keep := flag.Bool("keep", false, "keep the repositories and stores, and print where")
	flag.Parse()
	log.SetFlags(0)

	root := measure.TempDir("pushbench")
	if *keep {
		fmt.Printf("files in %s\n", root)
	} else {
		defer os.RemoveAll(root)
	}
	bin := measure.BuildFlagscan(root)

	// Pushes: a 20,000-file tree, then 100 commits of 10 files each.
	pushRepo := filepath.Join(root, "push.git")
	measure.ImportHistory(pushRepo, gen.HistoryOptions{Files: *files, Commits: 100, PerCommit: 10, Seed: 1})
	// Every branch tracked, for the new branch's push.
	if err := os.WriteFile(filepath.Join(pushRepo, "flagscan.yml"), []byte("branches: [\"main\", \"feature\"]\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	commits := strings.Fields(measure.Run(pushRepo, "git", "rev-list", "--reverse", "main"))
	base := commits[0]
	baseDB := filepath.Join(root, "base.db")
	start := time.Now()
	measure.Run(pushRepo, bin, "push", "--db", baseDB, base, base, "refs/heads/main")
	fmt.Printf("repository: %d files, %d commits; baseline snapshot (full scan, fills the blob cache): %v\n",
		*files, len(commits), time.Since(start).Round(time.Millisecond))

	fmt.Printf("%-48s %10s %10s %10s\n", "command", "median", "p95", "max RSS")
	for _, n := range []int{1, 10, 100} {
		var times []time.Duration
		var rss int64
		for r := 0; r < *runs; r++ {
			db := filepath.Join(root, "run.db")
			measure.CopyStore(baseDB, db)
			d, m := measure.Timed(pushRepo, io.Discard, bin, "push", "--db", db, "--format", "json", base, commits[n], "refs/heads/main")
			times, rss = append(times, d), max(rss, m)
			measure.RemoveStore(db)
		}
		report(fmt.Sprintf("flagscan push: %d commit(s), 10 files each", n), times, rss)
	}

	// A new branch: one commit off the base (the tree of the first
	// commit, 10 files changed), on no other branch, pushed for the first
	// time. Its fork point is the base, whose snapshot main's holds.
	tree := strings.TrimSpace(measure.Run(pushRepo, "git", "rev-parse", commits[1]+"^{tree}"))
	feature := strings.TrimSpace(measure.Run(pushRepo, "git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit-tree", tree, "-p", base, "-m", "feature"))
	{
		var times []time.Duration
		var rss int64
		for r := 0; r < *runs; r++ {
			db := filepath.Join(root, "run.db")
			measure.CopyStore(baseDB, db)
			d, m := measure.Timed(pushRepo, io.Discard, bin, "push", "--db", db, "--format", "json", zeroID, feature, "refs/heads/feature")
			times, rss = append(times, d), max(rss, m)
			measure.RemoveStore(db)
		}
		report("flagscan push: new branch, 1 commit", times, rss)
	}
	constants(root, bin, pushRepo, *uses, *runs)
	if *logCommits == 0 {
		return
	}

	// Log: a 20,000-file tree, then many small commits.
	logRepo := filepath.Join(root, "log.git")
	measure.ImportHistory(logRepo, gen.HistoryOptions{Files: *files, Commits: *logCommits, Ordinary: *ordinary, Seed: 1})
	var flagTimes, gitTimes []time.Duration
	var flagRSS int64
	for r := 0; r < *runs; r++ {
		db := filepath.Join(root, fmt.Sprintf("log%d.db", r))
		d, m := measure.Timed(logRepo, io.Discard, bin, "log", "--db", db, "--format", "json")
		flagTimes, flagRSS = append(flagTimes, d), max(flagRSS, m)
		d, _ = measure.Timed(logRepo, io.Discard, "git", "log", "--first-parent", "-p", "main")
		gitTimes = append(gitTimes, d)
	}
	// Warm: the blob cache filled by an earlier run, as on a server
	// where pushes have been analyzed.
	var warmTimes []time.Duration
	var warmRSS int64
	for r := 0; r < *runs; r++ {
		d, m := measure.Timed(logRepo, io.Discard, bin, "log", "--db", filepath.Join(root, "log0.db"), "--format", "json")
		warmTimes, warmRSS = append(warmTimes, d), max(warmRSS, m)
	}
	events := strings.Count(measure.Run(logRepo, bin, "log", "--db", filepath.Join(root, "log0.db"), "--format", "json"), "\n")
	report(fmt.Sprintf("flagscan log (%d commits, cold cache)", *logCommits+1), flagTimes, flagRSS)
	report(fmt.Sprintf("flagscan log (%d commits, warm cache)", *logCommits+1), warmTimes, warmRSS)
	report("git log --first-parent -p", gitTimes, 0)
	fmt.Printf("flagscan log printed %d transitions; %.0f%% of changed files reference no flag\n", events, *ordinary*100)
	fmt.Printf("ratio log, cold cache: flagscan / git log -p = %.2f (target <= 3)\n", measure.Median(flagTimes).Seconds()/measure.Median(gitTimes).Seconds())
	fmt.Printf("ratio log, warm cache: flagscan / git log -p = %.2f (target <= 3)\n", measure.Median(warmTimes).Seconds()/measure.Median(gitTimes).Seconds())
}

// constants measures 1-commit pushes into the tree of pushRepo continued
// by a constants module that uses files name their keys from
// (gen.Constants): one that changes only a key's value in the module,
// which moves the key in the files that use it, and one that changes
// only a module that names no key. Each starts from a copy of the
// snapshot of the commit before, stored by an earlier process.
func constants(root, bin, repo string, uses, runs int) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(gen.Constants(pw, uses, 100)) }()
	measure.RunInput(repo, pr, "git", "fast-import", "--quiet")
	base := strings.TrimSpace(measure.Run(repo, "git", "rev-parse", "main^"))
	baseDB := filepath.Join(root, "constants.db")
	start := time.Now()
	measure.Run(repo, bin, "push", "--db", baseDB, base, base, "refs/heads/main")
	fmt.Printf("constants module named by %d files: baseline snapshot %v\n", uses, time.Since(start).Round(time.Millisecond))
	for _, c := range []struct{ name, rev string }{
		{"push: constants module", "main"},
		{"push: unrelated module", "unrelated"},
	} {
		tip := strings.TrimSpace(measure.Run(repo, "git", "rev-parse", c.rev))
		var times []time.Duration
		var rss int64
		var events int
		for r := 0; r < runs; r++ {
			db := filepath.Join(root, "run.db")
			measure.CopyStore(baseDB, db)
			var out strings.Builder
			d, m := measure.Timed(repo, &out, bin, "push", "--db", db, "--format", "json", base, tip, "refs/heads/main")
			times, rss, events = append(times, d), max(rss, m), strings.Count(out.String(), "\"event\"")
			measure.RemoveStore(db)
		}
		report(fmt.Sprintf("flagscan %s (%d events)", c.name, events), times, rss)
	}
}

// zeroID is the old id of a ref update that creates the ref.
const zeroID = "0000000000000000000000000000000000000000"

// report prints a row of the table: the median, p95 and max RSS of a
// command's runs.
func report(name string, times []time.Duration, rss int64) {
	s := slices.Clone(times)
	slices.Sort(s)
	measure.Report(48, name, times, s[min(len(s)-1, len(s)*95/100)], rss)
}
