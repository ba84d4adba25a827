package analyzer

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"
)

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// TestPushTransitions runs pushes over one history that exercises every
// way a key can change, each push checked against its exact events.
func TestPushTransitions(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{"a.js": flagJS("kept", "moved"), "b.js": flagJS("renamed"), "README.md": "getFlag(\"not-code\")"})

	// The first push of a fresh database: the baseline is <old>, so the
	// existing keys are not new.
	c1 := r.Commit("add", map[string]string{"c.js": flagJS("added")})
	equal(t, "add", h.push(c0, c1), []string{"Flag.new added"})

	c2 := r.Commit("remove", map[string]string{"c.js": ""})
	equal(t, "remove", h.push(c1, c2), []string{"Flag.deleted added"})

	c3 := r.Commit("move", map[string]string{"a.js": flagJS("kept"), "d.js": flagJS("moved")})
	equal(t, "move between files", h.push(c2, c3), nil)

	r.Git("mv", "b.js", "b-renamed.js")
	c4 := r.Commit("rename", nil)
	equal(t, "rename with its file", h.push(c3, c4), nil)

	c5 := r.Commit("duplicate", map[string]string{"e.js": flagJS("kept", "kept")})
	c6 := r.Commit("half remove", map[string]string{"a.js": flagJS("other")})
	equal(t, "duplicated then half removed", h.push(c4, c6), []string{"Flag.new other"})
	_ = c5

	// Many commits: a key that comes and goes within the push is no event;
	// one that stays is, attributed to the commit that introduced it.
	var shas []string
	for i, files := range []map[string]string{
		{"f.js": flagJS("transient")},
		{"g.js": flagJS("stays")},
		{"f.js": ""},
		{"h.txt": "unrelated"},
	} {
		shas = append(shas, r.Commit("step "+string(rune('a'+i)), files))
	}
	out, err := h.analyzer().Push(context.Background(), Update{Old: c6, New: shas[3], Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "many commits", describeEvents(out.Events), []string{"Flag.new stays"})
	if got := out.Events[0].Body.Commit.SHA; got != shas[1] {
		t.Errorf("stays attributed to %s, want the commit that added it, %s", got, shas[1])
	}
	if out.Commits != 4 {
		t.Errorf("walked %d commits, want 4", out.Commits)
	}
	if refs := out.Events[0].Body.References; len(refs) != 1 || refs[0].Path != "g.js" || refs[0].Line != 1 {
		t.Errorf("references of stays = %+v", refs)
	}
}

