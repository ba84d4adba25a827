package git

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Kind is what a tree entry holds, as far as a scan cares.
type Kind uint8

// Kinds of tree entries.
const (
	// KindOther is an entry of a mode git does not write.
	KindOther Kind = iota
	KindDir
	KindFile // a regular or executable file
	// KindSymlink holds a target path, not code: never followed.
	KindSymlink
	// KindSubmodule (a gitlink) is a commit of another repository.
	KindSubmodule
)

// TreeEntry is one entry of a tree.
type TreeEntry struct {
	Name string
	Kind Kind
	ID   Hash
	mode filemode.FileMode
}

func kindOf(m filemode.FileMode) Kind {
	switch m {
	case filemode.Dir:
		return KindDir
	case filemode.Regular, filemode.Executable, filemode.Deprecated:
		return KindFile
	case filemode.Symlink:
		return KindSymlink
	case filemode.Submodule:
		return KindSubmodule
	}
	return KindOther
}

// Tree reads the tree id names, its entries in git's order. A tree a
// partial clone lacks (git clone --filter=tree:0) is fetched from its
// promisor remote, with its subtrees.
func (r *Repo) Tree(id Hash) ([]TreeEntry, error) {
	t, err := object.GetTree(r.r.Storer, plumbing.Hash(id))
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		if ok, ferr := r.promised(id); ferr != nil {
			return nil, fmt.Errorf("read tree %s: %w", id, ferr)
		} else if ok {
			t, err = object.GetTree(r.r.Storer, plumbing.Hash(id))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", id, err)
	}
	out := make([]TreeEntry, len(t.Entries))
	for i, e := range t.Entries {
		out[i] = TreeEntry{Name: e.Name, Kind: kindOf(e.Mode), ID: Hash(e.Hash), mode: e.Mode}
	}
	return out, nil
}

// WalkFiles calls fn with the path of every file of the tree, depth first
// in git's order. It stops at the first unreadable tree or error of fn.
func (r *Repo) WalkFiles(tree Hash, fn func(path string) error) error {
	return r.walkFiles(tree, "", fn)
}

func (r *Repo) walkFiles(tree Hash, dir string, fn func(string) error) error {
	entries, err := r.Tree(tree)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := JoinPath(dir, e.Name)
		switch e.Kind {
		case KindDir:
			if err := r.walkFiles(e.ID, p, fn); err != nil {
				return err
			}
		case KindFile:
			if err := fn(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// RootFile returns the first of names that is a file at the root of
// commit's tree, with its blob id and content; "" when none is. A blob
// over maxSize is not read: its Blob says Oversize.
func (r *Repo) RootFile(commit string, names []string, maxSize int64) (name string, id Hash, b Blob, err error) {
	c, err := r.Commit(commit)
	if err != nil {
		return "", Hash{}, Blob{}, err
	}
	entries, err := r.Tree(c.Tree)
	if err != nil {
		return "", Hash{}, Blob{}, fmt.Errorf("read tree of %s: %w", commit, err)
	}
	for _, want := range names {
		for _, e := range entries {
			if e.Name != want || e.Kind != KindFile {
				continue
			}
			b, err := r.ReadBlob(e.ID, maxSize)
			if err != nil {
				return "", Hash{}, Blob{}, fmt.Errorf("read %s of %s: %w", want, commit, err)
			}
			return want, e.ID, b, nil
		}
	}
	return "", Hash{}, Blob{}, nil
}

// JoinPath joins a slash-separated directory (possibly "") and a name.
func JoinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// Change is one file changed between two trees: From or To is "" for an
// added or deleted file.
type Change struct {
	Path     string
	From, To string // blob ids
}

// Differ lists the files that differ between two trees. It compares the
// entries of the two trees and descends only into subtrees whose ids
// differ, decoding each tree once: go-git's DiffTree decodes every child
// tree of each directory it visits, which over a long history of a wide
// repository costs more than everything else. There is no rename
// detection: a rename is a deletion and an addition, which is all the key
// sets need.
type Differ struct {
	repo  *Repo
	trees map[Hash][]TreeEntry // decoded trees, most recent ones
}

// maxCachedTrees bounds the decoded trees a Differ keeps. Consecutive
// commits share most trees; when the cache is full it starts over.
const maxCachedTrees = 4096

// NewDiffer returns a Differ of the repository's trees.
func (r *Repo) NewDiffer() *Differ {
	return &Differ{repo: r, trees: map[Hash][]TreeEntry{}}
}

func (d *Differ) tree(id Hash) ([]TreeEntry, error) {
	if t, ok := d.trees[id]; ok {
		return t, nil
	}
	t, err := d.repo.Tree(id)
	if err != nil {
		return nil, err
	}
	if len(d.trees) >= maxCachedTrees {
		clear(d.trees)
	}
	d.trees[id] = t
	return t, nil
}

// Diff lists the regular files that differ between trees from and to (the
// zero Hash is the empty tree).
func (d *Differ) Diff(ctx context.Context, from, to Hash) ([]Change, error) {
	var out []Change
	err := d.diffDir(ctx, from, to, "", &out)
	return out, err
}

func (d *Differ) diffDir(ctx context.Context, from, to Hash, dir string, out *[]Change) error {
	if from == to {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var a, b []TreeEntry
	if !from.IsZero() {
		t, err := d.tree(from)
		if err != nil {
			return err
		}
		a = t
	}
	if !to.IsZero() {
		t, err := d.tree(to)
		if err != nil {
			return err
		}
		b = t
	}
	old := make(map[string]TreeEntry, len(a))
	for _, e := range a {
		old[e.Name] = e
	}
	for _, e := range b {
		p := JoinPath(dir, e.Name)
		o, ok := old[e.Name]
		delete(old, e.Name)
		if ok && o.ID == e.ID && o.mode == e.mode {
			continue
		}
		var fromDir, fromFile, toDir, toFile Hash
		if ok {
			fromDir, fromFile = split(o)
		}
		toDir, toFile = split(e)
		if err := d.diffDir(ctx, fromDir, toDir, p, out); err != nil {
			return err
		}
		if fromFile != toFile {
			*out = append(*out, Change{Path: p, From: hexOrEmpty(fromFile), To: hexOrEmpty(toFile)})
		}
	}
	for _, o := range old {
		p := JoinPath(dir, o.Name)
		fromDir, fromFile := split(o)
		if err := d.diffDir(ctx, fromDir, Hash{}, p, out); err != nil {
			return err
		}
		if !fromFile.IsZero() {
			*out = append(*out, Change{Path: p, From: fromFile.String()})
		}
	}
	return nil
}

// split returns an entry's id as a directory or as a regular file; the
// other is zero. Symlinks and submodules are neither.
func split(e TreeEntry) (dir, file Hash) {
	switch e.Kind {
	case KindDir:
		return e.ID, Hash{}
	case KindFile:
		return Hash{}, e.ID
	}
	return Hash{}, Hash{}
}

func hexOrEmpty(h Hash) string {
	if h.IsZero() {
		return ""
	}
	return h.String()
}
