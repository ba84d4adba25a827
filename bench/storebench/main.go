// Command storebench measures the store under a fleet: pushes per second
// and events delivered per second with 1, 4 and 16 processes at once on
// one PostgreSQL database, beside one process on SQLite, and beside git
// doing comparable per-push work (`git diff-tree -r`, one process per
// push) in the same run.
//
// Each process pushes, one commit at a time, a history of its own (the
// same generated commits under another --repository name, so that the
// snapshots are separate and the blob cache is shared, as a fleet's are);
// the events go to the outbox. Then as many `flagscan deliver --watch`
// processes send 4,000 events to a local receiver that answers at once.
//
// PostgreSQL is the server FLAGSCAN_BENCH_POSTGRES names, else one that
// .ci/postgres starts (Debian's postgresql package) and stops at the end.
//
// Usage (from the repository root):
//
//	go run ./bench/storebench [-files 2000] [-commits 32] [-procs 1,4,16]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/bench/gen"
	"github.com/flagscan/flagscan/bench/internal/measure"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/outbox"
)

func main() {
	files := flag.Int("files", 2000, "files in the generated tree")
	commits := flag.Int("commits", 32, "commits each process pushes, one at a time")
	procList := flag.String("procs", "1,4,16", "numbers of concurrent processes on PostgreSQL")
	events := flag.Int("events", 4000, "events the deliver processes send")
	flag.Parse()
	log.SetFlags(0)

	root := measure.TempDir("storebench")
	defer os.RemoveAll(root)
	bin := measure.BuildFlagscan(root)
	repo := filepath.Join(root, "repo.git")
	measure.ImportHistory(repo, gen.HistoryOptions{Files: *files, Commits: *commits, PerCommit: 4, Ordinary: 0.5, Seed: 7})
	ids := strings.Fields(measure.Run(repo, "git", "rev-list", "--reverse", "main"))

	var delivered atomic.Int64
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		delivered.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rc.Close()
	cfg := filepath.Join(root, "flagscan.yml")
	if err := os.WriteFile(cfg, []byte(`webhooks:
  - description: bench receiver
    events: [Flag.new, Flag.deleted]
    url: `+rc.URL+`/hook
delivery:
  allow_hosts: [127.0.0.1]
  inline_budget: 0s
`), 0o644); err != nil {
		log.Fatal(err)
	}

	pgURL := os.Getenv("FLAGSCAN_BENCH_POSTGRES")
	if pgURL == "" {
		dir := measure.TempDir("storebench-pg")
		os.Chmod(dir, 0o755) // the server runs as the postgres user
		pgURL = strings.TrimSpace(measure.Run(".", "sh", ".ci/postgres", "start", filepath.Join(dir, "pg")))
		// A watcher stops the server once this process is gone, however it
		// ends: log.Fatal runs no deferred function.
		watch := exec.Command("sh", "-c", `while kill -0 "$0" 2>/dev/null; do sleep 1; done; sh .ci/postgres stop "$1/pg"; rm -rf "$1"`,
			strconv.Itoa(os.Getpid()), dir)
		watch.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := watch.Start(); err != nil {
			log.Fatal(err)
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("repository: %d files, %d commits of 4 files each; load average %s", *files, len(ids)-1, load)

	// git: the same number of one-commit steps, one process each, as the
	// per-push floor of work a hook pays whatever its store.
	gitRate := rate(1, len(ids)-1, func(_, i int) error {
		return exec.Command("git", "-C", repo, "diff-tree", "-r", "--no-commit-id", ids[i], ids[i+1]).Run()
	})
	fmt.Printf("%-32s %12s %14s %16s\n", "store", "processes", "pushes/s", "events/s")
	fmt.Printf("%-32s %12d %14.1f %16s\n", "git diff-tree (per push)", 1, gitRate, "-")

	run := func(name, target string, procs int) {
		// Baselines first, untimed: each repository's first push scans the
		// whole tree (the first fills the shared blob cache).
		for p := 0; p < procs; p++ {
			measure.Run(repo, bin, "push", "--db", target, "--config", cfg, "--repository", repoName(p), ids[0], ids[0], "refs/heads/main")
		}
		pushRate := rate(procs, len(ids)-1, func(p, i int) error {
			cmd := exec.Command(bin, "push", "--db", target, "--config", cfg, "--repository", repoName(p), ids[i], ids[i+1], "refs/heads/main")
			cmd.Dir = repo
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%v: %s", err, out)
			}
			return nil
		})
		eventRate := deliverRate(bin, target, cfg, rc.URL, procs, *events, &delivered)
		fmt.Printf("%-32s %12d %14.1f %16.1f\n", name, procs, pushRate, eventRate)
	}
	run("SQLite", filepath.Join(root, "sqlite.db"), 1)
	for i, f := range strings.Split(*procList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			log.Fatalf("-procs: %q is not a positive number", f)
		}
		// A schema per run, so that each starts from an empty store.
		target := withSearchPath(pgURL, fmt.Sprint("bench_", i))
		measure.Run(".", "psql", "-q", pgURL, "-c", "DROP SCHEMA IF EXISTS "+fmt.Sprint("bench_", i)+" CASCADE; CREATE SCHEMA "+fmt.Sprint("bench_", i))
		run("PostgreSQL", target, n)
	}
}

