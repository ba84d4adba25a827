// Command pushbench measures the analyzer from process start to exit:
// `flagscan push` of 1, 10 and 100 commits (10 files each) to a
// repository of 20,000+ files, and `flagscan log` over 10,000 commits
// against `git log --first-parent -p` over the same range.
//
// Usage (from the repository root):
//
//	go run ./bench/pushbench [-files 20000] [-log-commits 10000] [-runs 5]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/flagscan/flagscan/bench/gen"
)

func main() {
	files := flag.Int("files", 20000, "files in the generated tree")
	logCommits := flag.Int("log-commits", 10000, "commits in the history flagscan log walks")
	ordinary := flag.Float64("log-ordinary", 0.9, "share of the files the log's commits change that reference no flag (0: every one does)")
	runs := flag.Int("runs", 5, "runs of each command; the median is reported")
	flag.Parse()
	log.SetFlags(0)

	root, err := os.MkdirTemp("", "pushbench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	bin := filepath.Join(root, "flagscan")
	run(".", "go", "build", "-o", bin, "./cmd/flagscan")

	// Pushes: a 20,000-file tree, then 100 commits of 10 files each.
	pushRepo := filepath.Join(root, "push.git")
	importHistory(pushRepo, gen.HistoryOptions{Files: *files, Commits: 100, PerCommit: 10, Seed: 1})
	commits := strings.Fields(run(pushRepo, "git", "rev-list", "--reverse", "main"))
	base := commits[0]
	baseDB := filepath.Join(root, "base.db")
	start := time.Now()
	run(pushRepo, bin, "push", "--db", baseDB, base, base, "refs/heads/main")
	fmt.Printf("repository: %d files, %d commits; baseline snapshot (full scan, fills the blob cache): %v\n",
		*files, len(commits), time.Since(start).Round(time.Millisecond))

	fmt.Printf("%-40s %10s %10s %10s\n", "command", "median", "p95", "max RSS")
	for _, n := range []int{1, 10, 100} {
		var times []time.Duration
		var rss int64
		for r := 0; r < *runs; r++ {
			db := filepath.Join(root, "run.db")
			for _, s := range []string{"", "-wal"} {
				copyFile(baseDB+s, db+s)
			}
			d, m := timed(pushRepo, bin, "push", "--db", db, "--format", "json", base, commits[n], "refs/heads/main")
			times, rss = append(times, d), max(rss, m)
			for _, s := range []string{"", "-wal", "-shm"} {
				os.Remove(db + s)
			}
		}
		report(fmt.Sprintf("flagscan push: %d commit(s), 10 files each", n), times, rss)
	}

	// Log: a 20,000-file tree, then many small commits.
	logRepo := filepath.Join(root, "log.git")
	importHistory(logRepo, gen.HistoryOptions{Files: *files, Commits: *logCommits, Ordinary: *ordinary, Seed: 1})
	var flagTimes, gitTimes []time.Duration
	var flagRSS int64
	for r := 0; r < *runs; r++ {
		db := filepath.Join(root, fmt.Sprintf("log%d.db", r))
		d, m := timed(logRepo, bin, "log", "--db", db, "--format", "json")
		flagTimes, flagRSS = append(flagTimes, d), max(flagRSS, m)
		d, _ = timed(logRepo, "git", "log", "--first-parent", "-p", "main")
		gitTimes = append(gitTimes, d)
	}
	// Warm: the blob cache filled by an earlier run, as on a server
	// where pushes have been analyzed.
	var warmTimes []time.Duration
	var warmRSS int64
	for r := 0; r < *runs; r++ {
		d, m := timed(logRepo, bin, "log", "--db", filepath.Join(root, "log0.db"), "--format", "json")
		warmTimes, warmRSS = append(warmTimes, d), max(warmRSS, m)
	}
	events := strings.Count(run(logRepo, bin, "log", "--db", filepath.Join(root, "log0.db"), "--format", "json"), "\n")
	report(fmt.Sprintf("flagscan log (%d commits, cold cache)", *logCommits+1), flagTimes, flagRSS)
	report(fmt.Sprintf("flagscan log (%d commits, warm cache)", *logCommits+1), warmTimes, warmRSS)
	report("git log --first-parent -p", gitTimes, 0)
	fmt.Printf("flagscan log printed %d transitions; %.0f%% of changed files reference no flag\n", events, *ordinary*100)
	fmt.Printf("ratio log, cold cache: flagscan / git log -p = %.2f (target <= 5)\n", median(flagTimes).Seconds()/median(gitTimes).Seconds())
	fmt.Printf("ratio log, warm cache: flagscan / git log -p = %.2f (target <= 5)\n", median(warmTimes).Seconds()/median(gitTimes).Seconds())
}

// importHistory creates a bare repository from a generated fast-import stream.
func importHistory(dir string, o gen.HistoryOptions) {
	run(filepath.Dir(dir), "git", "init", "-q", "--bare", "-b", "main", dir)
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	pr, pw := io.Pipe()
	cmd.Stdin, cmd.Stderr = pr, os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	go func() {
		_, err := gen.History(pw, o)
		pw.CloseWithError(err)
	}()
	if err := cmd.Wait(); err != nil {
		log.Fatalf("git fast-import: %v", err)
	}
	run(dir, "git", "gc", "-q")
}

func report(name string, times []time.Duration, rss int64) {
	s := slices.Clone(times)
	slices.Sort(s)
	p95 := s[min(len(s)-1, len(s)*95/100)]
	mem := "-"
	if rss > 0 {
		mem = fmt.Sprintf("%.1fMB", float64(rss)/1024)
	}
	fmt.Printf("%-40s %10s %10s %10s\n", name, median(times).Round(time.Millisecond), p95.Round(time.Millisecond), mem)
}

func median(times []time.Duration) time.Duration {
	s := slices.Clone(times)
	slices.Sort(s)
	return s[len(s)/2]
}

func timed(dir, name string, args ...string) (time.Duration, int64) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return time.Since(start), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
}

func run(dir, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out.String()
}

// copyFile copies a file; a missing one (no WAL left) is no error.
func copyFile(from, to string) {
	data, err := os.ReadFile(from)
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
