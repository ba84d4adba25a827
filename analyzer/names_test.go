package analyzer

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// flagsTS is a constants module naming the checkout key.
func flagsTS(checkout string) string {
	return fmt.Sprintf("export const FLAGS = {\n  CHECKOUT: '%s',\n  SEARCH: 'search',\n} as const;\n", checkout)
}

// useTS is a module that takes the key of name from the constants module.
func useTS(name string) string {
	return "import { FLAGS } from './flags';\nexport const on = visitor.getFlag(FLAGS." + name + ", false);\n"
}

// TestPushDefinitionOnly: a push that changes only the constants module
// moves the key in every file that uses it, which did not change: exactly
// the moved key's events, attributed to the commit that changed the
// definition, with the uses as the new key's references. A later push
// that changes neither a use nor a definition emits nothing.
func TestPushDefinitionOnly(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{
		"src/flags.ts": flagsTS("checkout-v1"),
		"src/a.ts":     useTS("CHECKOUT"),
		"src/b.ts":     useTS("CHECKOUT"),
		"src/c.ts":     useTS("SEARCH"),
		"src/lit.ts":   flagJS("literal"),
	})
	c1 := r.Commit("add a use", map[string]string{"src/d.ts": useTS("CHECKOUT")})
	equal(t, "a new use of a known key", h.push(c0, c1), nil)

	c2 := r.Commit("rename the checkout key", map[string]string{"src/flags.ts": flagsTS("checkout-v2")})
	out, err := h.analyzer().Push(context.Background(), Update{Old: c1, New: c2, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "definition changed", describeEvents(out.Events), []string{"Flag.deleted checkout-v1", "Flag.new checkout-v2"})
	for _, e := range out.Events {
		if e.Body.Commit.SHA != c2 {
			t.Errorf("%s %s attributed to %s, want %s", e.Body.Event, e.Body.FlagKey, e.Body.Commit.SHA, c2)
		}
		var paths []string
		for _, ref := range e.Body.References {
			paths = append(paths, ref.Path)
		}
		if want := []string{"src/a.ts", "src/b.ts", "src/d.ts"}; !slices.Equal(paths, want) {
			t.Errorf("%s %s references %q, want %q", e.Body.Event, e.Body.FlagKey, paths, want)
		}
	}

	c3 := r.Commit("unrelated", map[string]string{"src/other.ts": "export const x = 1;\n"})
	equal(t, "unrelated change", h.push(c2, c3), nil)

	c4 := r.Commit("one use moves to another key", map[string]string{"src/d.ts": useTS("SEARCH")})
	equal(t, "a use changed, the key keeps others", h.push(c3, c4), nil)

	c5 := r.Commit("constants module removed", map[string]string{"src/flags.ts": ""})
	equal(t, "definitions gone", h.push(c4, c5), []string{"Flag.deleted checkout-v2", "Flag.deleted search"})

	c6 := r.Commit("constants module back", map[string]string{"src/flags.ts": flagsTS("checkout-v3")})
	equal(t, "definitions back", h.push(c5, c6), []string{"Flag.new checkout-v3", "Flag.new search"})
}

