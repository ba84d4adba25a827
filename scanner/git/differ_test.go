package git

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestDiffer compares the differ with git diff-tree on a history that adds,
// changes, deletes and moves files, and turns a file into a directory.
func TestDiffer(t *testing.T) {
	r := gittest.New(t)
	commits := []string{
		r.Commit("one", map[string]string{"a.js": "1", "src/m0/f1.js": "1", "src/m1/f2.js": "2", "src/m1/deep/f3.js": "3"}),
		r.Commit("two", map[string]string{"src/m0/f1.js": "changed", "src/m2/new.js": "new", "src/m1/deep/f3.js": ""}),
	}
	if err := os.Remove(filepath.Join(r.Dir, "a.js")); err != nil {
		t.Fatal(err)
	}
	commits = append(commits, r.Commit("three", map[string]string{"a.js/inside.js": "now a directory"}))
	r.Git("mv", "src/m1", "src/moved")
	commits = append(commits, r.Commit("four", nil))
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	d := repo.NewDiffer()
	prev, prevID := Hash{}, "4b825dc642cb6eb9a060e54bf8d69288fbee4904" // git's empty tree
	for _, c := range commits {
		tree, err := repo.TreeOf(c)
		if err != nil {
			t.Fatal(err)
		}
		changes, err := d.Diff(context.Background(), prev, tree)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ch := range changes {
			got = append(got, fmt.Sprintf("%s %s>%s", ch.Path, short(ch.From), short(ch.To)))
		}
		var want []string
		for _, line := range strings.Split(r.Git("diff-tree", "-r", "--no-renames", prevID, tree.String()), "\n") {
			// :old-mode new-mode old-id new-id status\tpath
			f := strings.Fields(line)
			if len(f) < 6 {
				continue
			}
			from, to := f[2], f[3]
			if strings.Trim(from, "0") == "" {
				from = ""
			}
			if strings.Trim(to, "0") == "" {
				to = ""
			}
			want = append(want, fmt.Sprintf("%s %s>%s", f[5], short(from), short(to)))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("commit %s:\n got %q\nwant %q", c[:7], got, want)
		}
		prev, prevID = tree, tree.String()
	}
}

func short(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}