// TestPushIdempotentAndLostDatabase: the same push twice emits nothing the
// second time; after the database is lost, a push emits only its own
// transitions, with the same ids as before.
func TestPushIdempotentAndLostDatabase(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{"a.js": flagJS("one", "two")})
	c1 := r.Commit("change", map[string]string{"a.js": flagJS("one", "three")})

	first, err := h.analyzer().Push(context.Background(), Update{Old: c0, New: c1, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "first", describeEvents(first.Events), []string{"Flag.deleted two", "Flag.new three"})
	again, err := h.analyzer().Push(context.Background(), Update{Old: c0, New: c1, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	if again.Skipped != SkipAnalyzed || len(again.Events) != 0 {
		t.Errorf("second run: skipped %q, %d events", again.Skipped, len(again.Events))
	}

	h.db.Close()
	storetest.Lose(t, h.dbPath)
	h.open()
	lost, err := h.analyzer().Push(context.Background(), Update{Old: c0, New: c1, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "after losing the database", describeEvents(lost.Events), []string{"Flag.deleted two", "Flag.new three"})
	for i := range lost.Events {
		if lost.Events[i].ID != first.Events[i].ID {
			t.Errorf("event %d id %s, first time %s", i, lost.Events[i].ID, first.Events[i].ID)
		}
	}
}

// TestPushBranches covers a new branch, a deleted branch, a force-push and
// a run for an older state arriving after a newer one.
func TestPushBranches(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{"a.js": flagJS("base")})
	c1 := r.Commit("main work", map[string]string{"b.js": flagJS("main-key")})
	c2 := r.Commit("more main work", map[string]string{"c.js": flagJS("main-key-2")})

	// Out of order on a fresh database: the run for c1..c2 arrives first,
	// then the one for c0..c1. The late run still reports its own
	// transition, which no run had reported; the snapshot stays at c2.
	equal(t, "newer run", h.push(c1, c2), []string{"Flag.new main-key-2"})
	equal(t, "older run, late", h.push(c0, c1), []string{"Flag.new main-key"})
	stale, err := h.analyzer().Push(context.Background(), Update{Old: c0, New: c1, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	if stale.Skipped != SkipStale || len(stale.Events) != 0 {
		t.Errorf("older run again: skipped %q, events %v", stale.Skipped, describeEvents(stale.Events))
	}
	if snap, err := store.LoadSnapshot(context.Background(), h.db, "test", "main"); err != nil || snap.Commit != c2 {
		t.Errorf("snapshot rolled back: %+v, %v", snap, err)
	}

	// A new branch off c1: only the keys of its own commits are new.
	r.Git("checkout", "-q", "-b", "feature", c1)
	f1 := r.Commit("feature", map[string]string{"f.js": flagJS("feature-key")})
	out, err := h.analyzer().Push(context.Background(), Update{Old: zero, New: f1, Ref: "refs/heads/feature"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "new branch", describeEvents(out.Events), []string{"Flag.new feature-key"})

	// Deleting it emits nothing and keeps its snapshot.
	out, err = h.analyzer().Push(context.Background(), Update{Old: f1, New: zero, Ref: "refs/heads/feature"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	if out.Skipped != SkipDeleted || len(out.Events) != 0 {
		t.Errorf("deleted branch: skipped %q, %d events", out.Skipped, len(out.Events))
	}
	if snap, err := store.LoadSnapshot(context.Background(), h.db, "test", "feature"); err != nil || snap == nil || snap.Commit != f1 {
		t.Errorf("snapshot of the deleted branch: %+v, %v", snap, err)
	}

	// A force-push of main back to c0 plus a new commit: compared with the
	// stored snapshot (at c2), both main keys are gone.
	r.Git("checkout", "-q", "main")
	r.Git("reset", "-q", "--hard", c0)
	f := r.Commit("rewritten", map[string]string{"z.js": flagJS("base", "rewritten")})
	equal(t, "force-push", h.push(c2, f), []string{"Flag.deleted main-key", "Flag.deleted main-key-2", "Flag.new rewritten"})
}

// TestPushEnvironments: one monorepo, two environments by path.
func TestPushEnvironments(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	h.opts.Environments = []Environment{
		{ID: "env_prod", Name: "production", Match: func(string) bool { return true }},
		{ID: "env_checkout", Name: "checkout", Match: func(p string) bool { return strings.HasPrefix(p, "services/checkout/") }},
	}
	c0 := r.Commit("base", map[string]string{"services/web/a.js": flagJS("shared")})
	c1 := r.Commit("checkout uses it too", map[string]string{
		"services/checkout/b.js": flagJS("shared", "checkout-only"),
		"services/web/c.js":      flagJS("web-only"),
	})
	equal(t, "two environments", h.push(c0, c1), []string{
		"Flag.new checkout-only @env_checkout",
		"Flag.new checkout-only @env_prod",
		"Flag.new shared @env_checkout",
		"Flag.new web-only @env_prod",
	})
	c2 := r.Commit("web drops shared", map[string]string{"services/web/a.js": ""})
	equal(t, "still referenced in production by checkout", h.push(c1, c2), nil)
}

// TestPushConcurrent runs pushes to one branch and to another at once, each
// with its own database connection: no event is lost, doubled or invented.
func TestPushConcurrent(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{"a.js": flagJS("base")})
	c1 := r.Commit("one", map[string]string{"b.js": flagJS("k1")})
	c2 := r.Commit("two", map[string]string{"c.js": flagJS("k2")})
	r.Git("branch", "other", c2)
	o1 := r.Commit("three", map[string]string{"d.js": flagJS("k3")})

	updates := []Update{
		{Old: c0, New: c1, Ref: "refs/heads/main"},
		{Old: c1, New: c2, Ref: "refs/heads/main"},
		{Old: c0, New: c2, Ref: "refs/heads/main"}, // the same transitions, reported by a second hook
		{Old: c2, New: o1, Ref: "refs/heads/other"},
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(updates))
	for _, u := range updates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(context.Background(), h.dbPath)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			own := *h
			own.db = db
			_, err = own.analyzer().Push(context.Background(), u, own.sink)
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
	rows, err := h.db.Query(`SELECT event || ' ' || key FROM test_events ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	// main: k1 and k2 are new (each once, whatever the order of the runs);
	// other: baseline c2, so only k3.
	equal(t, "events of concurrent pushes", got, []string{"Flag.new k1", "Flag.new k2", "Flag.new k3"})
}

// TestEventBody checks the contract fields of an event body.
func TestEventBody(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	h.opts.Account = Account{ID: "acc_1", Name: "Acme"}
	h.opts.Actor = Actor{Role: "developer"}
	h.opts.WebURL = "https://github.com/acme/app"
	c0 := r.Commit("base", nil)
	c1 := r.Commit("Add the checkout flag\n\nWith details.", map[string]string{"src/a b.js": flagJS("btn.color-v2")})
	out, err := h.analyzer().Push(context.Background(), Update{Old: c0, New: c1, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 {
		t.Fatalf("events: %v", describeEvents(out.Events))
	}
	raw, err := json.Marshal(out.Events[0].Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]any{
		"event": "Flag.new", "user_id": "Bob", "user_email": "bob@example.com", "user_role": "developer",
		"account_id": "acc_1", "account_name": "Acme", "environment_id": "default", "environment_name": "default",
		"flag_key": "btn.color-v2", "repository": "test", "branch": "main",
	} {
		if body[field] != want {
			t.Errorf("%s = %v, want %v", field, body[field], want)
		}
	}
	date, _ := body["date"].(string)
	if len(date) != len("2005-08-15T15:52:01+00:00") || strings.HasSuffix(date, "Z") || date[19] != '+' && date[19] != '-' {
		t.Errorf("date %q is not ISO-8601 with a numeric offset", date)
	}
	commit := body["commit"].(map[string]any)
	if commit["sha"] != c1 || commit["author_name"] != "Ada" || commit["message"] != "Add the checkout flag\n\nWith details." ||
		commit["url"] != "https://github.com/acme/app/commit/"+c1 || commit["time"] != "2026-01-01T00:00:02+00:00" {
		t.Errorf("commit = %v", commit)
	}
	refs := body["references"].([]any)
	ref := refs[0].(map[string]any)
	if ref["path"] != "src/a b.js" || ref["line"] != 1.0 || ref["url"] != "https://github.com/acme/app/blob/"+c1+"/src/a%20b.js#L1" ||
		!strings.Contains(ref["code"].(string), `getFlag("btn.color-v2"`) {
		t.Errorf("reference = %v", ref)
	}
}

// TestPushUntracked: pushes to branches that are not tracked, and to tags,
// produce nothing.
func TestPushUntracked(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	h.opts.Tracked = func(b string) bool { return b == "main" }
	c0 := r.Commit("base", nil)
	c1 := r.Commit("add", map[string]string{"a.js": flagJS("k")})
	for _, tc := range []struct{ ref, skip string }{
		{"refs/heads/topic", SkipUntracked},
		{"refs/tags/v1", SkipNotBranch},
	} {
		out, err := h.analyzer().Push(context.Background(), Update{Old: c0, New: c1, Ref: tc.ref}, h.sink)
		if err != nil {
			t.Fatal(err)
		}
		if out.Skipped != tc.skip || len(out.Events) != 0 {
			t.Errorf("%s: skipped %q, want %q", tc.ref, out.Skipped, tc.skip)
		}
	}
}

// TestPreview: a previewed update gives the events Push will give, with
// the same ids, and stores no snapshot.
func TestPreview(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{"a.js": flagJS("old")})
	c1 := r.Commit("change", map[string]string{"a.js": flagJS("new")})
	u := Update{Old: c0, New: c1, Ref: "refs/heads/main"}
	preview, err := h.analyzer().Preview(context.Background(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if snap, err := store.LoadSnapshot(context.Background(), h.db, "test", "main"); err != nil || snap != nil {
		t.Fatalf("preview stored a snapshot: %+v, %v", snap, err)
	}
	pushed, err := h.analyzer().Push(context.Background(), u, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "preview", describeEvents(preview.Events), []string{"Flag.deleted old", "Flag.new new"})
	equal(t, "push", describeEvents(pushed.Events), describeEvents(preview.Events))
	for i := range pushed.Events {
		if pushed.Events[i].ID != preview.Events[i].ID {
			t.Errorf("event %d: id %s after preview %s", i, pushed.Events[i].ID, preview.Events[i].ID)
		}
	}
}

func TestLinksPerForge(t *testing.T) {
	for _, tc := range []struct{ base, commit, line string }{
		{"https://github.com/acme/shop", "https://github.com/acme/shop/commit/abc", "https://github.com/acme/shop/blob/abc/web/a%20b.ts#L3"},
		{"https://gitlab.com/acme/shop/-", "https://gitlab.com/acme/shop/-/commit/abc", "https://gitlab.com/acme/shop/-/blob/abc/web/a%20b.ts#L3"},
		{"https://bitbucket.org/acme/shop/", "https://bitbucket.org/acme/shop/commits/abc", "https://bitbucket.org/acme/shop/src/abc/web/a%20b.ts#lines-3"},
		{"https://dev.azure.com/acme/web/_git/shop", "https://dev.azure.com/acme/web/_git/shop/commit/abc", "https://dev.azure.com/acme/web/_git/shop?path=/web/a%20b.ts&version=GCabc&line=3"},
		{"", "", ""},
	} {
		l := newLinks(tc.base)
		if got := l.commit("abc"); got != tc.commit {
			t.Errorf("%s: commit %q, want %q", tc.base, got, tc.commit)
		}
		if got := l.line("abc", "web/a b.ts", 3); got != tc.line {
			t.Errorf("%s: line %q, want %q", tc.base, got, tc.line)
		}
	}
}
