package analyzer

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// TestPushBoundsReferencesPerEvent: a key referenced 30,000 times makes
// an event with a count and the first references, which the outbox takes
// (its body bound is 1 MiB); the snapshot moves, and the next push's
// events for an unrelated key are not lost. Before, the body was over the
// bound, every push of the branch failed and the snapshot never moved.
func TestPushBoundsReferencesPerEvent(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	db, err := store.Open(context.Background(), h.dbPath, outbox.Schema{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h.db = db
	subs := []emitter.Subscription{{ID: "sub", Description: "test", URL: "https://example.com/hook", Events: []string{event.FlagNew, event.FlagDeleted}}}
	sink := func(ctx context.Context, tx *sql.Tx, events []event.Event) error {
		return outbox.Enqueue(ctx, tx, subs, outbox.FromEvents(events, ""))
	}
	long := strings.Repeat("x", 3000) // long paths make each reference bigger
	c0 := r.Commit("base", nil)
	c1 := r.Commit("hot key", map[string]string{
		"a.js":               strings.Repeat(`visitor.getFlag("hot", false);`+"\n", 30000),
		long[:200] + "/b.js": flagJS("hot"),
	})
	c2 := r.Commit("unrelated", map[string]string{"c.js": flagJS("other")})
	out, err := h.analyzer().Push(context.Background(), Update{Old: c0, New: c1, Ref: "refs/heads/main"}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 {
		t.Fatalf("events %v", describeEvents(out.Events))
	}
	b := out.Events[0].Body
	if b.ReferencesCount != 30001 || !b.ReferencesTruncated || len(b.References) == 0 || len(b.References) > event.MaxReferences {
		t.Errorf("references: count %d, truncated %v, %d listed", b.ReferencesCount, b.ReferencesTruncated, len(b.References))
	}
	if n := len(out.Events[0].Encode()); n > emitter.DefaultMaxBodySize/2 {
		t.Errorf("body of %d bytes", n)
	}
	out, err = h.analyzer().Push(context.Background(), Update{Old: c1, New: c2, Ref: "refs/heads/main"}, sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "next push", describeEvents(out.Events), []string{"Flag.new other"})
	// Deleting the key reports it with its last references, bounded too.
	c3 := r.Commit("cool down", map[string]string{"a.js": "", long[:200] + "/b.js": ""})
	out, err = h.analyzer().Push(context.Background(), Update{Old: c2, New: c3, Ref: "refs/heads/main"}, sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "deleted", describeEvents(out.Events), []string{"Flag.deleted hot"})
	if b := out.Events[0].Body; b.ReferencesCount != 30001 || len(b.References) > event.MaxReferences {
		t.Errorf("references of the deleted key: count %d, %d listed", b.ReferencesCount, len(b.References))
	}
}
