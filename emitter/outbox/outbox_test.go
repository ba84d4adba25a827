package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/internal/testenv"
	"github.com/flagscan/flagscan/emitter/outbox"
)

var ctx = context.Background()

func subs() []emitter.Subscription {
	both := testenv.Sub("both", "https://hooks.example.com/a", "")
	onlyNew := testenv.Sub("new only", "https://hooks.example.com/b", "")
	onlyNew.Events = []string{event.FlagNew}
	return []emitter.Subscription{both, onlyNew}
}

func claim(t *testing.T, db *sql.DB, owner string, ss []emitter.Subscription, limit int) []outbox.Claim {
	t.Helper()
	var ids []string
	for _, s := range ss {
		ids = append(ids, s.ID)
	}
	cs, err := outbox.ClaimDue(ctx, db, owner, ids, time.Now(), time.Minute, limit)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func claimed(cs []outbox.Claim) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.EventID+"@"+c.SubscriptionID[:8])
	}
	return out
}

func TestMigrateIdempotentAndConcurrent(t *testing.T) {
	path := storetest.Target(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, path, outbox.Schema{})
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	db := testenv.OpenDB(t, path) // migrates once more
	var v int
	if err := db.QueryRow(`SELECT version FROM schema_versions WHERE component = 'emitter.outbox'`).Scan(&v); err != nil || v != 1 {
		t.Fatalf("version %d, %v", v, err)
	}
	// Another component's row is left alone.
	if _, err := db.Exec(`INSERT INTO schema_versions VALUES ('another.component', 7)`); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, db, outbox.Schema{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE schema_versions SET version = 99 WHERE component = 'emitter.outbox'`); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, db, outbox.Schema{}); err == nil || !strings.Contains(err.Error(), "upgrade flagscan") {
		t.Errorf("a newer schema: %v", err)
	}
}

func TestEnqueueIdempotentPerSubscriptionType(t *testing.T) {
	db := testenv.OpenDB(t, "")
	ss := subs()
	evs := []outbox.Event{
		testenv.Event("e1", event.FlagNew, "a"),
		testenv.Event("e2", event.FlagDeleted, "a"),
	}
	testenv.Enqueue(t, db, ss, evs...)
	testenv.Enqueue(t, db, ss, evs...) // the same push analyzed twice
	ds, err := outbox.List(ctx, db, outbox.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.EventID+" "+d.Description+" "+d.State)
	}
	want := []string{"e1 both pending", "e1 new only pending", "e2 both pending"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("deliveries %q, want %q", got, want)
	}
	var events int
	db.QueryRow(`SELECT COUNT(*) FROM outbox_events`).Scan(&events)
	if events != 2 {
		t.Errorf("%d events stored, want 2", events)
	}
	// The event stays in the transaction: a rollback leaves nothing.
	tx, _ := db.Begin()
	if err := outbox.Enqueue(ctx, tx, ss, []outbox.Event{testenv.Event("e3", event.FlagNew, "b")}); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if _, err := outbox.Show(ctx, db, "e3"); !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("rolled back event: %v", err)
	}
}

func TestEnqueueRefusesBadEvents(t *testing.T) {
	db := testenv.OpenDB(t, "")
	for _, tc := range []struct {
		name string
		ev   outbox.Event
		want string
	}{
		{"no id", outbox.Event{Type: event.FlagNew, FlagKey: "a", Body: []byte(`{}`)}, "no ID"},
		{"platform type", outbox.Event{ID: "x", Type: "Feature.active", FlagKey: "a", Body: []byte(`{}`)}, "is not Flag.new"},
		{"no key", outbox.Event{ID: "x", Type: event.FlagNew, Body: []byte(`{}`)}, "no flag key"},
		{"not an object", outbox.Event{ID: "x", Type: event.FlagNew, FlagKey: "a", Body: []byte(`[1]`)}, "not a JSON object"},
	} {
		tx, _ := db.Begin()
		err := outbox.Enqueue(ctx, tx, subs(), []outbox.Event{tc.ev})
		tx.Rollback()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestClaimOrderAndLeases(t *testing.T) {
	db := testenv.OpenDB(t, "")
	ss := subs()[:1]
	testenv.Enqueue(t, db, ss,
		testenv.Event("a1", event.FlagNew, "a"),
		testenv.Event("b1", event.FlagNew, "b"),
		testenv.Event("a2", event.FlagDeleted, "a"),
	)
	// One claim per key: a2 waits for a1.
	c1 := claim(t, db, "one", ss, 10)
	if got := claimed(c1); len(got) != 2 || !strings.HasPrefix(got[0], "a1@") || !strings.HasPrefix(got[1], "b1@") {
		t.Fatalf("first claim %v, want a1 and b1", got)
	}
	// Another worker gets nothing: a1 and b1 are leased, a2 is behind a1.
	if c := claim(t, db, "two", ss, 10); len(c) != 0 {
		t.Fatalf("second worker claimed %v", claimed(c))
	}
	// a1 fails and is due again in an hour: a2 still waits behind it.
	res := []outbox.Result{{Claim: c1[0], Outcome: outbox.Retry, NextAt: time.Now().Add(time.Hour),
		Attempt: outbox.Attempt{Started: time.Now(), Status: 500, ErrorClass: "http_status", Error: "answer 500"}}}
	if err := outbox.Complete(ctx, db, res); err != nil {
		t.Fatal(err)
	}
	if c := claim(t, db, "two", ss, 10); len(c) != 0 {
		t.Fatalf("claimed %v while a1 waits for its retry", claimed(c))
	}
	next, ok, err := outbox.NextDue(ctx, db, []string{ss[0].ID})
	if until := time.Until(next); err != nil || !ok || until < 58*time.Second || until > time.Minute {
		t.Errorf("next due in %v (%v %v), want in a minute: b1's lease ends (a1 retries in an hour, a2 waits)", until, ok, err)
	}
	// Given up: a2 goes.
	c1[0].Attempt = 2
	res = []outbox.Result{{Claim: c1[0], Outcome: outbox.Fail, Attempt: outbox.Attempt{Started: time.Now(), Status: 500, ErrorClass: "http_status"}}}
	// The lease went back with the Retry: take it again first.
	if _, err := db.Exec(`UPDATE outbox_deliveries SET next_at = 0 WHERE event_seq = ?`, c1[0].EventSeq); err != nil {
		t.Fatal(err)
	}
	again := claim(t, db, "one", ss, 1)
	if len(again) != 1 || again[0].EventID != "a1" || again[0].Tries != 1 || again[0].Attempt != 2 {
		t.Fatalf("re-claim %+v", again)
	}
	res[0].Claim = again[0]
	if err := outbox.Complete(ctx, db, res); err != nil {
		t.Fatal(err)
	}
	if got := claimed(claim(t, db, "two", ss, 10)); len(got) != 1 || !strings.HasPrefix(got[0], "a2@") {
		t.Fatalf("after a1 failed: %v, want a2", got)
	}
	// A completion by a worker that lost its lease changes nothing.
	stale := c1[1] // b1, still leased by "one"
	stale.Owner = "intruder"
	err = outbox.Complete(ctx, db, []outbox.Result{{Claim: stale, Outcome: outbox.Delivered, Attempt: outbox.Attempt{Started: time.Now(), Status: 200}}})
	if !errors.Is(err, outbox.ErrLeaseLost) {
		t.Errorf("completion without the lease: %v", err)
	}
	if st := testenv.States(t, db)["b1"]; st != outbox.StatePending {
		t.Errorf("b1 %s after a foreign completion", st)
	}
}

func TestExpiredLeaseTakenOver(t *testing.T) {
	db := testenv.OpenDB(t, "")
	ss := subs()[:1]
	ids := []string{ss[0].ID}
	testenv.Enqueue(t, db, ss, testenv.Event("a1", event.FlagNew, "a"))
	now := time.Now()
	c, err := outbox.ClaimDue(ctx, db, "dead", ids, now, time.Second, 1)
	if err != nil || len(c) != 1 {
		t.Fatal(c, err)
	}
	// Not before the lease ends...
	if c, _ := outbox.ClaimDue(ctx, db, "alive", ids, now.Add(500*time.Millisecond), time.Second, 1); len(c) != 0 {
		t.Fatal("claimed under a live lease")
	}
	// ...then taken over, with the lost attempt recorded.
	c2, err := outbox.ClaimDue(ctx, db, "alive", ids, now.Add(2*time.Second), time.Second, 1)
	if err != nil || len(c2) != 1 || c2[0].Attempt != 2 {
		t.Fatalf("take over: %+v %v", c2, err)
	}
	ev, err := outbox.Show(ctx, db, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Attempts) != 1 || ev.Attempts[0].ErrorClass != outbox.ClassLeaseExpired || ev.Attempts[0].Worker != "dead" || ev.Attempts[0].N != 1 {
		t.Errorf("attempts %+v", ev.Attempts)
	}
}

func TestHoldReleaseDiscard(t *testing.T) {
	db := testenv.OpenDB(t, "")
	ss := subs()[:1]
	h1 := testenv.Event("h1", event.FlagNew, "a")
	h1.Hold = "push-1"
	h2 := testenv.Event("h2", event.FlagNew, "b")
	h2.Hold = "push-2"
	testenv.Enqueue(t, db, ss, h1, h2)
	if c := claim(t, db, "w", ss, 10); len(c) != 0 {
		t.Fatalf("held events claimed: %v", claimed(c))
	}
	if ds, _ := outbox.List(ctx, db, outbox.ListOptions{State: "held"}); len(ds) != 2 {
		t.Errorf("%d held listed", len(ds))
	}
	if n, err := outbox.Discard(ctx, db, "push-2"); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	if n, err := outbox.Release(ctx, db, "push-1"); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	if n, err := outbox.Release(ctx, db, "push-1"); n != 0 || err != nil {
		t.Fatal("released twice", n, err)
	}
	if got := claimed(claim(t, db, "w", ss, 10)); len(got) != 1 || !strings.HasPrefix(got[0], "h1@") {
		t.Errorf("claimed %v, want h1 only", got)
	}
	if _, err := outbox.Show(ctx, db, "h2"); !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("discarded event: %v", err)
	}
}

func TestReplay(t *testing.T) {
	db := testenv.OpenDB(t, "")
	ss := subs()[:1]
	testenv.Enqueue(t, db, ss,
		testenv.Event("ok", event.FlagNew, "a"),
		testenv.Event("bad", event.FlagNew, "b"),
		testenv.Event("wait", event.FlagNew, "c"),
	)
	cs := claim(t, db, "w", ss, 2) // ok and bad
	res := []outbox.Result{
		{Claim: cs[0], Outcome: outbox.Delivered, Attempt: outbox.Attempt{Started: time.Now(), Status: 204}},
		{Claim: cs[1], Outcome: outbox.Fail, Attempt: outbox.Attempt{Started: time.Now(), Status: 500, ErrorClass: "http_status"}},
	}
	if err := outbox.Complete(ctx, db, res); err != nil {
		t.Fatal(err)
	}
	if _, err := outbox.Replay(ctx, db, outbox.ReplayOptions{EventIDs: []string{"ok", "nope"}}); !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("replay of an unknown id: %v", err)
	}
	if n, err := outbox.Replay(ctx, db, outbox.ReplayOptions{Failed: true}); n != 1 || err != nil {
		t.Errorf("replay --failed: %d %v", n, err)
	}
	if n, err := outbox.Replay(ctx, db, outbox.ReplayOptions{EventIDs: []string{"ok", "wait"}}); n != 1 || err != nil {
		t.Errorf("replay ok wait: %d %v (wait is pending: untouched)", n, err)
	}
	if n, err := outbox.Replay(ctx, db, outbox.ReplayOptions{Since: time.Now().Add(-time.Hour)}); n != 0 || err != nil {
		t.Errorf("replay --since with all pending: %d %v", n, err)
	}
	st := testenv.States(t, db)
	for _, id := range []string{"ok", "bad", "wait"} {
		if st[id] != outbox.StatePending {
			t.Errorf("%s: %s", id, st[id])
		}
	}
	ev, _ := outbox.Show(ctx, db, "bad")
	if d := ev.Deliveries[0]; d.Tries != 0 || d.Attempts != 1 {
		t.Errorf("replayed: tries %d attempts %d, want tries reset and history kept", d.Tries, d.Attempts)
	}
	counts, err := outbox.Counts(ctx, db)
	if err != nil || counts[outbox.StatePending] != 3 {
		t.Errorf("counts %v %v", counts, err)
	}
}

func TestNoSecretColumns(t *testing.T) {
	db := testenv.OpenDB(t, "")
	s := testenv.Sub("secretive", "https://hooks.example.com/path/tok-123?k=tok-456", testenv.NewSecret())
	s.Headers = []emitter.Header{{Name: "Authorization", Value: "Bearer tok-789"}}
	s.Payload = map[string]any{"token": "tok-000"}
	testenv.Enqueue(t, db, []emitter.Subscription{s}, testenv.Event("e", event.FlagNew, "a"))
	if err := outbox.SyncSubscriptions(ctx, db, []emitter.Subscription{s}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT id || description || url FROM outbox_subscriptions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var all string
		rows.Scan(&all)
		if strings.Contains(all, "tok-") || strings.Contains(all, strings.TrimPrefix(s.Secret.Reveal(), "whsec_")) {
			t.Errorf("subscription row holds a secret: %q", all)
		}
		if !strings.Contains(all, "https://hooks.example.com/REDACTED") {
			t.Errorf("subscription row %q lacks the redacted URL", all)
		}
	}
}
