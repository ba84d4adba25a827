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
	commits := flag.Int("commits", 1000, "commits since the last run")
	perCommit := flag.Int("per-commit", 0, "files each commit changes (0: one to three)")
	repos := flag.Int("repos", 4, "repositories synced in one invocation, for the many-repositories figure (0: skip)")
	runs := flag.Int("runs", 3, "runs of each measure; the median is reported")
	flag.Parse()
	log.SetFlags(0)

	root, err := os.MkdirTemp("", "syncbench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	bin := filepath.Join(root, "flagscan")
	run(".", "go", "build", "-o", bin, "./cmd/flagscan")

	repo := filepath.Join(root, "mono.git")
	importHistory(repo, *files, *commits, *perCommit)
	history := strings.Fields(run(repo, "git", "rev-list", "--first-parent", "--reverse", "main"))
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
		run(repo, "git", "update-ref", "refs/heads/main", base)
		d, m, _ := timed(repo, bin, append(sync, "--db", db)...)
		baseline, baseRSS = append(baseline, d), max(baseRSS, m)
		if r == 0 {
			for _, s := range []string{"", "-wal"} {
				copyFile(db+s, baseDB+s)
			}
		}
	}
	report(fmt.Sprintf("first run: baseline of %d files (no events)", *files), baseline, baseRSS)

	// The nightly run: main moved 1,000 commits since.
	run(repo, "git", "update-ref", "refs/heads/main", tip)
	var catchUp, noop []time.Duration
	var catchRSS int64
	events := 0
	for r := 0; r < *runs; r++ {
		db := fresh(root, baseDB, "c.db")
		d, m, out := timed(repo, bin, append(sync, "--db", db)...)
		catchUp, catchRSS = append(catchUp, d), max(catchRSS, m)
		events = strings.Count(out, `"event":`)
		d, _, _ = timed(repo, bin, append(sync, "--db", db)...)
		noop = append(noop, d)
	}
	report(fmt.Sprintf("catch-up: %d commits", len(history)-1), catchUp, catchRSS)
	report("nothing new since the last run", noop, 0)
	var gitLog []time.Duration
	for r := 0; r < *runs; r++ {
		d, _, _ := timed(repo, "git", "log", "--first-parent", "-p", base+".."+tip)
		gitLog = append(gitLog, d)
	}
	report(fmt.Sprintf("git log --first-parent -p over the %d commits", len(history)-1), gitLog, 0)
	fmt.Printf("ratio catch-up / git log -p = %.2f\n", median(catchUp).Seconds()/median(gitLog).Seconds())

	if *repos > 0 {
		// Several repositories in one invocation, each with its own store,
		// each as many commits behind (local clones: hard-linked packs).
		// Each store starts as a copy of the first baseline (its blob cache
		// filled), then gets its own baseline under its own name.
		var dirs []string
		for i := 0; i < *repos; i++ {
			dir := filepath.Join(root, fmt.Sprintf("repo%d.git", i))
			run(root, "git", "clone", "-q", "--bare", repo, dir)
			run(dir, "git", "update-ref", "refs/heads/main", base)
			db := filepath.Join(dir, "flagscan.db")
			fresh(root, baseDB, db)
			run(dir, bin, sync...)
			fresh(root, db, db+".base")
			run(dir, "git", "update-ref", "refs/heads/main", tip)
			dirs = append(dirs, dir)
		}
		var many []time.Duration
		var manyRSS int64
		for r := 0; r < *runs; r++ {
			for _, dir := range dirs {
				db := filepath.Join(dir, "flagscan.db")
				fresh(root, db+".base", db)
			}
			d, m, _ := timed(root, bin, append(append(sync, "--jobs", "2"), dirs...)...)
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
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(db + s)
	}
	for _, s := range []string{"", "-wal"} {
		copyFile(from+s, db+s)
	}
	return db
}

// importHistory creates a bare repository from a generated fast-import stream.
func importHistory(dir string, files, commits, perCommit int) {
	run(filepath.Dir(dir), "git", "init", "-q", "--bare", "-b", "main", dir)
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	pr, pw := io.Pipe()
	cmd.Stdin, cmd.Stderr = pr, os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	go func() {
		_, err := gen.History(pw, gen.HistoryOptions{Files: files, Commits: commits, PerCommit: perCommit, Seed: 1})
		pw.CloseWithError(err)
	}()
	if err := cmd.Wait(); err != nil {
		log.Fatalf("git fast-import: %v", err)
	}
	run(dir, "git", "gc", "-q")
}

func report(name string, times []time.Duration, rss int64) {
	mem := "-"
	if rss > 0 {
		mem = fmt.Sprintf("%.1fMB", float64(rss)/1024)
	}
	fmt.Printf("%-58s %10s %10s %10s\n", name, median(times).Round(time.Millisecond), slices.Max(times).Round(time.Millisecond), mem)
}

func median(times []time.Duration) time.Duration {
	s := slices.Clone(times)
	slices.Sort(s)
	return s[len(s)/2]
}

// timed runs a command and returns its wall time, its peak resident
// memory (KB) and its standard output.
func timed(dir string, name string, args ...string) (time.Duration, int64, string) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return time.Since(start), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss, out.String()
}

func run(dir string, name string, args ...string) string {
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
