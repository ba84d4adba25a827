package outbox_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"

	"github.com/flagscan/flagscan/emitter/internal/testenv"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// TestEnqueueReleasesHeld checks the hooks' protocol: pre-receive enqueues
// a push's events held under a token; post-receive, once git accepted the
// push, enqueues what its own analysis finds with no hold, which releases
// the held copies of the same ids, then discards the token's leftovers
// (events pre-receive computed that the accepted push does not have).
func TestEnqueueReleasesHeld(t *testing.T) {
	for _, tc := range []struct {
		name      string
		held      []string // ids enqueued held under "push:1" first
		again     []string // ids then enqueued
		againHold string   // with this hold
		deliver   []string // ids claimable after discarding "push:1"
	}{
		{"post-receive finds the same events", []string{"a", "b"}, []string{"a", "b"}, "", []string{"a", "b"}},
		{"post-receive finds fewer: leftovers discarded", []string{"a", "b"}, []string{"a"}, "", []string{"a"}},
		{"post-receive finds more", []string{"a"}, []string{"a", "c"}, "", []string{"a", "c"}},
		{"held again under another token stays held", []string{"a"}, []string{"a"}, "push:2", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := testenv.OpenDB(t, "")
			ss := subs()[:1]
			events := func(ids []string, hold string) []outbox.Event {
				var out []outbox.Event
				for _, id := range ids {
					e := testenv.Event(id, event.FlagNew, "key-"+id)
					e.Hold = hold
					out = append(out, e)
				}
				return out
			}
			testenv.Enqueue(t, db, ss, events(tc.held, "push:1")...)
			if c := claim(t, db, "w", ss, 10); len(c) != 0 {
				t.Fatalf("held events claimed: %v", claimed(c))
			}
			testenv.Enqueue(t, db, ss, events(tc.again, tc.againHold)...)
			if _, err := outbox.Discard(ctx, db, "push:1"); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range claimed(claim(t, db, "w", ss, 10)) {
				id, _, _ := strings.Cut(c, "@")
				got = append(got, id)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.deliver) {
				t.Errorf("deliverable %q, want %q", got, tc.deliver)
			}
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM outbox_deliveries`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if want := len(tc.deliver); tc.againHold == "" && n != want {
				t.Errorf("%d deliveries stored, want %d (one per event)", n, want)
			}
		})
	}

	// A delivered event enqueued again is left as it is: not queued twice.
	db := testenv.OpenDB(t, "")
	ss := subs()[:1]
	testenv.Enqueue(t, db, ss, testenv.Event("d", event.FlagNew, "k"))
	if c := claim(t, db, "w", ss, 10); len(c) != 1 {
		t.Fatalf("claimed %v", claimed(c))
	}
	testenv.Enqueue(t, db, ss, testenv.Event("d", event.FlagNew, "k"))
	var n int
	db.QueryRow(`SELECT COUNT(*) FROM outbox_deliveries`).Scan(&n)
	if n != 1 {
		t.Errorf("%d deliveries after enqueueing an event twice, want 1", n)
	}
}
