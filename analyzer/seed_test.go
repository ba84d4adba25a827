package analyzer

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/store"
)

// TestNewBranchFromStoredSnapshot: the first push of a new branch starts
// from the snapshot of the branch it forked from, moved to the fork point
// by the diff of the two trees, and reports and stores exactly what a
// scan of the fork point's whole tree gives, reading only the files that
// hold references or changed.
func TestNewBranchFromStoredSnapshot(t *testing.T) {
	r := newTestRepo(t)
	plain := map[string]string{}
	for i := 0; i < 40; i++ {
		plain[fmt.Sprintf("lib/plain%02d.js", i)] = fmt.Sprintf("function f() { return %d; }\n", i)
	}
	plain["a.js"] = flagJS("kept")
	plain["b.js"] = flagJS("dropped-on-main")
	c0 := r.Commit("base", plain)
	// The fork point: main moves on after it, and its snapshot is stored
	// at the newer commit.
	c1 := r.Commit("main work", map[string]string{"c.js": flagJS("at-fork")})
	c2 := r.Commit("more main work", map[string]string{"b.js": "", "d.js": flagJS("after-fork"), "a.js": flagJS("kept", "changed-after-fork")})

	seeded := newHarness(t, r)
	// One clock for both pushes of the branch, so that their bodies
	// compare whatever second each ran in.
	seeded.opts.Now = func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }
	equal(t, "main", seeded.push(c0, c2), []string{"Flag.deleted dropped-on-main", "Flag.new after-fork", "Flag.new at-fork", "Flag.new changed-after-fork"})

	r.Git("checkout", "-q", "-b", "feature", c1)
	f1 := r.Commit("feature", map[string]string{"f.js": flagJS("feature-key"), "c.js": ""})
	u := Update{Old: zero, New: f1, Ref: "refs/heads/feature"}
	got, err := seeded.analyzer().Push(context.Background(), u, seeded.sink)
	if err != nil {
		t.Fatal(err)
	}
	// The same push on a store that holds no other branch scans c1's
	// whole tree.
	fresh := newHarness(t, r)
	fresh.opts.Now = seeded.opts.Now
	want, err := fresh.analyzer().Push(context.Background(), u, fresh.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "new branch, seeded", describeEvents(got.Events), describeEvents(want.Events))
	equal(t, "new branch", describeEvents(want.Events), []string{"Flag.deleted at-fork", "Flag.new feature-key"})
	for i := range got.Events {
		if !reflect.DeepEqual(got.Events[i].Body, want.Events[i].Body) {
			t.Errorf("event %d:\n seeded %+v\n  fresh %+v", i, got.Events[i].Body, want.Events[i].Body)
		}
	}
	gs, err := store.LoadSnapshot(context.Background(), seeded.db, "test", "feature")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := store.LoadSnapshot(context.Background(), fresh.db, "test", "feature")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gs.Files, ws.Files) || !reflect.DeepEqual(gs.Keys, ws.Keys) || gs.Commit != ws.Commit {
		t.Errorf("stored snapshots differ:\n seeded %+v\n  fresh %+v", gs, ws)
	}
	if n := got.Scanned + got.Cached; n >= 40 {
		t.Errorf("seeded push read %d files: the fork point's whole tree", n)
	}
	if n := want.Scanned + want.Cached; n < 40 {
		t.Errorf("fresh push read only %d files", n)
	}
}
