package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestFleet runs flagscan as a fleet shares one PostgreSQL database: four
// processes at a time push the same and different branches of three
// repositories, two `deliver --watch` workers send the events, and
// then either one worker is killed with SIGKILL in the middle of a request,
// or the database is restarted in the middle of the pushes. Every event is
// delivered, no event is ever sent by two workers at the same time, a
// repeat has the same webhook-id, and the events are exactly those one
// process pushing the same updates alone stores.
func TestFleet(t *testing.T) {
	bin := hookBinary(t)
	t.Run("a deliverer killed mid-request", func(t *testing.T) { runFleet(t, bin, false) })
	t.Run("the database restarted mid-run", func(t *testing.T) { runFleet(t, bin, true) })
}

// fleetStream is the updates of one branch of one repository, in order.
type fleetStream struct {
	repo, dir, ref string
	updates        [][2]string // old, new
}

func runFleet(t *testing.T, bin string, restart bool) {
	pg := startPostgres(t)
	streams := fleetRepos(t)
	secret := newSecret(t)
	rc := newFleetReceiver(!restart)
	t.Cleanup(rc.Close)
	cfg := writeConfig(t, t.TempDir(), `branches: ['*']
webhooks:
  - description: fleet receiver
    events: [Flag.new, Flag.deleted]
    url: `+rc.URL+`/hook
    secret: ${FLEET_SECRET}
delivery:
  allow_hosts: [127.0.0.1]
  inline_budget: 0s
  timeout: 2s
  lease: 3s
  retry_schedule: [200ms, 200ms, 500ms, 1s, 1s, 2s, 2s, 5s]
`)
	t.Setenv("FLEET_SECRET", secret) // for the reference's in-process pushes
	want := fleetReference(t, streams, cfg)
	db, err := workspace.OpenStore(context.Background(), pg.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opts := gittest.Options{Drop: []string{"FLAGSCAN_"}, Env: []string{"FLEET_SECRET=" + secret, "HOME=" + t.TempDir()}}

	// The deliverers, started first: they wait for events.
	var workers [2]*exec.Cmd
	var workerLogs [2]strings.Builder
	for i := range workers {
		cmd := opts.Command(t.TempDir(), bin, "deliver", "--watch", "--db", pg.url, "--config", cfg)
		cmd.Stdout, cmd.Stderr = &workerLogs[i], &workerLogs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		workers[i] = cmd
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		})
	}

	// Four pushers; each branch is pushed by two of them.
	total := 0
	for _, s := range streams {
		total += 2 * len(s.updates)
	}
	var (
		pushed, failedClearly, running atomic.Int64
		wg                             sync.WaitGroup
		restarted                      = make(chan struct{})
	)
	for p := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []fleetStream
			for i, s := range streams {
				if i%4 == p || (i+1)%4 == p {
					mine = append(mine, s)
				}
			}
			for step := 0; ; step++ {
				did := false
				for _, s := range mine {
					if step >= len(s.updates) {
						continue
					}
					did = true
					u := s.updates[step]
					running.Add(1)
					for attempt := 0; ; attempt++ {
						out, err := opts.Command(s.dir, bin, "push", "-C", s.dir, "--db", pg.url, "--config", cfg,
							"--repository", s.repo, u[0], u[1], s.ref).CombinedOutput()
						if err == nil {
							break
						}
						// Only a restart may fail a push, and it must say why.
						if !restart || !strings.Contains(string(out), "database") || attempt > 100 {
							t.Errorf("push %s %s %s..%s: %v\n%s", s.repo, s.ref, u[0][:7], u[1][:7], err, out)
							return
						}
						if failedClearly.Add(1) == 1 {
							t.Logf("a push during the restart: %s", strings.TrimSpace(string(out)))
						}
						time.Sleep(100 * time.Millisecond)
					}
					running.Add(-1)
					if pushed.Add(1) == int64(total/2) && restart {
						close(restarted)
					}
				}
				if !did {
					return
				}
			}
		}()
	}
	if restart {
		<-restarted
		t.Logf("restarting the database with %d pushes running", running.Load())
		pg.restart(t)
	}
	if !restart {
		// The first request waits: kill the worker that sent it.
		var id string
		select {
		case id = <-rc.blocked:
		case <-time.After(60 * time.Second):
			t.Fatal("no request reached the receiver")
		}
		pid := leaseOwnerPID(t, db, id)
		killed := -1
		for i, w := range workers {
			if w.Process.Pid == pid {
				killed = i
				if err := w.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				w.Wait()
			}
		}
		if killed < 0 {
			t.Fatalf("event %s is leased by pid %d, none of the workers", id, pid)
		}
		close(rc.release)
		t.Logf("killed worker %d (pid %d) while it sent %s", killed, pid, id)
		defer func() {
			if got := rc.count(id); got < 2 {
				t.Errorf("%s was received %d times: the killed worker's event was not sent again", id, got)
			}
			if n := countAttempts(t, db, id, "lease_expired"); n != 1 {
				t.Errorf("%s has %d lease_expired attempts, want 1", id, n)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// Every event delivered.
	deadline := time.Now().Add(90 * time.Second)
	for {
		var pending int
		err := db.QueryRow(`SELECT count(*) FROM outbox_deliveries WHERE state <> 'delivered'`).Scan(&pending)
		switch {
		case store.Transient(err): // this pool's connection from before the restart
			pending = -1
		case err != nil:
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries not delivered after 90s\nworker 1:\n%s\nworker 2:\n%s", pending, workerLogs[0].String(), workerLogs[1].String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	got := outboxEvents(t, db)
	if !slices.Equal(got, want) {
		t.Errorf("the fleet stored %d events:\n%s\none process alone %d:\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
	received := rc.ids()
	var ids []string
	for _, e := range got {
		ids = append(ids, strings.Fields(e)[0])
	}
	slices.Sort(ids)
	if !slices.Equal(received, ids) {
		t.Errorf("received webhook-ids %v, want every event's: %v", received, ids)
	}
	if o := rc.overlapping(); len(o) > 0 {
		t.Errorf("sent twice at the same time: %v", o)
	}
	t.Logf("%d pushes (%d failed clearly during the restart and were run again), %d events, %d requests",
		pushed.Load(), failedClearly.Load(), len(got), rc.requests())
}

// fleetRepos makes three repositories, each with a main branch of four
// commits and a feature branch of three from main's first; each commit
// replaces its branch's flag key with a new one.
func fleetRepos(t *testing.T) []fleetStream {
	const zero = "0000000000000000000000000000000000000000"
	var streams []fleetStream
	for _, name := range []string{"alpha", "beta", "gamma"} {
		dir := filepath.Join(t.TempDir(), name)
		gittest.Init(t, dir)
		main := fleetStream{repo: name, dir: dir, ref: "refs/heads/main"}
		feat := fleetStream{repo: name, dir: dir, ref: "refs/heads/feat"}
		prev := zero
		var first string
		for i := 1; i <= 4; i++ {
			c := gittest.CommitFiles(t, dir, fmt.Sprint("main ", i), map[string]string{
				"web/app.ts": fmt.Sprintf("visitor.getFlag(%q, false);\n", fmt.Sprintf("%s-main-%d", name, i)),
			})
			main.updates = append(main.updates, [2]string{prev, c})
			prev = c
			if i == 1 {
				first = c
			}
		}
		gittest.Run(t, dir, "checkout", "-q", "-b", "feat", first)
		prev = zero
		for i := 1; i <= 3; i++ {
			c := gittest.CommitFiles(t, dir, fmt.Sprint("feat ", i), map[string]string{
				"web/feat.ts": fmt.Sprintf("visitor.getFlag(%q, false);\n", fmt.Sprintf("%s-feat-%d", name, i)),
			})
			feat.updates = append(feat.updates, [2]string{prev, c})
			prev = c
		}
		gittest.Run(t, dir, "checkout", "-q", "main")
		streams = append(streams, main, feat)
	}
	return streams
}

// fleetReference pushes the streams' updates one after the other, in one
// process, into a SQLite store, and returns the events it stored.
func fleetReference(t *testing.T, streams []fleetStream, cfg string) []string {
	target := filepath.Join(t.TempDir(), "reference.db")
	for _, s := range streams {
		for _, u := range s.updates {
			if code, _, errOut := flagscan(t, "", "push", "-C", s.dir, "--db", target, "--config", cfg,
				"--repository", s.repo, u[0], u[1], s.ref); code != exitOK {
				t.Fatalf("reference push: exit %d: %s", code, errOut)
			}
		}
	}
	db, err := workspace.OpenStore(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	events := outboxEvents(t, db)
	// What the history says, as a check on the reference itself.
	for _, e := range []string{"Flag.deleted alpha-main-1", "Flag.new gamma-main-4", "Flag.new beta-feat-3"} {
		if !slices.ContainsFunc(events, func(s string) bool { return strings.HasSuffix(s, " "+e) }) {
			t.Fatalf("the reference has no %s: %v", e, events)
		}
	}
	return events
}

// outboxEvents returns the outbox's events as "id type key", sorted.
func outboxEvents(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT id, type, flag_key FROM outbox_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, typ, key string
		if err := rows.Scan(&id, &typ, &key); err != nil {
			t.Fatal(err)
		}
		out = append(out, id+" "+typ+" "+key)
	}
	slices.Sort(out)
	return out
}

// leaseOwnerPID returns the process id in the name of the worker holding
// the lease of event id's delivery (deliver names itself host-pid-random).
func leaseOwnerPID(t *testing.T, db *sql.DB, id string) int {
	t.Helper()
	var owner string
	if err := db.QueryRow(`SELECT d.lease_owner FROM outbox_deliveries d JOIN outbox_events e ON e.seq = d.event_seq WHERE e.id = ?`, id).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(owner, "-")
	var pid int
	if len(parts) < 3 {
		t.Fatalf("lease owner %q", owner)
	}
	fmt.Sscan(parts[len(parts)-2], &pid)
	return pid
}

func countAttempts(t *testing.T, db *sql.DB, id, class string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM outbox_attempts a JOIN outbox_events e ON e.seq = a.event_seq WHERE e.id = ? AND a.error_class = ?`, id, class).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fleetReceiver records every request's webhook-id and whether two
// requests of one id were ever in flight at once. With block set, the
// first request waits until release is closed, its id sent on blocked.
type fleetReceiver struct {
	*httptest.Server
	blocked chan string
	release chan struct{}

	mu       sync.Mutex
	block    bool
	inflight map[string]int
	got      map[string]int
	overlaps []string
	total    int
}

func newFleetReceiver(block bool) *fleetReceiver {
	rc := &fleetReceiver{blocked: make(chan string, 1), release: make(chan struct{}), block: block,
		inflight: map[string]int{}, got: map[string]int{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("webhook-id")
		rc.mu.Lock()
		rc.total++
		rc.got[id]++
		rc.inflight[id]++
		if rc.inflight[id] > 1 {
			rc.overlaps = append(rc.overlaps, id)
		}
		first := rc.block
		rc.block = false
		rc.mu.Unlock()
		defer func() {
			rc.mu.Lock()
			rc.inflight[id]--
			rc.mu.Unlock()
		}()
		if first {
			rc.blocked <- id
			<-rc.release
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		time.Sleep(20 * time.Millisecond) // requests of several workers overlap
		w.WriteHeader(http.StatusNoContent)
	}))
	return rc
}

func (rc *fleetReceiver) ids() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for id := range rc.got {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func (rc *fleetReceiver) count(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.got[id]
}

func (rc *fleetReceiver) requests() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.total
}

func (rc *fleetReceiver) overlapping() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.overlaps)
}

// pgServer is a PostgreSQL server of the test's own, started by
// .ci/postgres, so that restarting it disturbs no other test.
type pgServer struct {
	script, dir, url string
}

func startPostgres(t *testing.T) *pgServer {
	t.Helper()
	if bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(bins) == 0 {
		if os.Getenv(storetest.EnvRequire) == "1" {
			t.Fatal("no PostgreSQL server binaries (Debian's postgresql package): .ci/test installs them")
		}
		t.Skip("needs Debian's postgresql package to start a server of its own (.ci/test installs it)")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", ".ci", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	// Under /tmp itself: the server runs as the postgres user, which must
	// reach the directory (t.TempDir's parents are private).
	dir, err := os.MkdirTemp("", "flagscan-fleet-")
	if err != nil {
		t.Fatal(err)
	}
	pg := &pgServer{script: script, dir: filepath.Join(dir, "pg")}
	out, err := exec.Command("sh", script, "start", pg.dir).Output()
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf(".ci/postgres start: %v\n%s", err, out)
	}
	pg.url = strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("sh", script, "stop", pg.dir).CombinedOutput(); err != nil {
			t.Errorf(".ci/postgres stop: %v\n%s", err, out)
		}
		os.RemoveAll(dir)
	})
	return pg
}

func (pg *pgServer) restart(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("sh", pg.script, "restart", pg.dir).CombinedOutput(); err != nil {
		t.Fatalf(".ci/postgres restart: %v\n%s", err, out)
	}
	t.Log("the database was restarted")
}
