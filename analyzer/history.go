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

// treeID returns the tree id of a commit, or the zero hash for "" and the
// zero commit id (the empty tree before the first commit).
func treeID(repo *git.Repository, commit string) (plumbing.Hash, error) {
	if commit == "" || isZero(commit) {
		return plumbing.ZeroHash, nil
	}
	c, err := commitObject(repo, commit)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return c.TreeHash, nil
}

// differ lists the files that differ between two trees. It compares the
// entries of the two trees and descends only into subtrees whose ids
// differ, decoding each tree once: go-git's DiffTree decodes every child
// tree of each directory it visits, which over a long history of a wide
// repository costs more than everything else. There is no rename
// detection: a rename is a deletion and an addition, which is all the key
// sets need.
type differ struct {
	repo  *git.Repository
	trees map[plumbing.Hash]*object.Tree // decoded trees, most recent ones
}

// maxCachedTrees bounds the decoded trees a differ keeps. Consecutive
// commits share most trees; when the cache is full it starts over.
const maxCachedTrees = 4096

func newDiffer(repo *git.Repository) *differ {
	return &differ{repo: repo, trees: map[plumbing.Hash]*object.Tree{}}
}

func (d *differ) tree(id plumbing.Hash) (*object.Tree, error) {
	if t, ok := d.trees[id]; ok {
		return t, nil
	}
	t, err := object.GetTree(d.repo.Storer, id)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", id, err)
	}
	if len(d.trees) >= maxCachedTrees {
		clear(d.trees)
	}
	d.trees[id] = t
	return t, nil
}

// diff lists the regular files that differ between trees from and to (the
// zero hash is the empty tree).
func (d *differ) diff(ctx context.Context, from, to plumbing.Hash) ([]change, error) {
	var out []change
	err := d.diffDir(ctx, from, to, "", &out)
	return out, err
}

func (d *differ) diffDir(ctx context.Context, from, to plumbing.Hash, dir string, out *[]change) error {
	if from == to {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var a, b []object.TreeEntry
	if !from.IsZero() {
		t, err := d.tree(from)
		if err != nil {
			return err
		}
		a = t.Entries
	}
	if !to.IsZero() {
		t, err := d.tree(to)
		if err != nil {
			return err
		}
		b = t.Entries
	}
	old := make(map[string]object.TreeEntry, len(a))
	for _, e := range a {
		old[e.Name] = e
	}
	for _, e := range b {
		p := joinPath(dir, e.Name)
		o, ok := old[e.Name]
		delete(old, e.Name)
		if ok && o.Hash == e.Hash && o.Mode == e.Mode {
			continue
		}
		var fromDir, fromFile, toDir, toFile plumbing.Hash
		if ok {
			fromDir, fromFile = split(o)
		}
		toDir, toFile = split(e)
		if err := d.diffDir(ctx, fromDir, toDir, p, out); err != nil {
			return err
		}
		if fromFile != toFile {
			*out = append(*out, change{Path: p, From: hexOrEmpty(fromFile), To: hexOrEmpty(toFile)})
		}
	}
	for _, o := range old {
		p := joinPath(dir, o.Name)
		fromDir, fromFile := split(o)
		if err := d.diffDir(ctx, fromDir, plumbing.ZeroHash, p, out); err != nil {
			return err
		}
		if !fromFile.IsZero() {
			*out = append(*out, change{Path: p, From: fromFile.String()})
		}
	}
	return nil
}

// split returns an entry's id as a directory or as a regular file; the
// other is zero. Symlinks and submodules are neither.
func split(e object.TreeEntry) (dir, file plumbing.Hash) {
	switch {
	case e.Mode == filemode.Dir:
		return e.Hash, plumbing.ZeroHash
	case regular(e.Mode):
		return plumbing.ZeroHash, e.Hash
	}
	return plumbing.ZeroHash, plumbing.ZeroHash
}

func hexOrEmpty(h plumbing.Hash) string {
	if h.IsZero() {
		return ""
	}
	return h.String()
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func regular(m filemode.FileMode) bool {
	return m == filemode.Regular || m == filemode.Executable || m == filemode.Deprecated
}
