package git

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestFirstParentsThroughGit walks a first-parent line longer than
// walkAlone, with merges off it, as git gives it and as go-git alone
// does: the same commits, every field alike, to the root, to a stop on
// the line and past a stop off it; and the same error where a shallow
// clone was cut.
func TestFirstParentsThroughGit(t *testing.T) {
	src := gittest.New(t)
	var line, side []string
	for i := 0; i < 3*walkAlone; i++ {
		if i%20 == 10 {
			src.Git("checkout", "-q", "-b", fmt.Sprint("side", i))
			side = append(side, src.Commit(fmt.Sprintf("side %d\n\nwith a body", i), map[string]string{fmt.Sprintf("side%d.txt", i): "x\n"}))
			src.Git("checkout", "-q", "main")
			src.Commit(fmt.Sprint("main before merge ", i), map[string]string{"main.txt": fmt.Sprint(i, "\n")})
			src.Git("-c", "user.name=Mergé Ür", "merge", "-q", "--no-ff", "-m", fmt.Sprintf("merge %d\n\nlong\nmessage  \n", i), fmt.Sprint("side", i))
			line = append(line, src.Head())
			continue
		}
		line = append(line, src.Commit(fmt.Sprint("commit ", i), map[string]string{"main.txt": fmt.Sprint(i, "\n")}))
	}
	tipID := src.Head()
	ctx := context.Background()

	byGit, err := Open(src.Dir)
	if err != nil {
		t.Fatal(err)
	}
	alone, err := Open(src.Dir)
	if err != nil {
		t.Fatal(err)
	}
	alone.batch = false
	if !byGit.batch {
		t.Fatal("git is not on the PATH")
	}
	tip, err := byGit.Commit(tipID)
	if err != nil {
		t.Fatal(err)
	}
	for _, stop := range []string{"", line[10], line[len(line)-walkAlone-1], line[len(line)-walkAlone], side[2], tipID} {
		got, gotFound, err := byGit.FirstParents(ctx, tip, stop)
		if err != nil {
			t.Fatal(err)
		}
		want, wantFound, err := alone.FirstParents(ctx, tip, stop)
		if err != nil {
			t.Fatal(err)
		}
		if gotFound != wantFound || len(got) != len(want) {
			t.Fatalf("stop %s: %d commits (found %v) through git, %d (found %v) with go-git", stop, len(got), gotFound, len(want), wantFound)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.ID != w.ID || g.Tree != w.Tree || fmt.Sprint(g.Parents) != fmt.Sprint(w.Parents) || g.Message != w.Message ||
				!sameSignature(g.Author, w.Author) || !sameSignature(g.Committer, w.Committer) {
				t.Fatalf("stop %s: commit %d through git\n%+v\nwith go-git\n%+v", stop, i, *g, *w)
			}
		}
		if len(want) > walkAlone && got[0].c != nil {
			t.Errorf("stop %s: the oldest of %d commits was read by go-git", stop, len(got))
		}
	}

	shallow := filepath.Join(t.TempDir(), "shallow.git")
	gittest.Run(t, src.Dir, "clone", "-q", "--bare", "--depth", fmt.Sprint(2*walkAlone), "file://"+src.Dir, shallow)
	for _, batch := range []bool{true, false} {
		r, err := Open(shallow)
		if err != nil {
			t.Fatal(err)
		}
		r.batch = batch
		tip, err := r.Commit(tipID)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = r.FirstParents(ctx, tip, "")
		if !errors.Is(err, ErrShallow) || !strings.Contains(err.Error(), "the history before commit") {
			t.Errorf("a shallow clone walked to its root (through git: %v): %v, want the shallow clone's error", batch, err)
		}
		if _, found, err := r.FirstParents(ctx, tip, line[len(line)-walkAlone-5]); err != nil || !found {
			t.Errorf("a shallow clone walked to a stop within it (through git: %v): found %v, %v", batch, found, err)
		}
	}
}

// sameSignature compares signatures: the instant, its zone's offset, who.
func sameSignature(a, b Signature) bool {
	_, ao := a.When.Zone()
	_, bo := b.When.Zone()
	return a.Name == b.Name && a.Email == b.Email && a.When.Equal(b.When) && ao == bo
}
