package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// diffHistory makes a history of the changes a Differ tells apart: files
// added, changed and deleted, a mode change, a file turned into a symlink
// and back, a file turned into a directory and back, a submodule, and
// paths with spaces, tabs, newlines and non-ASCII letters. It returns
// the trees of its commits, the empty tree first.
func diffHistory(t *testing.T) (*Repo, []Hash) {
	r := gittest.New(t)
	var commits []string
	commit := func(msg string, files map[string]string) { commits = append(commits, r.Commit(msg, files)) }
	commit("one", map[string]string{"a.js": "1", "src/m0/f1.js": "1", "src/m1/f2.js": "2", "odd name\t\n.ts": "x", "ünï/cödé.py": "y"})
	commit("two", map[string]string{"src/m0/f1.js": "changed", "src/m2/new.js": "new", "src/m1/f2.js": ""})
	r.Git("update-index", "--chmod=+x", "a.js")
	commit("mode", nil)
	if err := os.Remove(filepath.Join(r.Dir, "a.js")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("src/m0/f1.js", filepath.Join(r.Dir, "a.js")); err != nil {
		t.Fatal(err)
	}
	commit("symlink", nil)
	if err := os.Remove(filepath.Join(r.Dir, "a.js")); err != nil {
		t.Fatal(err)
	}
	commit("back to a file", map[string]string{"a.js": "2"})
	r.Git("rm", "-q", "a.js")
	commit("a directory", map[string]string{"a.js/inside.js": "now a directory"})
	r.Git("rm", "-q", "-r", "a.js")
	commit("a file again", map[string]string{"a.js": "3"})
	r.Git("update-index", "--add", "--cacheinfo", "160000,"+commits[0]+",vendor/sub")
	commit("submodule", nil)
	r.Git("mv", "src/m0", "src/moved")
	commit("moved", nil)
	commit("nothing", nil)
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	trees := []Hash{{}}
	for _, c := range commits {
		tree, err := repo.TreeOf(c)
		if err != nil {
			t.Fatal(err)
		}
		trees = append(trees, tree)
	}
	return repo, trees
}

func describeChanges(changes []Change) []string {
	var out []string
	for _, ch := range changes {
		out = append(out, fmt.Sprintf("%q %s>%s", ch.Path, short(ch.From), short(ch.To)))
	}
	slices.Sort(out)
	return out
}

// TestDiffTreesMatchesDiffer: the diffs through git are the Differ's, pair
// for pair, whether the pairs follow a history, jump about or repeat.
func TestDiffTreesMatchesDiffer(t *testing.T) {
	repo, trees := diffHistory(t)
	var pairs [][2]Hash
	for i := 1; i < len(trees); i++ {
		pairs = append(pairs, [2]Hash{trees[i-1], trees[i]})
	}
	pairs = append(pairs, [2]Hash{trees[len(trees)-1], trees[0]}, [2]Hash{trees[3], trees[3]}, [2]Hash{trees[5], trees[2]})
	for _, git := range []bool{true, false} {
		repo.batch = git
		d := repo.NewDiffer()
		var n int
		check := func(i int, changes []Change) error {
			if i != n {
				t.Fatalf("pair %d given as %d", n, i)
			}
			n++
			want, err := d.Diff(context.Background(), pairs[i][0], pairs[i][1])
			if err != nil {
				t.Fatal(err)
			}
			if g, w := describeChanges(changes), describeChanges(want); !slices.Equal(g, w) {
				t.Errorf("git %v, pair %d:\n got %q\nwant %q", git, i, g, w)
			}
			return nil
		}
		if git {
			// Every pair from git itself, none from the fallback.
			g, err := startDiffs(context.Background(), repo.loc.GitDir, pairs)
			if err != nil {
				t.Fatal(err)
			}
			answered, err := g.read(pairs, check)
			g.close()
			if err != nil || answered != len(pairs) {
				t.Fatalf("git answered %d of %d pairs, %v", answered, len(pairs), err)
			}
		} else if err := repo.DiffTrees(context.Background(), pairs, check); err != nil {
			t.Fatal(err)
		}
		if n != len(pairs) {
			t.Fatalf("git %v: %d of %d pairs", git, n, len(pairs))
		}
	}
	// The history has each kind of change the Differ lists or leaves out.
	all := strings.Join(describeChanges(must(repo.NewDiffer().Diff(context.Background(), trees[0], trees[1]))), "\n")
	if !strings.Contains(all, `"odd name\t\n.ts"`) || !strings.Contains(all, `"ünï/cödé.py"`) {
		t.Fatalf("the odd paths are not in the first commit's changes:\n%s", all)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestDiffTreesFallsBack: a tree git cannot read stops git; the pairs
// before it come from git, the rest from go-git, whose error is the one
// returned, after the pairs before it.
func TestDiffTreesFallsBack(t *testing.T) {
	repo, trees := diffHistory(t)
	missing := ParseHash(strings.Repeat("ab", 20))
	pairs := [][2]Hash{{trees[0], trees[1]}, {trees[1], trees[2]}, {trees[2], trees[3]}, {trees[3], missing}, {missing, trees[4]}}
	var got []int
	err := repo.DiffTrees(context.Background(), pairs, func(i int, changes []Change) error {
		got = append(got, i)
		return nil
	})
	if !slices.Equal(got, []int{0, 1, 2}) {
		t.Fatalf("pairs given: %v, want 0 1 2", got)
	}
	if err == nil || !strings.Contains(err.Error(), "read tree "+missing.String()) {
		t.Fatalf("error %v, want go-git's for the missing tree", err)
	}
	// The first two came from git: a diff is known complete only once the
	// next one starts, and git stopped before the fourth.
	g, err := startDiffs(context.Background(), repo.loc.GitDir, pairs)
	if err != nil {
		t.Fatal(err)
	}
	answered, err := g.read(pairs, func(int, []Change) error { return nil })
	g.close()
	if err != nil || answered != 2 {
		t.Fatalf("git answered %d pairs (%v), want 2", answered, err)
	}
	// fn's error stops it.
	stop := errors.New("stop")
	err = repo.DiffTrees(context.Background(), pairs[:3], func(i int, changes []Change) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("error %v, want fn's", err)
	}
}
