package analyzer

import (
	"context"
	"fmt"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// change is one file changed between two trees: From or To is empty for
// an added or deleted file.
type change struct {
	Path     string
	From, To string // blob ids
}

// isZero reports the all-zeros id git uses for "no commit".
func isZero(id string) bool {
	for _, c := range id {
		if c != '0' {
			return false
		}
	}
	return true
}

// commitObject reads a commit.
func commitObject(repo *git.Repository, id string) (*object.Commit, error) {
	c, err := repo.CommitObject(plumbing.NewHash(id))
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", id, err)
	}
	return c, nil
}

// firstParents returns the commits from stop (exclusive) to tip
// (inclusive) along first parents, oldest first. found is false when stop
// is not on tip's first-parent line; the list then runs to the root
// commit. A zero stop walks to the root.
func firstParents(ctx context.Context, repo *git.Repository, tip *object.Commit, stop string) (commits []*object.Commit, found bool, err error) {
	c := tip
	for {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		if c.Hash.String() == stop {
			found = true
			break
		}
		commits = append(commits, c)
		if c.NumParents() == 0 {
			break
		}
		if c, err = c.Parent(0); err != nil {
			return nil, false, fmt.Errorf("read first parent of %s: %w", commits[len(commits)-1].Hash, err)
		}
	}
	for i, j := 0, len(commits)-1; i < j; i, j = i+1, j-1 {
		commits[i], commits[j] = commits[j], commits[i]
	}
	return commits, found, nil
}

// newRefBase returns the commit a new ref branches off: the nearest
// first-parent ancestor of tip that another branch also reaches (their
// merge base), or "" when no other branch shares history with it.
func newRefBase(repo *git.Repository, tip *object.Commit, ref string) (string, error) {
	refs, err := repo.References()
	if err != nil {
		return "", fmt.Errorf("list refs: %w", err)
	}
	var best *object.Commit
	err = refs.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference || r.Name().String() == ref || !r.Name().IsBranch() && !r.Name().IsTag() {
			return nil
		}
		other, err := repo.CommitObject(r.Hash())
		if err != nil {
			return nil // an annotated tag or a ref to a missing object: not a base
		}
		bases, err := tip.MergeBase(other)
		if err != nil || len(bases) == 0 {
			return nil
		}
		if best == nil || bases[0].Committer.When.After(best.Committer.When) {
			best = bases[0]
		}
		return nil
	})
	if err != nil || best == nil {
		return "", err
	}
	return best.Hash.String(), nil
}

// isAncestor reports whether a is an ancestor of (or equal to) b.
func isAncestor(repo *git.Repository, a, b string) (bool, error) {
	if a == b {
		return true, nil
	}
	ca, err := commitObject(repo, a)
	if err != nil {
		return false, err
	}
	cb, err := commitObject(repo, b)
	if err != nil {
		return false, err
	}
	return ca.IsAncestor(cb)
}

// treeOf returns the tree of a commit, or nil for the zero id (the empty
// tree before the first commit).
func treeOf(repo *git.Repository, commit string) (*object.Tree, error) {
	if commit == "" || isZero(commit) {
		return nil, nil
	}
	c, err := commitObject(repo, commit)
	if err != nil {
		return nil, err
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", commit, err)
	}
	return t, nil
}

// diffTrees lists the files that differ between two trees (nil is the
// empty tree, so diffTrees(nil, t) lists all of t), without rename detection: a rename is a deletion and an
// addition, which is all the key sets need.
func diffTrees(ctx context.Context, from, to *object.Tree) ([]change, error) {
	changes, err := object.DiffTreeWithOptions(ctx, from, to, nil)
	if err != nil {
		return nil, fmt.Errorf("diff trees: %w", err)
	}
	out := make([]change, 0, len(changes))
	for _, c := range changes {
		var ch change
		if c.From.Name != "" && regular(c.From.TreeEntry.Mode) {
			ch.Path, ch.From = c.From.Name, c.From.TreeEntry.Hash.String()
		}
		if c.To.Name != "" && regular(c.To.TreeEntry.Mode) {
			ch.Path, ch.To = c.To.Name, c.To.TreeEntry.Hash.String()
		}
		if ch.Path == "" {
			continue
		}
		if c.From.Name != "" && c.To.Name != "" && c.From.Name != c.To.Name {
			// Never produced without rename detection; split it anyway
			// so that both paths are accounted for.
			out = append(out, change{Path: c.From.Name, From: ch.From})
			ch.From = ""
		}
		out = append(out, ch)
	}
	return out, nil
}

func regular(m filemode.FileMode) bool {
	return m == filemode.Regular || m == filemode.Executable || m == filemode.Deprecated
}
