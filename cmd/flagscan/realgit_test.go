package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// sparseKeys is file content for gittest.CrossedDeltas: every 50th file
// references a key, the others hold code of the same length.
func sparseKeys(i int) string {
	if i%50 == 0 {
		return fmt.Sprintf("visitor.getFlag(\"k%d\").getValue(false);\n", i)
	}
	return fmt.Sprintf("export const v%d = %d; // not a flag at all\n", i, i)
}

// scanKeys runs scan --rev and returns the keys it finds, sorted, as
// "key@env" with env(path) when env is not nil; it fails the test unless
// the scan exits 0 with no error.
func scanKeys(t *testing.T, repo, rev string, env func(path string) string) []string {
	t.Helper()
	code, out, errOut := flagscan(t, "", "scan", "--format", "json", "--rev", rev, "--repo", repo)
	if code != exitOK {
		t.Fatalf("scan --rev %s: exit %d: %s", rev, code, errOut)
	}
	res := decodeResult(t, out)
	if len(res.Errors) > 0 {
		t.Fatalf("scan --rev %s: errors %+v", rev, res.Errors)
	}
	var keys []string
	for _, r := range res.References {
		k := r.FlagKey
		if env != nil {
			k += "@" + env(r.Path)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// transitions returns "Flag.new key" and "Flag.deleted key" lines for the
// keys of to that from lacks and the other way round, sorted.
func transitions(from, to []string) []string {
	var out []string
	for _, k := range to {
		if !slices.Contains(from, k) {
			out = append(out, "Flag.new "+k)
		}
	}
	for _, k := range from {
		if !slices.Contains(to, k) {
			out = append(out, "Flag.deleted "+k)
		}
	}
	slices.Sort(out)
	return out
}

// logEvents runs log --format json with extra arguments, with the
// configuration cfg if it is not "", and returns its events by commit, sorted, as "Flag.new key"
// lines, or with a configuration "Flag.new key@env".
func logEvents(t *testing.T, repo, cfg string, extra ...string) map[string][]string {
	t.Helper()
	args := append([]string{"log", "--repo", repo, "--db", storetest.Target(t), "--format", "json"}, extra...)
	if cfg != "" {
		args = append(args, "--config", cfg)
	}
	code, out, errOut := flagscan(t, "", args...)
	if code != exitOK {
		t.Fatalf("log: exit %d: %s", code, errOut)
	}
	byCommit := map[string][]string{}
	for line := range strings.Lines(out) {
		var e struct {
			Event   string `json:"event"`
			FlagKey string `json:"flag_key"`
			Env     string `json:"environment_id"`
			Commit  struct {
				SHA string `json:"sha"`
			} `json:"commit"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		ev := e.Event + " " + e.FlagKey
		if cfg != "" {
			ev += "@" + e.Env
		}
		byCommit[e.Commit.SHA] = append(byCommit[e.Commit.SHA], ev)
	}
	for _, evs := range byCommit {
		slices.Sort(evs)
	}
	return byCommit
}

// TestFetchedPackBigTree is the reproduction of a directory whose tree is
// over 64 KiB and arrives as a delta in a fetched pack: scan --rev, log
// and push read every key of it, with no error.
func TestFetchedPackBigTree(t *testing.T) {
	src := gittest.New(t)
	var clone string
	first, second := gittest.CrossedDeltas(src, sparseKeys, func() { clone = gittest.CloneBare(t, src.Dir) })
	gittest.FetchKeepingPack(t, clone)
	if n := len(gittest.Output(t, clone, "cat-file", "-p", second+":big")); n < 64<<10 {
		t.Fatalf("the tree of big/ is %d bytes: the test does not test what it says", n)
	}

	before, after := scanKeys(t, clone, first, nil), scanKeys(t, clone, second, nil)
	if want := scanKeysOfWorkTree(t, src.Dir); !slices.Equal(after, want) {
		t.Fatalf("scan --rev of the fetched clone found %d keys, the work tree has %d", len(after), len(want))
	}
	if len(before) != 64 || len(after) != 44 {
		t.Fatalf("%d and %d keys, want 64 and 44: the history is not what the test thinks", len(before), len(after))
	}

	got := logEvents(t, clone, "")
	if !slices.Equal(got[first], transitions(nil, before)) || !slices.Equal(got[second], transitions(before, after)) || len(got) != 2 {
		t.Errorf("log: %d commits with events; second %q, want %q", len(got), got[second], transitions(before, after))
	}

	db := storetest.Target(t)
	code, out, errOut := flagscan(t, "", "push", "-C", clone, "--db", db, "--format", "json", first, second, "refs/heads/main")
	if code != exitOK {
		t.Fatalf("push: exit %d: %s", code, errOut)
	}
	if evs := pushEvents(t, out); !slices.Equal(evs, transitions(before, after)) {
		t.Errorf("push: %q, want %q", evs, transitions(before, after))
	}
}

// scanKeysOfWorkTree scans a checkout and returns its keys, sorted.
func scanKeysOfWorkTree(t *testing.T, dir string) []string {
	t.Helper()
	code, out, errOut := flagscan(t, "", "scan", "--format", "json", dir)
	if code != exitOK {
		t.Fatalf("scan %s: exit %d: %s", dir, code, errOut)
	}
	var keys []string
	for _, r := range decodeResult(t, out).References {
		keys = append(keys, r.FlagKey)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// pushEvents returns the events push --format json printed, as sorted
// "Flag.new key" lines.
func pushEvents(t *testing.T, out string) []string {
	t.Helper()
	var evs []string
	for line := range strings.Lines(out) {
		var e struct {
			Event   string `json:"event"`
			FlagKey string `json:"flag_key"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.Event == "" {
			continue // not an event line
		}
		evs = append(evs, e.Event+" "+e.FlagKey)
	}
	slices.Sort(evs)
	return evs
}

// TestUnreadableTreeAndBlob: a missing tree makes scan --rev exit 1, and
// a missing blob makes push fail without storing anything, so that once
// the object is back the same push gives the right events.
func TestUnreadableTreeAndBlob(t *testing.T) {
	r := gittest.New(t)
	c0 := r.Commit("base", map[string]string{"web/a.ts": js("alpha"), "web/sub/b.ts": js("beta")})
	c1 := r.Commit("gamma", map[string]string{"web/sub/b.ts": js("beta", "gamma")})
	objects := filepath.Join(r.Dir, ".git", "objects")
	hide := func(rev string) func() {
		id := r.Git("rev-parse", rev)
		p := filepath.Join(objects, id[:2], id[2:])
		if err := os.Rename(p, p+".hidden"); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := os.Rename(p+".hidden", p); err != nil {
				t.Fatal(err)
			}
		}
	}

	restore := hide(c1 + ":web/sub")
	code, out, errOut := flagscan(t, "", "scan", "--format", "json", "--rev", c1, "--repo", r.Dir)
	if code != exitError || !strings.Contains(errOut, "could not be read") {
		t.Errorf("scan --rev with a missing tree: exit %d, %s; want exit %d", code, errOut, exitError)
	}
	if res := decodeResult(t, out); len(res.Errors) != 1 || res.Errors[0].Kind != "tree" || res.Errors[0].Path != "web/sub" {
		t.Errorf("errors %+v, want one of kind tree for web/sub", res.Errors)
	}
	restore()

	db := storetest.Target(t)
	restore = hide(c1 + ":web/sub/b.ts")
	code, out, errOut = flagscan(t, "", "push", "-C", r.Dir, "--db", db, "--format", "json", c0, c1, "refs/heads/main")
	if code == exitOK || !strings.Contains(errOut, "web/sub/b.ts") || len(pushEvents(t, out)) != 0 {
		t.Errorf("push with a missing blob: exit %d, events %q, stderr %s; want a failure naming the file and no event", code, pushEvents(t, out), errOut)
	}
	restore()
	code, out, errOut = flagscan(t, "", "push", "-C", r.Dir, "--db", db, "--format", "json", c0, c1, "refs/heads/main")
	if code != exitOK {
		t.Fatalf("push: exit %d: %s", code, errOut)
	}
	if evs := pushEvents(t, out); !slices.Equal(evs, []string{"Flag.new gamma"}) {
		t.Errorf("push once the blob is back: %q, want Flag.new gamma", evs)
	}
}

// TestPartialClone: in clones made with --filter (blob:none, as
// actions/checkout makes them, and tree:0), log and scan --rev see what
// they see in a full clone, fetching what they need from the promisor
// remote; without it they fail, saying so.
func TestPartialClone(t *testing.T) {
	r := gittest.New(t)
	r.Commit("one", map[string]string{"web/a.ts": js("alpha"), "web/deep/b.ts": js("beta"), "api/c.ts": js("gamma")})
	r.Commit("two", map[string]string{"web/deep/b.ts": js("delta"), "api/d.ts": js("alpha", "epsilon")})
	r.Commit("three", map[string]string{"web/a.ts": "", "api/c.ts": js("gamma", "zeta")})
	r.Commit("four", map[string]string{"api/d.ts": js("epsilon")})
	server := gittest.CloneBare(t, r.Dir)
	gittest.Run(t, server, "config", "uploadpack.allowFilter", "true")
	gittest.Run(t, server, "config", "uploadpack.allowAnySHA1InWant", "true")

	want := logEvents(t, server, "")
	if len(want) != 4 {
		t.Fatalf("the full clone's log has events for %d commits, want 4", len(want))
	}
	wantKeys := scanKeys(t, server, "HEAD", nil)
	for _, filter := range []string{"blob:none", "tree:0"} {
		t.Run(filter, func(t *testing.T) {
			partial := filepath.Join(t.TempDir(), "partial.git")
			gittest.Run(t, r.Dir, "clone", "-q", "--bare", "--filter="+filter, "file://"+server, partial)
			if got := scanKeys(t, partial, "HEAD", nil); !slices.Equal(got, wantKeys) {
				t.Errorf("scan --rev: %q, want %q", got, wantKeys)
			}
			partial2 := filepath.Join(t.TempDir(), "partial.git")
			gittest.Run(t, r.Dir, "clone", "-q", "--bare", "--filter="+filter, "file://"+server, partial2)
			got := logEvents(t, partial2, "")
			for c, evs := range want {
				if !slices.Equal(got[c], evs) {
					t.Errorf("log of %s: %q, want %q", c, got[c], evs)
				}
			}
		})
	}

	t.Run("with alternates", func(t *testing.T) {
		// A partial clone that borrows objects from a reference
		// repository holding the first commits only: some objects are in
		// the alternate, the rest come from the promisor remote.
		ref := filepath.Join(t.TempDir(), "ref.git")
		gittest.Run(t, r.Dir, "clone", "-q", "--bare", "file://"+server, ref)
		gittest.Run(t, ref, "update-ref", "refs/heads/main", "HEAD~2")
		gittest.Run(t, ref, "gc", "-q", "--prune=now")
		partial := filepath.Join(t.TempDir(), "partial.git")
		gittest.Run(t, r.Dir, "clone", "-q", "--bare", "--filter=blob:none", "--reference", ref, "file://"+server, partial)
		if _, err := os.Stat(filepath.Join(partial, "objects", "info", "alternates")); err != nil {
			t.Fatalf("the clone has no alternates: %v", err)
		}
		got := logEvents(t, partial, "")
		for c, evs := range want {
			if !slices.Equal(got[c], evs) {
				t.Errorf("log of %s: %q, want %q", c, got[c], evs)
			}
		}
		if keys := scanKeys(t, partial, "HEAD", nil); !slices.Equal(keys, wantKeys) {
			t.Errorf("scan --rev: %q, want %q", keys, wantKeys)
		}
	})

	t.Run("promisor remote gone", func(t *testing.T) {
		partial := filepath.Join(t.TempDir(), "partial.git")
		gittest.Run(t, r.Dir, "clone", "-q", "--bare", "--filter=blob:none", "file://"+server, partial)
		gittest.Run(t, partial, "remote", "set-url", "origin", "file://"+filepath.Join(t.TempDir(), "gone.git"))
		db := storetest.Target(t)
		code, _, errOut := flagscan(t, "", "log", "--repo", partial, "--db", db, "--format", "json")
		if code != exitError || !strings.Contains(errOut, "promisor remote") {
			t.Errorf("log: exit %d, %s; want exit %d naming the promisor remote", code, errOut, exitError)
		}
		code, _, errOut = flagscan(t, "", "scan", "--format", "json", "--rev", "HEAD", "--repo", partial)
		if code != exitError || !strings.Contains(errOut, "promisor remote") {
			t.Errorf("scan --rev: exit %d, %s; want exit %d naming the promisor remote", code, errOut, exitError)
		}
	})
}

// TestUncoveredKeysWarned: keys in files no environment covers are named
// once in push's warnings, whatever the number of updates (two branches
// here).
func TestUncoveredKeysWarned(t *testing.T) {
	r := gittest.New(t)
	c0 := r.Commit("base", map[string]string{"web/a.ts": js("alpha")})
	c1 := r.Commit("more", map[string]string{"web/b.ts": js("beta"), "tools/x.ts": js("orphan"), "tools/y.ts": js("orphan", "lost")})
	cfg := writeConfig(t, t.TempDir(), "branches: [main, other]\nenvironments:\n  - {id: web, name: web, paths: [\"web/**\"]}\n")
	db := storetest.Target(t)
	stdin := fmt.Sprintf("%s %s refs/heads/main\n%s %s refs/heads/other\n", c0, c1, c0, c1)
	code, out, errOut := flagscan(t, stdin, "push", "-C", r.Dir, "--db", db, "--config", cfg, "--format", "json", "--stdin")
	if code != exitOK {
		t.Fatalf("push: exit %d: %s", code, errOut)
	}
	if evs := pushEvents(t, out); !slices.Equal(evs, []string{"Flag.new beta", "Flag.new beta"}) {
		t.Errorf("events %q, want Flag.new beta on each branch", evs)
	}
	if n := strings.Count(errOut, "no environment's paths cover"); n != 1 || !strings.Contains(errOut, "2 keys (lost, orphan) are referenced in 2 files") {
		t.Errorf("warnings (%d):\n%s", n, errOut)
	}
}

// atBranch turns "Flag.new key" lines into the receiver's "Flag.new
// key@branch".
func atBranch(lines []string, branch string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l + "@" + branch
	}
	return out
}

// TestHookRealGit pushes for real through the installed hooks into a
// server that keeps the packs it receives: a directory tree over 64 KiB
// arriving as a delta gives exactly the keys' transitions; a rewind gives
// exactly its deletions, and the push after it only its own keys.
func TestHookRealGit(t *testing.T) {
	bin := hookBinary(t)
	s := newHookServer(t, bin, "")
	// Keep every received pack as it arrives (thin, completed by
	// index-pack), as servers do for pushes of more than 100 objects.
	s.git(s.bare, "config", "receive.unpackLimit", "1")
	src := gittest.New(t)
	src.Git("remote", "add", "origin", s.bare)
	first, second := gittest.CrossedDeltas(src, sparseKeys, func() {
		s.mustPush(src.Dir, "main")
	})
	before := scanKeys(t, src.Dir, first, nil)
	s.expect("first push", atBranch(transitions(nil, before), "main")...)
	s.mustPush(src.Dir, "main")
	after := scanKeys(t, src.Dir, second, nil)
	s.expect("the big tree as a delta", atBranch(transitions(before, after), "main")...)
	if got := scanKeys(t, s.bare, "main", nil); !slices.Equal(got, after) {
		t.Errorf("scan --rev of the server: %d keys, want %d", len(got), len(after))
	}
	if loose := gittest.Run(t, s.bare, "count-objects"); !strings.HasPrefix(loose, "0 objects") {
		t.Fatalf("the server unpacked the push (%s): the test does not test what it says", loose)
	}

	src.Commit("extra", map[string]string{"web/extra.ts": js("extra", "k0")})
	s.mustPush(src.Dir, "main")
	s.expect("third", "Flag.new extra@main")

	src.Git("reset", "-q", "--hard", second)
	s.mustPush(src.Dir, "--force", "main")
	s.expect("rewind", "Flag.deleted extra@main")

	src.Commit("later", map[string]string{"web/later.ts": js("later")})
	s.mustPush(src.Dir, "main")
	s.expect("after the rewind", "Flag.new later@main")
}
