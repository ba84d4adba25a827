// Package measure holds what the benchmark programs under bench share:
// running and timing whole processes (wall time and peak resident
// memory), reporting medians, building flagscan, writing generated
// histories into bare repositories and resetting SQLite stores between
// runs. Every failure is fatal: the programs log it and exit.
package measure

import (
	"bytes"
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

// TempDir creates a temporary directory whose name starts with prefix and
// returns its path; the caller removes it.
func TempDir(prefix string) string {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		log.Fatal(err)
	}
	return dir
}

// BuildFlagscan builds ./cmd/flagscan (the programs run from the
// repository root) into dir and returns the binary's path.
func BuildFlagscan(dir string) string {
	bin := filepath.Join(dir, "flagscan")
	build := exec.Command("go", "build", "-o", bin, "./cmd/flagscan")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		log.Fatalf("build flagscan: %v", err)
	}
	return bin
}

// Run runs name with args in dir, its standard error going to ours, and
// returns its standard output.
func Run(dir, name string, args ...string) string {
	return RunInput(dir, nil, name, args...)
}

// RunInput is Run with stdin as the command's standard input.
func RunInput(dir string, stdin io.Reader, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out.String()
}

// Time runs cmd to completion and returns its wall time, its peak resident
// memory in KiB (0 when it did not start) and what cmd.Run returned.
func Time(cmd *exec.Cmd) (time.Duration, int64, error) {
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	var rss int64
	if cmd.ProcessState != nil {
		rss = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	}
	return d, rss, err
}

// Timed runs name with args in dir, its standard output written to stdout
// and its standard error to ours, and returns its wall time and its peak
// resident memory in KiB.
func Timed(dir string, stdout io.Writer, name string, args ...string) (time.Duration, int64) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, os.Stderr
	d, rss, err := Time(cmd)
	if err != nil {
		log.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return d, rss
}

// Median returns the median of times (the upper one of an even count).
func Median(times []time.Duration) time.Duration {
	s := slices.Clone(times)
	slices.Sort(s)
	return s[len(s)/2]
}

// Report prints a row of a table: name in a column width wide, the median
// of times, other (the table's second figure: a percentile, the maximum)
// and the peak resident memory rss in KiB, "-" for none.
func Report(width int, name string, times []time.Duration, other time.Duration, rss int64) {
	mem := "-"
	if rss > 0 {
		mem = fmt.Sprintf("%.1fMB", float64(rss)/1024)
	}
	fmt.Printf("%-*s %10s %10s %10s\n", width, name, Median(times).Round(time.Millisecond), other.Round(time.Millisecond), mem)
}

// ImportHistory creates the bare repository dir (branch main) from the
// fast-import stream gen.History writes for o, and packs it.
func ImportHistory(dir string, o gen.HistoryOptions) {
	Run(filepath.Dir(dir), "git", "init", "-q", "--bare", "-b", "main", dir)
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
	Run(dir, "git", "gc", "-q")
}

// CopyStore copies the SQLite store from, with its write-ahead log if it
// has one, to to.
func CopyStore(from, to string) {
	for _, s := range []string{"", "-wal"} {
		copyFile(from+s, to+s)
	}
}

// RemoveStore removes the SQLite store db with its write-ahead log and
// shared-memory files.
func RemoveStore(db string) {
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(db + s)
	}
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
