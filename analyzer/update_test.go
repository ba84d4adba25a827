package analyzer

import (
	"context"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"
)

// TestPushUpdateKinds pushes every kind of ref update a server or CI
// reports, each checked against its exact events and attribution.
func TestPushUpdateKinds(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{"a.js": flagJS("base")})
	c1 := r.Commit("one", map[string]string{"b.js": flagJS("one")})
	equal(t, "first push", h.push(c0, c1), []string{"Flag.new one"})
	c2 := r.Commit("two", map[string]string{"c.js": flagJS("two")})
	c3 := r.Commit("three", map[string]string{"d.js": flagJS("three"), "b.js": ""})
	equal(t, "fast-forward", h.push(c1, c3), []string{"Flag.deleted one", "Flag.new three", "Flag.new two"})

	// A late run for an older range: <old> is not the stored snapshot.
	equal(t, "late run", h.push(c1, c2), nil)

	// A rewind: <old> is the stored snapshot, <new> an ancestor of it.
	a := h.analyzer()
	out, err := a.Push(context.Background(), Update{Old: c3, New: c1, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "rewind", describeEvents(out.Events), []string{"Flag.deleted three", "Flag.deleted two", "Flag.new one"})
	for _, e := range out.Events {
		if e.Body.Commit != (event.Commit{}) {
			t.Errorf("%s %s of a rewind names commit %+v, want none: the push made it", e.Body.Event, e.Body.FlagKey, e.Body.Commit)
		}
		if e.Body.Event == event.FlagDeleted && (len(e.Body.References) != 1 || e.Body.References[0].Line != 1) {
			t.Errorf("%s: references %+v, want the one it had", e.Body.FlagKey, e.Body.References)
		}
	}
	again, err := a.Push(context.Background(), Update{Old: c3, New: c1, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	if again.Skipped != SkipAnalyzed || len(again.Events) != 0 {
		t.Errorf("rewind again: %q, %d events; want %q", again.Skipped, len(again.Events), SkipAnalyzed)
	}

	// The push after the rewind: only its own commit's keys.
	r.Git("reset", "-q", "--hard", c1)
	c4 := r.Commit("four", map[string]string{"e.js": flagJS("four")})
	out, err = a.Push(context.Background(), Update{Old: c1, New: c4, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "after the rewind", describeEvents(out.Events), []string{"Flag.new four"})
	if out.Events[0].Body.Commit.SHA != c4 {
		t.Errorf("four attributed to %q, want %s", out.Events[0].Body.Commit.SHA, c4)
	}

	// A force-push to an unrelated history: the difference of the two
	// tips, attributed to the push.
	r.Git("checkout", "-q", "--orphan", "other")
	r.Git("rm", "-q", "-rf", ".")
	r.Commit("unrelated root", map[string]string{"x.js": flagJS("base", "x1")})
	o2 := r.Commit("unrelated two", map[string]string{"y.js": flagJS("y2")})
	out, err = a.Push(context.Background(), Update{Old: c4, New: o2, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "unrelated force-push", describeEvents(out.Events), []string{"Flag.deleted four", "Flag.deleted one", "Flag.new x1", "Flag.new y2"})
	for _, e := range out.Events {
		if e.Body.Commit.SHA != "" {
			t.Errorf("%s %s of an unrelated force-push names commit %s", e.Body.Event, e.Body.FlagKey, e.Body.Commit.SHA)
		}
	}

	// A deletion: nothing, the snapshot kept; re-creating the branch at
	// the same commit is nothing either.
	equal(t, "deletion", h.push(o2, zero), nil)
	equal(t, "re-creation", h.push(zero, o2), nil)
}
