package deliver_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store/storetest"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/deliver"
	"github.com/flagscan/flagscan/emitter/internal/testenv"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// fast returns options for tests: a millisecond retry schedule, the local
// receivers allowed.
func fast(o deliver.Options) deliver.Options {
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	if o.RetrySchedule == nil {
		o.RetrySchedule = []time.Duration{5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond}
	}
	if o.AllowHosts == nil {
		o.AllowHosts = []string{"127.0.0.1"}
	}
	if o.PollInterval == 0 {
		o.PollInterval = 20 * time.Millisecond
	}
	return o
}

func newDeliverer(t testing.TB, db *sql.DB, subs []emitter.Subscription, o deliver.Options) *deliver.Deliverer {
	t.Helper()
	d, err := deliver.New(db, subs, fast(o))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// watch runs d.Watch until the test ends (or stop is called), and fails the
// test if Watch returns an error.
func watch(t *testing.T, d *deliver.Deliverer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Watch(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Watch: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func show(t *testing.T, db *sql.DB, id string) *outbox.EventDetail {
	t.Helper()
	ev, err := outbox.Show(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestFailsThreeTimesThenAccepted(t *testing.T) {
	db := testenv.OpenDB(t, "")
	secret := testenv.NewSecret()
	rc := testenv.NewReceiver(t, secret, func(r *testenv.Request) testenv.Reply {
		if r.N <= 3 {
			return testenv.Reply{Status: 500, Body: "not now"}
		}
		return testenv.Reply{Status: 200, Body: "ok"}
	})
	sub := testenv.Sub("cleanup bot", rc.URL+"/hook", secret)
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "checkout"))
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{})
	stop := watch(t, d)
	testenv.Eventually(t, 10*time.Second, "delivery", func() bool { return testenv.AllIn(t, db, outbox.StateDelivered) })
	stop()

	reqs := rc.Requests()
	if len(reqs) != 4 {
		t.Fatalf("receiver got %d requests, want 4", len(reqs))
	}
	for _, r := range reqs {
		if r.ID != "evt_1" {
			t.Errorf("request %d: webhook-id %q, want evt_1 on every try", r.N, r.ID)
		}
		if got := r.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type %q", got)
		}
	}
	rc.Check(t)

	ev := show(t, db, "evt_1")
	if len(ev.Attempts) != 4 {
		t.Fatalf("%d attempts recorded, want 4: %+v", len(ev.Attempts), ev.Attempts)
	}
	for i, a := range ev.Attempts {
		wantStatus, wantClass, wantResp := 500, deliver.ClassHTTPStatus, "not now"
		if i == 3 {
			wantStatus, wantClass, wantResp = 200, "", "ok"
		}
		if a.N != i+1 || a.Status != wantStatus || a.ErrorClass != wantClass || string(a.Response) != wantResp || a.Started.IsZero() {
			t.Errorf("attempt %d: %+v, want n=%d status %d class %q response %q", i, a, i+1, wantStatus, wantClass, wantResp)
		}
	}
	dl := ev.Deliveries[0]
	if dl.State != outbox.StateDelivered || dl.Attempts != 4 || dl.DeliveredAt.IsZero() || dl.LeaseOwner != "" {
		t.Errorf("delivery: %+v", dl)
	}
}

func TestGoneDisablesSubscription(t *testing.T) {
	db := testenv.OpenDB(t, "")
	ctx := context.Background()
	var gone sync.Mutex
	isGone := true
	rc := testenv.NewReceiver(t, "", func(r *testenv.Request) testenv.Reply {
		gone.Lock()
		defer gone.Unlock()
		if isGone {
			return testenv.Reply{Status: http.StatusGone}
		}
		return testenv.Reply{Status: 204}
	})
	other := testenv.NewReceiver(t, "", nil)
	subs := []emitter.Subscription{testenv.Sub("gone", rc.URL, ""), testenv.Sub("other", other.URL, "")}
	testenv.Enqueue(t, db, subs, testenv.Event("evt_1", event.FlagNew, "a"))
	d := newDeliverer(t, db, subs, deliver.Options{RetrySchedule: []time.Duration{0, 0, 0}})

	st, err := d.Deliver(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Disabled != 1 || rc.Count() != 1 || other.Count() != 1 {
		t.Fatalf("stats %+v, gone receiver %d requests, other %d", st, rc.Count(), other.Count())
	}
	states, err := outbox.Subscriptions(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if want := s.Description == "gone"; s.Disabled != want {
			t.Errorf("subscription %q disabled=%v, want %v", s.Description, s.Disabled, want)
		}
	}

	// The retry is due at once (schedule 0), and a new event comes: a
	// disabled subscription gets neither; the other gets the new one.
	testenv.Enqueue(t, db, subs, testenv.Event("evt_2", event.FlagDeleted, "a"))
	st, err = d.Deliver(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Claimed != 1 || rc.Count() != 1 || other.Count() != 2 {
		t.Fatalf("after disable: stats %+v, gone receiver %d requests, other %d", st, rc.Count(), other.Count())
	}

	// Enabled again, it gets both, in order, with the same ids.
	gone.Lock()
	isGone = false
	gone.Unlock()
	if ok, err := outbox.EnableSubscription(ctx, db, subs[0].ID); err != nil || !ok {
		t.Fatalf("enable: %v %v", ok, err)
	}
	for range 3 {
		if _, err := d.Deliver(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for _, r := range rc.Requests() {
		ids = append(ids, r.ID)
	}
	if want := []string{"evt_1", "evt_1", "evt_2"}; !slices.Equal(ids, want) {
		t.Errorf("gone receiver got %v, want %v", ids, want)
	}
	if !testenv.AllIn(t, db, outbox.StateDelivered) {
		t.Errorf("not all delivered: %v", testenv.States(t, db))
	}
}

func TestRedirectIsAFailure(t *testing.T) {
	db := testenv.OpenDB(t, "")
	target := testenv.NewReceiver(t, "", nil)
	rc := testenv.NewReceiver(t, "", func(r *testenv.Request) testenv.Reply {
		return testenv.Reply{Status: http.StatusFound, Header: map[string]string{"Location": target.URL + "/secret-path?token=t0k3n"}}
	})
	sub := testenv.Sub("redirected", rc.URL, "")
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{RetrySchedule: []time.Duration{}})
	st, err := d.Deliver(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 1 || target.Count() != 0 || rc.Count() != 1 {
		t.Fatalf("stats %+v; redirect target got %d requests, want 0", st, target.Count())
	}
	a := show(t, db, "evt_1").Attempts[0]
	if a.Status != 302 || a.ErrorClass != deliver.ClassRedirect {
		t.Errorf("attempt %+v, want 302 redirect", a)
	}
	if strings.Contains(a.Error, "t0k3n") || strings.Contains(a.Error, "secret-path") {
		t.Errorf("error shows the Location's path or query: %q", a.Error)
	}
	if testenv.States(t, db)["evt_1"] != outbox.StateFailed {
		t.Errorf("state %v, want failed (no retry in the schedule)", testenv.States(t, db))
	}
}

func TestSlowReceiverTimesOut(t *testing.T) {
	db := testenv.OpenDB(t, "")
	release := make(chan struct{})
	defer close(release)
	rc := testenv.NewReceiver(t, "", func(r *testenv.Request) testenv.Reply {
		return testenv.Reply{Status: 204, Block: release}
	})
	sub := testenv.Sub("slow", rc.URL, "")
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
	const timeout = 300 * time.Millisecond
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{Timeout: timeout, RetrySchedule: []time.Duration{time.Hour}})
	start := time.Now()
	st, err := d.Deliver(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < timeout || el > timeout+3*time.Second {
		t.Errorf("Deliver took %s with a %s timeout", el, timeout)
	}
	if st.Retrying != 1 {
		t.Fatalf("stats %+v, want one retry", st)
	}
	ev := show(t, db, "evt_1")
	a := ev.Attempts[0]
	if a.ErrorClass != deliver.ClassTimeout || a.Status != 0 || a.Duration < timeout-10*time.Millisecond {
		t.Errorf("attempt %+v, want a timeout of at least %s", a, timeout)
	}
	if next := ev.Deliveries[0].NextAt; time.Until(next) < 50*time.Minute {
		t.Errorf("next attempt at %s, want about an hour from now", next)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	db := testenv.OpenDB(t, "")
	rc := testenv.NewReceiver(t, "", func(r *testenv.Request) testenv.Reply {
		if r.N == 1 {
			return testenv.Reply{Status: http.StatusServiceUnavailable, Header: map[string]string{"Retry-After": "1"}}
		}
		return testenv.Reply{Status: 204}
	})
	sub := testenv.Sub("busy", rc.URL, "")
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{})
	stop := watch(t, d)
	testenv.Eventually(t, 10*time.Second, "delivery", func() bool { return testenv.AllIn(t, db, outbox.StateDelivered) })
	stop()
	reqs := rc.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	// The schedule says 5ms; Retry-After says 1s. Times are kept to the
	// millisecond.
	if gap := reqs[1].Arrived.Sub(reqs[0].Arrived); gap < 990*time.Millisecond {
		t.Errorf("second attempt %s after the first, want at least the 1s Retry-After asked", gap)
	}
}

func TestRetryAfterBounded(t *testing.T) {
	// A day, and more seconds than int64 holds (which is the longest wait,
	// not none): both wait the 10m bound.
	for _, retryAfter := range []string{"86400", "99999999999999999999999"} {
		db := testenv.OpenDB(t, "")
		rc := testenv.NewReceiver(t, "", func(r *testenv.Request) testenv.Reply {
			return testenv.Reply{Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": retryAfter}}
		})
		sub := testenv.Sub("greedy", rc.URL, "")
		testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
		d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{
			RetrySchedule: []time.Duration{time.Minute}, MaxRetryAfter: 10 * time.Minute, Jitter: -1,
		})
		before := time.Now()
		if _, err := d.Deliver(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		next := show(t, db, "evt_1").Deliveries[0].NextAt
		if wait := next.Sub(before); wait < 10*time.Minute-time.Second || wait > 10*time.Minute+5*time.Second {
			t.Errorf("Retry-After %s: retry in %s, want the 10m bound", retryAfter, wait)
		}
	}
}

func TestOrderPerFlagKeyUnderRetries(t *testing.T) {
	db := testenv.OpenDB(t, "")
	secret := testenv.NewSecret()
	var mu sync.Mutex
	tries := map[string]int{}
	rc := testenv.NewReceiver(t, secret, func(r *testenv.Request) testenv.Reply {
		mu.Lock()
		defer mu.Unlock()
		tries[r.ID]++
		if tries[r.ID] <= 2 { // every event fails twice
			return testenv.Reply{Status: 502}
		}
		return testenv.Reply{Status: 204}
	})
	sub := testenv.Sub("ordered", rc.URL, secret)
	// Produced in this order; per key: a1 < a2 < a3, b1 < b2 < b3.
	events := []outbox.Event{
		testenv.Event("a1", event.FlagNew, "a"),
		testenv.Event("b1", event.FlagNew, "b"),
		testenv.Event("a2", event.FlagDeleted, "a"),
		testenv.Event("c1", event.FlagNew, "c"),
		testenv.Event("a3", event.FlagNew, "a"),
		testenv.Event("b2", event.FlagDeleted, "b"),
		testenv.Event("b3", event.FlagNew, "b"),
	}
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, events[:3]...)
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, events[3:]...)
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{Workers: 8})
	stop := watch(t, d)
	testenv.Eventually(t, 20*time.Second, "delivery", func() bool { return testenv.AllIn(t, db, outbox.StateDelivered) })
	stop()
	rc.Check(t)
	if o := rc.Overlaps(); len(o) > 0 {
		t.Errorf("events sent twice at once: %v", o)
	}

	// No request of an event arrives before the last request of the event
	// of its key produced before it: an event never overtakes an
	// undelivered earlier one, not even with a failed attempt.
	reqs := rc.Requests()
	slices.SortFunc(reqs, func(a, b testenv.Request) int { return a.N - b.N })
	order := map[string]int{}
	for i, e := range events {
		order[e.ID] = i
	}
	last := map[string]int{} // key -> production index of the last event seen
	for _, r := range reqs {
		key := r.ID[:1]
		if prev, ok := last[key]; ok && order[r.ID] < prev {
			t.Errorf("request %d for %s came after a request for a later event of key %s", r.N, r.ID, key)
		}
		last[key] = order[r.ID]
	}
	if len(reqs) != 3*len(events) {
		t.Errorf("%d requests, want %d", len(reqs), 3*len(events))
	}
	// The keys went independently: c1 was sent before a3 was done.
	var firstC, lastA int
	for _, r := range reqs {
		if r.ID == "c1" && firstC == 0 {
			firstC = r.N
		}
		if r.ID == "a3" {
			lastA = r.N
		}
	}
	if firstC > lastA {
		t.Errorf("key c waited for key a (c1 first at request %d, a3 last at %d)", firstC, lastA)
	}
}

func TestLeaseTwoDeliverersNeverSendTheSameEventAtOnce(t *testing.T) {
	path := storetest.Target(t)
	db1 := testenv.OpenDB(t, path)
	db2 := testenv.OpenDB(t, path)
	secret := testenv.NewSecret()
	rc := testenv.NewReceiver(t, secret, func(r *testenv.Request) testenv.Reply {
		time.Sleep(time.Millisecond) // widen the window two senders could share
		return testenv.Reply{Status: 204}
	})
	sub := testenv.Sub("shared", rc.URL, secret)
	const n = 200
	var events []outbox.Event
	for i, id := range testenv.IDs(n) {
		events = append(events, testenv.Event(id, event.FlagNew, string(rune('a'+i%13))))
	}
	testenv.Enqueue(t, db1, []emitter.Subscription{sub}, events...)
	d1 := newDeliverer(t, db1, []emitter.Subscription{sub}, deliver.Options{Workers: 4, Worker: "one"})
	d2 := newDeliverer(t, db2, []emitter.Subscription{sub}, deliver.Options{Workers: 4, Worker: "two"})
	stop1, stop2 := watch(t, d1), watch(t, d2)
	testenv.Eventually(t, 30*time.Second, "delivery", func() bool { return testenv.AllIn(t, db1, outbox.StateDelivered) })
	stop1()
	stop2()
	if o := rc.Overlaps(); len(o) > 0 {
		t.Errorf("events sent by two deliverers at once: %v", o)
	}
	seen := map[string]int{}
	for _, r := range rc.Requests() {
		seen[r.ID]++
	}
	for _, id := range testenv.IDs(n) {
		if seen[id] != 1 {
			t.Errorf("%s received %d times, want once", id, seen[id])
		}
	}
	// Both took part.
	workers := map[string]int{}
	rows, err := db1.Query(`SELECT worker, COUNT(*) FROM outbox_attempts GROUP BY worker`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var w string
		var c int
		rows.Scan(&w, &c)
		workers[w] = c
	}
	if workers["one"] == 0 || workers["two"] == 0 {
		t.Logf("attempts per worker: %v (one deliverer did everything)", workers)
	}
}

func TestPayloadHeadersAndSignature(t *testing.T) {
	db := testenv.OpenDB(t, "")
	secret := testenv.NewSecret()
	rc := testenv.NewReceiver(t, secret, nil)
	sub := testenv.Sub("ci", rc.URL+"/dispatch", secret)
	sub.Headers = []emitter.Header{
		{Name: "Authorization", Value: "Bearer tok"},
		{Name: "webhook-id", Value: "forged"},
		{Name: "Content-Type", Value: "text/plain"},
	}
	sub.Payload = map[string]any{"event_type": "flag", "flag_key": "overwritten?", "client_payload": map[string]any{"n": 1}}
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "checkout"))
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{})
	if _, err := d.Deliver(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	rc.Check(t)
	reqs := rc.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.ID != "evt_1" || r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers: %v", r.Header)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body["flag_key"] != "checkout" || body["event_type"] != "flag" || body["event"] != "Flag.new" {
		t.Errorf("body %s: payload must be merged without replacing a field", r.Body)
	}
	if !bytes.HasPrefix(r.Body, []byte(`{"account_id":"acc_1"`)) {
		t.Errorf("body %s: the event's own bytes must come first, unchanged", r.Body)
	}
}

