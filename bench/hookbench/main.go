// Command hookbench measures what flagscan's git server hooks add to a
// push: the time of `git push` over the local transport into a bare
// repository of 20,000+ files with the pre-receive and post-receive hooks
// installed, minus the time of the same push with no hooks, for a push of
// 1 commit and one of 100 commits (10 files each). It also times the
// pre-receive hook alone, against its budget.
//
// Each run starts from the same state: the server's branch back at the
// base commit and its store back to the snapshot of that commit (taken
// once, unmeasured). With and without hooks alternate, so that drift in
// the machine's load affects both alike. The hooks deliver their events
// to a local receiver, inline, as in production.
//
// Usage (from the repository root):
//
//	go run ./bench/hookbench [-files 20000] [-runs 20] [-budget 4s]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flagscan/flagscan/bench/gen"
	"github.com/flagscan/flagscan/bench/internal/measure"
)

func main() {
	files := flag.Int("files", 20000, "files in the generated tree")
	runs := flag.Int("runs", 20, "pushes of each size, with hooks and without")
	budget := flag.Duration("budget", 4*time.Second, "hook.budget of the server's configuration")
	keep := flag.Bool("keep", false, "keep the repositories and stores, and print where")
	flag.Parse()
	log.SetFlags(0)

	root := measure.TempDir("hookbench")
	if *keep {
		fmt.Printf("files in %s\n", root)
	} else {
		defer os.RemoveAll(root)
	}
	bin := measure.BuildFlagscan(root)

	// The client: a 20,000-file tree, then 100 commits of 10 files each.
	src := filepath.Join(root, "src.git")
	measure.ImportHistory(src, gen.HistoryOptions{Files: *files, Commits: 100, PerCommit: 10, Seed: 1})
	commits := strings.Fields(measure.Run(src, "git", "rev-list", "--reverse", "main"))
	base := commits[0]

	// The server: the base commit, pushed without hooks.
	srv := filepath.Join(root, "srv.git")
	measure.Run(root, "git", "init", "-q", "--bare", "-b", "main", srv)
	measure.Run(src, "git", "push", "-q", srv, base+":refs/heads/main")

	// A local receiver for the webhook.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	var received atomic.Int64
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		received.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	cfg := fmt.Sprintf(`webhooks:
  - description: bench receiver
    events: [Flag.new, Flag.deleted]
    url: http://%s/hook
delivery:
  allow_hosts: [127.0.0.1]
hook:
  budget: %s
`, ln.Addr(), *budget)
	if err := os.WriteFile(filepath.Join(srv, "flagscan.yml"), []byte(cfg), 0o644); err != nil {
		log.Fatal(err)
	}
	measure.Run(root, bin, "hook", "install", "--repo", srv)
	hooksOn, hooksOff := filepath.Join(srv, "hooks"), filepath.Join(srv, "hooks-off")
	if err := os.MkdirAll(hooksOff, 0o755); err != nil {
		log.Fatal(err)
	}
	// Time the pre-receive hook from its start to its exit.
	preTimes := filepath.Join(root, "pre-receive.ns")
	wrapper := fmt.Sprintf(`#!/bin/sh
s=$(date +%%s%%N)
%s hook pre-receive
rc=$?
echo $(( $(date +%%s%%N) - s )) >> %s
exit $rc
`, bin, preTimes)
	if err := os.WriteFile(filepath.Join(hooksOn, "pre-receive"), []byte(wrapper), 0o755); err != nil {
		log.Fatal(err)
	}

	// The baseline snapshot of the base commit, as every earlier push
	// would have left it: a full scan, unmeasured.
	start := time.Now()
	measure.RunInput(srv, strings.NewReader(strings.Repeat("0", 40)+" "+base+" refs/heads/main\n"), bin, "hook", "post-receive", "--repo", srv)
	fmt.Printf("server: %d files at the base commit; baseline snapshot (full scan): %v\n", *files, time.Since(start).Round(time.Millisecond))
	db := filepath.Join(srv, "flagscan.db")
	baseDB := filepath.Join(root, "base.db")
	measure.CopyStore(db, baseDB)

	fmt.Printf("\n%-28s %9s %9s   %9s %9s   %9s %9s   %s\n", "push", "bare p50", "p95", "hook p50", "p95", "added p50", "p95", "pre-receive p50 / p95 / max (budget)")
	for _, n := range []int{1, 100} {
		var without, with []time.Duration
		failOpen := 0
		os.Remove(preTimes)
		for r := 0; r < *runs; r++ {
			for _, hooks := range order(r) {
				measure.Run(srv, "git", "update-ref", "refs/heads/main", base)
				measure.RemoveStore(db)
				measure.CopyStore(baseDB, db)
				dir := hooksOff
				if hooks {
					dir = hooksOn
				}
				measure.Run(srv, "git", "config", "core.hooksPath", dir)
				out, d := timedPush(src, srv, commits[n])
				if hooks {
					with = append(with, d)
					if strings.Contains(out, "the push goes through") {
						failOpen++
					}
				} else {
					without = append(without, d)
				}
			}
		}
		pre := readTimes(preTimes)
		addP50, addP95 := pct(with, 50)-pct(without, 50), pct(with, 95)-pct(without, 95)
		fmt.Printf("%-28s %9s %9s   %9s %9s   %9s %9s   %s / %s / %s (%s), %d of %d failed open\n",
			fmt.Sprintf("%d commit(s), 10 files each", n),
			ms(pct(without, 50)), ms(pct(without, 95)), ms(pct(with, 50)), ms(pct(with, 95)), ms(addP50), ms(addP95),
			ms(pct(pre, 50)), ms(pct(pre, 95)), ms(slices.Max(pre)), *budget, failOpen, len(with))
	}
	fmt.Printf("\nevents delivered to the local receiver: %d\n", received.Load())
}

// order alternates which of with and without hooks goes first.
func order(r int) []bool {
	if r%2 == 0 {
		return []bool{false, true}
	}
	return []bool{true, false}
}

// timedPush pushes commit to the server's main and returns git's output
// and how long it took.
func timedPush(src, srv, commit string) (string, time.Duration) {
	cmd := exec.Command("git", "push", srv, commit+":refs/heads/main")
	cmd.Dir = src
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	d, _, err := measure.Time(cmd)
	if err != nil {
		log.Fatalf("git push: %v\n%s", err, out.String())
	}
	return out.String(), d
}

func readTimes(path string) []time.Duration {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var out []time.Duration
	for _, f := range strings.Fields(string(data)) {
		ns, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			log.Fatal(err)
		}
		out = append(out, time.Duration(ns))
	}
	return out
}

// pct returns the p-th percentile (nearest rank) of times.
func pct(times []time.Duration, p int) time.Duration {
	s := slices.Clone(times)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
}