func repoName(p int) string { return fmt.Sprint("bench/repo-", p) }

// rate runs step(p, i) for i in [0, steps) in each of procs goroutines at
// once and returns the steps per second of them all.
func rate(procs, steps int, step func(p, i int) error) float64 {
	start := time.Now()
	var wg sync.WaitGroup
	for p := 0; p < procs; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < steps; i++ {
				if err := step(p, i); err != nil {
					log.Fatal(err)
				}
			}
		}()
	}
	wg.Wait()
	return float64(procs*steps) / time.Since(start).Seconds()
}

func withSearchPath(u, schema string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "search_path=" + schema
}

// deliverRate enqueues n events, held, for the receiver's webhook (of 400
// repositories, ten keys each, so that some wait behind others as they
// do), starts procs `deliver --watch` processes, releases the events once
// every process is up, and returns the events delivered per second until
// the outbox is empty: what a fleet's long-running deliverers sustain,
// without their start-up.
func deliverRate(bin, target, cfg, url string, procs, n int, delivered *atomic.Int64) float64 {
	ctx := context.Background()
	db, err := store.Open(ctx, target, outbox.Schema{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	const desc = "bench receiver"
	sub := emitter.Subscription{ID: emitter.SubscriptionID(desc, url+"/hook"), Description: desc, URL: url + "/hook",
		Events: []string{event.FlagNew, event.FlagDeleted}}
	hold := fmt.Sprint("bench-", time.Now().UnixNano())
	evs := make([]outbox.Event, n)
	for i := range evs {
		repo, key := fmt.Sprint("bench/r", i%400), fmt.Sprint("k", i/400%10)
		evs[i] = outbox.Event{ID: fmt.Sprintf("evt_%s_%06d", hold, i), Type: event.FlagNew, FlagKey: key,
			Order: outbox.OrderOf(repo, key), Body: []byte(`{"event":"Flag.new"}`), Hold: hold}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := outbox.Enqueue(ctx, tx, []emitter.Subscription{sub}, evs); err != nil {
		log.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	var workers []*exec.Cmd
	for p := 0; p < procs; p++ {
		cmd := exec.Command(bin, "deliver", "--watch", "--db", target, "--config", cfg)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			log.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			log.Fatal(err)
		}
		// Up once it says whom it delivers to.
		line, err := bufio.NewReader(stderr).ReadString('\n')
		if err != nil || !strings.Contains(line, "delivering to") {
			log.Fatalf("deliver --watch: %q, %v", line, err)
		}
		go io.Copy(io.Discard, stderr)
		workers = append(workers, cmd)
	}
	before := delivered.Load()
	start := time.Now()
	if _, err := outbox.Release(ctx, db, hold); err != nil {
		log.Fatal(err)
	}
	for delivered.Load()-before < int64(n) {
		if time.Since(start) > 5*time.Minute {
			log.Fatalf("%d of %d events delivered after 5 minutes", delivered.Load()-before, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(start)
	for _, w := range workers {
		w.Process.Signal(syscall.SIGTERM)
		w.Wait()
	}
	return float64(n) / took.Seconds()
}