// TestLogDefinitionOnly: the history of a key that only a constants
// module changes, commit by commit, as flagscan log reports it.
func TestLogDefinitionOnly(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{"src/flags.ts": flagsTS("v1"), "src/a.ts": useTS("CHECKOUT")})
	c1 := r.Commit("v2", map[string]string{"src/flags.ts": flagsTS("v2")})
	c2 := r.Commit("unrelated", map[string]string{"README.md": "hello"})
	c3 := r.Commit("use removed", map[string]string{"src/a.ts": ""})
	var got []string
	err := h.analyzer().Log(context.Background(), "main", "", c3, func(e event.Event) error {
		got = append(got, e.Body.Event+" "+e.Body.FlagKey+" "+e.Body.Commit.SHA)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{"Flag.deleted v1 " + c1, "Flag.deleted v2 " + c3, "Flag.new v1 " + c0, "Flag.new v2 " + c1}
	slices.Sort(want)
	_ = c2
	equal(t, "log", got, want)
}

// pushOutcome pushes old..new to main with a new analyzer over a store
// opened again, as a new process does, and returns what it did.
func (h *harness) pushOutcome(old, new string) *Outcome {
	h.t.Helper()
	h.db.Close()
	h.open()
	out, err := h.analyzer().Push(context.Background(), Update{Old: old, New: new, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

// usesRepo commits a constants module, three files that use it, and two
// that do not.
func usesRepo(r *gittest.Repo) string {
	return r.Commit("base", map[string]string{
		"src/flags.ts": flagsTS("checkout-v1"),
		"src/a.ts":     useTS("CHECKOUT"),
		"src/b.ts":     useTS("CHECKOUT"),
		"src/c.ts":     useTS("SEARCH"),
		"src/lit.ts":   flagJS("literal"),
		"README.md":    "hello\n",
	})
}

// TestPushResolvesOnlyTouchedUses: the store keeps each use file's
// resolution with the snapshot, so that a push in a new process resolves
// only the use files it changed and those whose definitions it touched:
// none for an unrelated change, one for a changed use, every dependent of
// a changed constants module.
func TestPushResolvesOnlyTouchedUses(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := usesRepo(r)
	out := h.pushOutcome(zero, c0)
	equal(t, "first push", describeEvents(out.Events), []string{"Flag.new checkout-v1", "Flag.new literal", "Flag.new search"})
	if out.Resolved != 3 {
		t.Errorf("first push resolved %d use files, want all 3", out.Resolved)
	}

	for _, step := range []struct {
		name     string
		files    map[string]string
		events   []string
		resolved int
	}{
		{"unrelated file", map[string]string{"README.md": "changed\n"}, nil, 0},
		{"literal file", map[string]string{"src/lit.ts": flagJS("literal", "other")}, []string{"Flag.new other"}, 0},
		{"one use", map[string]string{"src/c.ts": useTS("CHECKOUT")}, []string{"Flag.deleted search"}, 1},
		{"constants module", map[string]string{"src/flags.ts": flagsTS("checkout-v2")}, []string{"Flag.deleted checkout-v1", "Flag.new checkout-v2"}, 3},
	} {
		old := r.Head()
		c := r.Commit(step.name, step.files)
		out := h.pushOutcome(old, c)
		equal(t, step.name, describeEvents(out.Events), step.events)
		if out.Resolved != step.resolved {
			t.Errorf("%s: resolved %d use files, want %d", step.name, out.Resolved, step.resolved)
		}
	}
}

// TestPushFromSnapshotWithoutUses: a snapshot stored before the store
// kept resolutions (a store of the previous schema version, which the
// next Open migrates) has none, and a push from it resolves every use file
// and gives the same events; the snapshot it stores has them. A stored
// resolution made under other rules is not used either.
func TestPushFromSnapshotWithoutUses(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := usesRepo(r)
	h.pushOutcome(zero, c0)
	// The store as a flagscan before resolutions were kept left it: no
	// snapshot_uses table nor uses_kept column, its schema at version 2
	// (snapshot_uses came with the third step).
	for _, q := range []string{`DROP TABLE snapshot_uses`, `ALTER TABLE snapshots DROP COLUMN uses_kept`, `UPDATE schema_versions SET version = 2 WHERE component = 'analyzer'`} {
		if _, err := h.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c1 := r.Commit("rename the checkout key", map[string]string{"src/flags.ts": flagsTS("checkout-v2")})
	out := h.pushOutcome(c0, c1)
	equal(t, "from an older store", describeEvents(out.Events), []string{"Flag.deleted checkout-v1", "Flag.new checkout-v2"})
	// Each use file at the snapshot's commit, then again at the commit
	// that changed their definitions.
	if out.Resolved != 6 {
		t.Errorf("from an older store: resolved %d use files, want 3 + 3", out.Resolved)
	}
	c2 := r.Commit("unrelated", map[string]string{"README.md": "changed\n"})
	if out := h.pushOutcome(c1, c2); out.Resolved != 0 || len(out.Events) != 0 {
		t.Errorf("after it: resolved %d use files with events %q, want none", out.Resolved, describeEvents(out.Events))
	}

	if _, err := h.db.Exec(`UPDATE snapshot_uses SET fingerprint = 'other rules'`); err != nil {
		t.Fatal(err)
	}
	c3 := r.Commit("unrelated again", map[string]string{"README.md": "again\n"})
	if out := h.pushOutcome(c2, c3); out.Resolved != 3 || len(out.Events) != 0 {
		t.Errorf("resolutions of other rules: resolved %d use files with events %q, want 3 and none", out.Resolved, describeEvents(out.Events))
	}
}

// TestNewBranchResolvesOnlyTouchedUses: a new branch starts from the
// snapshot of the branch it forks from, with its resolutions: a use file
// is resolved again only when the diff between that snapshot and the
// fork point touches what it looked at.
func TestNewBranchResolvesOnlyTouchedUses(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := usesRepo(r)
	h.pushOutcome(zero, c0)
	c1 := r.Commit("feature", map[string]string{"README.md": "feature\n"})
	out, err := h.analyzer().Push(context.Background(), Update{Old: zero, New: c1, Ref: "refs/heads/feature"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	if out.Resolved != 0 || len(out.Events) != 0 {
		t.Errorf("new branch off a stored snapshot: resolved %d use files with events %q, want none", out.Resolved, describeEvents(out.Events))
	}
}
