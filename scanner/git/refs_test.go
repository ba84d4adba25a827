package git

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestRefsBesideLockFiles: the lock files git writes refs through are no
// refs. One that git has just created is empty, which go-git reports for
// the whole list: the list is read again until git is done with it; one
// left empty for good is an error that says so.
func TestRefsBesideLockFiles(t *testing.T) {
	r := gittest.New(t)
	base := r.Commit("base", map[string]string{"a.js": "1"})
	r.Git("branch", "other")
	tip := r.Commit("tip", map[string]string{"a.js": "2"})
	heads := filepath.Join(r.Dir, ".git", "refs", "heads")
	// A lock git has written but not yet renamed.
	if err := os.WriteFile(filepath.Join(heads, "written.lock"), []byte(tip+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// One git has just created, renamed into a ref a moment later.
	creating := filepath.Join(heads, "creating.lock")
	if err := os.WriteFile(creating, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		os.WriteFile(creating, []byte(base+"\n"), 0o644)
		os.Rename(creating, filepath.Join(heads, "creating"))
	}()
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := repo.Refs("refs/heads/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, rf := range refs {
		names = append(names, rf.Name)
	}
	if got := strings.Join(names, " "); got != "refs/heads/creating refs/heads/main refs/heads/other" {
		t.Fatalf("refs %s", got)
	}
	c, err := repo.Commit(tip)
	if err != nil {
		t.Fatal(err)
	}
	if fork, err := repo.ForkPoint(c, "refs/heads/main"); err != nil || fork != base {
		t.Fatalf("fork point %s, %v; want %s", fork, err, base)
	}
	// An empty lock that stays: an error, after the retries.
	if err := os.WriteFile(filepath.Join(heads, "stale.lock"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := repo.Refs("refs/heads/"); err == nil || !strings.Contains(err.Error(), "ref file is empty") {
		t.Fatalf("error %v, want go-git's about the empty file", err)
	}
	if waited := time.Since(start); waited < refsRetry {
		t.Fatalf("gave up after %v, before %v", waited, refsRetry)
	}
}