func TestDialGuard(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenDB(t, "")
	rc := testenv.NewReceiver(t, "", nil)
	_, port, _ := net.SplitHostPort(rc.Listener.Addr().String())
	byIP := testenv.Sub("by ip", rc.URL, "")
	byName := testenv.Sub("by name", "http://localhost:"+port+"/", "")
	subs := []emitter.Subscription{byIP, byName}
	testenv.Enqueue(t, db, subs, testenv.Event("evt_1", event.FlagNew, "a"))

	// Nothing allowed: loopback is refused before connecting.
	noRetry := []time.Duration{}
	d := newDeliverer(t, db, subs, deliver.Options{AllowHosts: []string{}, RetrySchedule: noRetry})
	if _, err := d.Deliver(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if rc.Count() != 0 {
		t.Fatalf("loopback receiver called %d times without being allowed", rc.Count())
	}
	for _, a := range show(t, db, "evt_1").Attempts {
		if a.ErrorClass != deliver.ClassBlocked || !strings.Contains(a.Error, "allow_hosts") {
			t.Errorf("attempt %+v, want blocked", a)
		}
	}
	replayFailed := func() {
		t.Helper()
		if _, err := outbox.Replay(ctx, db, outbox.ReplayOptions{Failed: true}); err != nil {
			t.Fatal(err)
		}
	}
	// Allowed by host name: only the subscription calling localhost goes.
	replayFailed()
	d = newDeliverer(t, db, subs, deliver.Options{AllowHosts: []string{"LOCALHOST"}, RetrySchedule: noRetry})
	if _, err := d.Deliver(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if rc.Count() != 1 {
		t.Fatalf("receiver called %d times, want once (by name): %+v", rc.Count(), show(t, db, "evt_1").Attempts)
	}
	// Allowed by prefix: the other goes too.
	replayFailed()
	d = newDeliverer(t, db, subs, deliver.Options{AllowHosts: []string{"127.0.0.0/8"}, RetrySchedule: noRetry})
	if _, err := d.Deliver(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if rc.Count() != 2 || !testenv.AllIn(t, db, outbox.StateDelivered) {
		t.Fatalf("receiver called %d times, states %v", rc.Count(), testenv.States(t, db))
	}
}

func TestConnectionErrorsClassified(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenDB(t, "")
	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake error is the point
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	refused, badTLS := testenv.Sub("refused", closed, ""), testenv.Sub("tls", tlsSrv.URL, "")
	subs := []emitter.Subscription{refused, badTLS}
	testenv.Enqueue(t, db, subs, testenv.Event("evt_1", event.FlagNew, "a"))
	d := newDeliverer(t, db, subs, deliver.Options{RetrySchedule: []time.Duration{}})
	st, err := d.Deliver(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 2 {
		t.Fatalf("stats %+v", st)
	}
	classes := map[string]string{}
	for _, a := range show(t, db, "evt_1").Attempts {
		classes[a.SubscriptionID] = a.ErrorClass
	}
	if classes[refused.ID] != deliver.ClassRefused || classes[badTLS.ID] != deliver.ClassTLS {
		t.Errorf("classes %v, want %s and %s", classes, deliver.ClassRefused, deliver.ClassTLS)
	}
}

func TestBodyOverBoundRefused(t *testing.T) {
	db := testenv.OpenDB(t, "")
	rc := testenv.NewReceiver(t, "", nil)
	sub := testenv.Sub("big", rc.URL, "")
	sub.Payload = map[string]any{"padding": strings.Repeat("x", 2048)}
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{MaxBodySize: 1024})
	st, err := d.Deliver(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	a := show(t, db, "evt_1").Attempts[0]
	if st.Failed != 1 || rc.Count() != 0 || a.ErrorClass != deliver.ClassBodyTooLarge || !strings.Contains(a.Error, "1024-byte bound") {
		t.Errorf("stats %+v, %d requests, attempt %+v", st, rc.Count(), a)
	}
	// And the outbox refuses an event body over its own bound.
	big := testenv.Event("evt_big", event.FlagNew, "a")
	big.Body = append([]byte(`{"pad":"`), append(bytes.Repeat([]byte("x"), outbox.MaxBodySize), `"}`...)...)
	tx, _ := db.Begin()
	defer tx.Rollback()
	if err := outbox.Enqueue(context.Background(), tx, []emitter.Subscription{sub}, []outbox.Event{big}); !errors.Is(err, emitter.ErrBodyTooLarge) {
		t.Errorf("Enqueue of an oversized body: %v", err)
	}
}

func TestWatchStopsWithoutLosingAClaim(t *testing.T) {
	db := testenv.OpenDB(t, "")
	release := make(chan struct{})
	var once sync.Once
	blocking := true
	var mu sync.Mutex
	rc := testenv.NewReceiver(t, "", func(r *testenv.Request) testenv.Reply {
		mu.Lock()
		defer mu.Unlock()
		if blocking {
			return testenv.Reply{Status: 204, Block: release}
		}
		return testenv.Reply{Status: 204}
	})
	defer once.Do(func() { close(release) })
	sub := testenv.Sub("stuck", rc.URL, "")
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{ShutdownGrace: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Watch(ctx) }()
	testenv.Eventually(t, 5*time.Second, "a claim", func() bool {
		ds, _ := outbox.List(context.Background(), db, outbox.ListOptions{})
		return len(ds) == 1 && ds[0].LeaseOwner != ""
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not stop")
	}
	ev := show(t, db, "evt_1")
	dl := ev.Deliveries[0]
	if dl.State != outbox.StatePending || dl.LeaseOwner != "" || dl.Tries != 0 || !dl.LeaseUntil.IsZero() {
		t.Errorf("after stop: %+v, want pending, released, no try counted", dl)
	}
	if len(ev.Attempts) != 1 || ev.Attempts[0].ErrorClass != deliver.ClassInterrupted {
		t.Errorf("attempts %+v, want one interrupted", ev.Attempts)
	}
	// The next process sends it at once, with the same id.
	mu.Lock()
	blocking = false
	mu.Unlock()
	d2 := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{})
	if st, err := d2.Deliver(context.Background(), 0); err != nil || st.Delivered != 1 {
		t.Fatalf("%+v %v", st, err)
	}
	once.Do(func() { close(release) })
	testenv.Eventually(t, 5*time.Second, "both requests answered", func() bool { return rc.Count() == 2 })
	for _, r := range rc.Requests() {
		if r.ID != "evt_1" {
			t.Errorf("webhook-id %q", r.ID)
		}
	}
}

func TestDeliverBudget(t *testing.T) {
	db := testenv.OpenDB(t, "")
	release := make(chan struct{})
	defer close(release)
	rc := testenv.NewReceiver(t, "", func(r *testenv.Request) testenv.Reply {
		return testenv.Reply{Status: 204, Block: release}
	})
	sub := testenv.Sub("slow", rc.URL, "")
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{})
	start := time.Now()
	st, err := d.Deliver(context.Background(), 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("a 200ms pass took %s", el)
	}
	dl := show(t, db, "evt_1").Deliveries[0]
	if st.Interrupted != 1 || dl.State != outbox.StatePending || dl.LeaseOwner != "" || dl.Tries != 0 {
		t.Errorf("stats %+v, delivery %+v: want interrupted and released", st, dl)
	}
}

func TestHeldEvents(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenDB(t, "")
	rc := testenv.NewReceiver(t, "", nil)
	sub := testenv.Sub("hook", rc.URL, "")
	subs := []emitter.Subscription{sub}
	held := testenv.Event("held_1", event.FlagNew, "a")
	held.Hold = "push-1"
	rejected := testenv.Event("rej_1", event.FlagNew, "b")
	rejected.Hold = "push-2"
	later := testenv.Event("later_1", event.FlagDeleted, "a") // same key, after the held one
	testenv.Enqueue(t, db, subs, held, rejected, later)
	d := newDeliverer(t, db, subs, deliver.Options{})
	if st, err := d.Deliver(ctx, 0); err != nil || st.Claimed != 0 {
		t.Fatalf("held events (or events behind them) were sent: %+v %v", st, err)
	}
	if n, err := outbox.Discard(ctx, db, "push-2"); err != nil || n != 1 {
		t.Fatalf("discard: %d %v", n, err)
	}
	if n, err := outbox.Release(ctx, db, "push-1"); err != nil || n != 1 {
		t.Fatalf("release: %d %v", n, err)
	}
	for range 2 {
		if _, err := d.Deliver(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for _, r := range rc.Requests() {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, []string{"held_1", "later_1"}) {
		t.Errorf("received %v, want held_1 then later_1 (rej_1 discarded)", ids)
	}
}

func TestSecretsNeverStoredOrLogged(t *testing.T) {
	db := testenv.OpenDB(t, "")
	secret := testenv.NewSecret()
	const (
		headerToken  = "hdr-tok-5c1e7"
		payloadToken = "pay-tok-77ab2"
		urlToken     = "url-tok-0f9d3"
	)
	rc := testenv.NewReceiver(t, secret, func(r *testenv.Request) testenv.Reply {
		if r.N == 1 {
			return testenv.Reply{Status: 500, Body: "try later"}
		}
		return testenv.Reply{Status: 204}
	})
	sub := testenv.Sub("secretive", rc.URL+"/hooks/"+urlToken+"?key="+urlToken, secret)
	sub.Headers = []emitter.Header{{Name: "Authorization", Value: "Bearer " + headerToken}}
	sub.Payload = map[string]any{"token": payloadToken}
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
	var logs bytes.Buffer
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	stop := watch(t, d)
	testenv.Eventually(t, 10*time.Second, "delivery", func() bool { return testenv.AllIn(t, db, outbox.StateDelivered) })
	stop()
	rc.Check(t)
	if r := rc.Requests()[1]; !bytes.Contains(r.Body, []byte(payloadToken)) || r.Header.Get("Authorization") != "Bearer "+headerToken {
		t.Fatalf("the receiver did not get the payload and header: %s %v", r.Body, r.Header)
	}
	stored := testenv.Contents(t, db)
	secretKey := strings.TrimPrefix(secret, "whsec_")
	for name, s := range map[string]string{"secret": secretKey, "header value": headerToken, "payload value": payloadToken, "URL token": urlToken} {
		if bytes.Contains(stored, []byte(s)) {
			t.Errorf("the store holds the %s", name)
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log holds the %s", name)
		}
		if strings.Contains(sub.String(), s) || strings.Contains(strings.ReplaceAll(fmtAll(sub), " ", ""), s) {
			t.Errorf("printing the subscription shows the %s", name)
		}
	}
	if !strings.Contains(logs.String(), "webhook delivered") {
		t.Errorf("no delivery logged: %s", logs.String())
	}
}

func fmtAll(s emitter.Subscription) string {
	b, _ := json.Marshal(s)
	return string(b) + s.GoString() + s.Secret.String() + s.Headers[0].Value.GoString()
}

// TestPlaceholderWithoutFieldIsRetried: a placeholder the event cannot
// fill fails the attempt with the template class, nothing is sent, and the
// delivery is retried like any other (the configuration may be fixed).
func TestPlaceholderWithoutFieldIsRetried(t *testing.T) {
	db := testenv.OpenDB(t, "")
	rc := testenv.NewReceiver(t, "", nil)
	sub := testenv.Sub("tpl", rc.URL, "")
	sub.Payload = map[string]any{"k": "{{ .no_such_field }}"}
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{})
	st, err := d.Deliver(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	a := show(t, db, "evt_1").Attempts[0]
	if st.Retrying != 1 || st.Failed != 0 || rc.Count() != 0 || a.ErrorClass != deliver.ClassTemplate || !strings.Contains(a.Error, "no_such_field") {
		t.Errorf("stats %+v, %d requests, attempt %+v", st, rc.Count(), a)
	}
}

// TestEchoedHeadersRedactedInRecordedAnswers: a receiver that echoes its
// request must not get a bearer token stored in the outbox.
func TestEchoedHeadersRedactedInRecordedAnswers(t *testing.T) {
	db := testenv.OpenDB(t, "")
	rc := testenv.NewReceiver(t, "", func(r *testenv.Request) testenv.Reply {
		return testenv.Reply{Status: http.StatusBadRequest, Body: "you sent Authorization: " + r.Header.Get("Authorization")}
	})
	sub := testenv.Sub("echo", rc.URL, "")
	sub.Headers = []emitter.Header{{Name: "Authorization", Value: "Bearer tok-12345"}}
	testenv.Enqueue(t, db, []emitter.Subscription{sub}, testenv.Event("evt_1", event.FlagNew, "a"))
	d := newDeliverer(t, db, []emitter.Subscription{sub}, deliver.Options{})
	if _, err := d.Deliver(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	a := show(t, db, "evt_1").Attempts[0]
	if strings.Contains(string(a.Response), "tok-12345") || !strings.Contains(string(a.Response), "REDACTED") {
		t.Errorf("recorded answer %q", a.Response)
	}
}
