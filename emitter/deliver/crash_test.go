package deliver_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store/storetest"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/internal/testenv"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// buildTestcmd builds the deliverer helper binary (what `flagscan deliver
// --watch` runs) into a temporary directory.
func buildTestcmd(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "testcmd")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/flagscan/flagscan/emitter/internal/testcmd")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a running testcmd.
type process struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan error
}

func start(t *testing.T, bin, db, url, secret string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-db", db, "-url", url}, args...)...)
	cmd.Env = append(os.Environ(), "TESTCMD_SECRET="+secret)
	p := &process{cmd: cmd, out: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *process) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(timeout):
		t.Fatalf("process did not stop within %s; output:\n%s", timeout, p.out)
		return nil
	}
}

// TestCrashSafety kills the deliverer with SIGKILL in the middle of a
// request, restarts it, stops the second with SIGTERM in the middle of
// another, and restarts it again: every event arrives, none is lost, any
// repeat carries the same webhook-id, and the clean stop leaves no claim
// behind.
func TestCrashSafety(t *testing.T) {
	bin := buildTestcmd(t)
	path := storetest.Target(t)
	db := testenv.OpenDB(t, path)
	secret := testenv.NewSecret()

	const (
		n        = 60
		killAt   = 15 // the arrival during which the first process is killed
		termAt   = 35 // the arrival during which the second one is stopped
		leaseDur = 1500 * time.Millisecond
	)
	var (
		mu       sync.Mutex
		arriving = map[int]chan struct{}{killAt: make(chan struct{}), termAt: make(chan struct{})}
		blocked  = map[int]chan struct{}{killAt: make(chan struct{}), termAt: make(chan struct{})}
	)
	rc := testenv.NewReceiver(t, secret, func(r *testenv.Request) testenv.Reply {
		mu.Lock()
		arrived, block := arriving[r.N], blocked[r.N]
		mu.Unlock()
		if arrived != nil {
			close(arrived)
			// Held until the sender goes away (the request is cancelled) or
			// the test lets it go.
			return testenv.Reply{Status: 204, Block: block}
		}
		return testenv.Reply{Status: 204}
	})
	t.Cleanup(func() {
		for _, c := range blocked {
			select {
			case <-c:
			default:
				close(c)
			}
		}
	})
	sub := testenv.Sub("crash test", rc.URL, secret)
	var events []outbox.Event
	ids := testenv.IDs(n)
	for i, id := range ids {
		events = append(events, testenv.Event(id, event.FlagNew, fmt.Sprintf("key-%d", i%6)))
	}
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, events...)

	args := []string{"-lease", leaseDur.String(), "-timeout", "500ms", "-grace", "100ms"}

	// 1. SIGKILL while a request is in flight.
	p1 := start(t, bin, path, rc.URL, secret, args...)
	select {
	case <-arriving[killAt]:
	case err := <-p1.done:
		t.Fatalf("first process ended: %v\n%s", err, p1.out)
	case <-time.After(20 * time.Second):
		t.Fatalf("request %d never arrived; receiver got %d\n%s", killAt, rc.Count(), p1.out)
	}
	if err := p1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := p1.wait(t, 5*time.Second); !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("first process: %v, want killed", err)
	}

	// 2. Restart; it takes the killed claims over when their lease ends.
	// SIGTERM while another request is in flight: a clean stop.
	p2 := start(t, bin, path, rc.URL, secret, args...)
	select {
	case <-arriving[termAt]:
	case err := <-p2.done:
		t.Fatalf("second process ended: %v\n%s", err, p2.out)
	case <-time.After(20 * time.Second):
		t.Fatalf("request %d never arrived; receiver got %d\n%s", termAt, rc.Count(), p2.out)
	}
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p2.wait(t, 10*time.Second); err != nil {
		t.Fatalf("second process after SIGTERM: %v, want a clean exit\n%s", err, p2.out)
	}
	// A clean stop releases every claim it holds.
	worker := workerOf(t, p2)
	var held int
	if err := db.QueryRow(`SELECT COUNT(*) FROM outbox_deliveries WHERE lease_owner = ?`, worker).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Errorf("the cleanly stopped process left %d claims", held)
	}

	// 3. Restart and let it finish.
	p3 := start(t, bin, path, rc.URL, secret, args...)
	testenv.Eventually(t, 30*time.Second, "every event delivered", func() bool {
		return testenv.AllIn(t, db, outbox.StateDelivered)
	})
	p3.cmd.Process.Signal(syscall.SIGTERM)
	if err := p3.wait(t, 10*time.Second); err != nil {
		t.Fatalf("third process: %v\n%s", err, p3.out)
	}

	rc.Check(t)
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	got := map[string]int{}
	for _, r := range rc.Requests() {
		if !known[r.ID] {
			t.Errorf("request %d carries webhook-id %q, not an event's id", r.N, r.ID)
		}
		got[r.ID]++
	}
	repeats := 0
	for _, id := range ids {
		switch {
		case got[id] == 0:
			t.Errorf("event %s never arrived", id)
		case got[id] > 1:
			repeats++
		}
	}
	if repeats < 2 {
		t.Errorf("%d events arrived twice; want at least the two cut short (killed and stopped)", repeats)
	}
	if o := rc.Overlaps(); len(o) > 0 {
		t.Errorf("events received twice at the same time: %v", o)
	}
	var lost int
	db.QueryRow(`SELECT COUNT(*) FROM outbox_attempts WHERE error_class = ?`, outbox.ClassLeaseExpired).Scan(&lost)
	if lost == 0 {
		t.Errorf("no attempt recorded for the claims of the killed process")
	}
	t.Logf("%d requests for %d events; %d repeated; %d killed claims taken over", rc.Count(), n, repeats, lost)
}

// workerOf returns the worker name a testcmd printed.
func workerOf(t *testing.T, p *process) string {
	t.Helper()
	for _, line := range strings.Split(p.out.String(), "\n") {
		if w, ok := strings.CutPrefix(line, "testcmd: watching as "); ok {
			return w
		}
	}
	t.Fatalf("no worker name in the output:\n%s", p.out)
	return ""
}
