package git

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// DiffTrees calls fn with the changes between the trees of each pair, in
// order, as Differ.Diff lists them (the zero Hash is the empty tree). It
// stops at the first error, fn's or a diff's.
//
// When git is on the PATH the diffs come from one `git diff-tree --stdin`
// process, on a core of its own while the caller works: go-git's reads
// and decodes of the trees of a long history were about a seventh of a
// log's time, on the goroutine that was waiting for them. go-git still
// diffs what git does not give (git failed or is absent), with a handle of
// its own, so that DiffTrees may run beside other uses of r.
func (r *Repo) DiffTrees(ctx context.Context, pairs [][2]Hash, fn func(i int, changes []Change) error) error {
	i := 0
	if r.batch && len(pairs) >= minDiffs {
		d, err := startDiffs(ctx, r.loc.GitDir, pairs)
		if err == nil {
			i, err = d.read(pairs, fn)
			d.close()
			if err != nil {
				return err
			}
		}
	}
	if i == len(pairs) {
		return nil
	}
	h, err := r.open(cache.NewObjectLRU(diffCache))
	if err != nil {
		return fmt.Errorf("open repository %s: %w", r.loc.GitDir, err)
	}
	own := &Repo{loc: r.loc, r: h, open: r.open}
	differ := own.NewDiffer()
	for ; i < len(pairs); i++ {
		changes, err := differ.Diff(ctx, pairs[i][0], pairs[i][1])
		if err != nil {
			return err
		}
		if err := fn(i, changes); err != nil {
			return err
		}
	}
	return nil
}

// minDiffs is the fewest pairs DiffTrees starts git for.
const minDiffs = 4

// diffCache bounds the object cache of the handle DiffTrees diffs with
// when git does not: its trees' delta bases.
const diffCache = 32 * cache.MiByte

// emptyTree is the id of the tree with no entries, which git knows
// without having it.
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// diffs is a running `git diff-tree --stdin` given every pair at its start.
type diffs struct{ *stream }

func startDiffs(ctx context.Context, gitDir string, pairs [][2]Hash) (*diffs, error) {
	// Recursive, raw, NUL-separated, full ids, no rename detection: the
	// files that differ, as the Differ compares them.
	s, err := startStream(ctx, gitDir, func(yield func(string) bool) {
		for _, p := range pairs {
			if !yield(treeArg(p[0]) + " " + treeArg(p[1])) {
				return
			}
		}
	}, "diff-tree", "--stdin", "-r", "-z", "--no-abbrev", "--no-renames")
	if err != nil {
		return nil, err
	}
	return &diffs{s}, nil
}

func treeArg(h Hash) string {
	if h.IsZero() {
		return emptyTree
	}
	return h.String()
}

// read reads the diffs of pairs in order and calls fn with each. A diff is
// complete when the header of the next one follows it, or the last when
// git exits without error. It returns how many pairs were given to fn,
// fewer than all when git stopped or answered what was not asked, and
// fn's error.
func (d *diffs) read(pairs [][2]Hash, fn func(int, []Change) error) (int, error) {
	header := func(i int) bool {
		line, err := d.out.ReadSlice('\n')
		return err == nil && string(line) == treeArg(pairs[i][0])+" "+treeArg(pairs[i][1])+"\n"
	}
	if len(pairs) == 0 || !header(0) {
		return 0, nil
	}
	for i := range pairs {
		var changes []Change
		for {
			c, err := d.out.Peek(1)
			if err != nil || c[0] != ':' {
				break
			}
			ch, ok, err := d.entry()
			if err != nil {
				return i, nil
			}
			if ok {
				changes = append(changes, ch)
			}
		}
		if i+1 < len(pairs) {
			if !header(i + 1) {
				return i, nil
			}
		} else if _, err := d.out.Peek(1); err == nil || d.wait() != nil {
			// More than was asked, or git failed: the last diff may be
			// cut short.
			return i, nil
		}
		if err := fn(i, changes); err != nil {
			return i + 1, err
		}
	}
	return len(pairs), nil
}

// entry reads one raw entry, ":<mode> <mode> <id> <id> <status>\0<path>\0",
// and gives it as a change of the Differ's: ok is false for an entry it
// does not list (a symlink or submodule on both sides, a mode change).
func (d *diffs) entry() (Change, bool, error) {
	meta, err := d.out.ReadSlice(0)
	if err != nil {
		return Change{}, false, err
	}
	f := bytes.Fields(meta[1 : len(meta)-1])
	if len(f) != 5 {
		return Change{}, false, fmt.Errorf("git diff-tree: unexpected entry %q", meta)
	}
	from, err := fileID(f[0], f[2])
	if err != nil {
		return Change{}, false, err
	}
	to, err := fileID(f[1], f[3])
	if err != nil {
		return Change{}, false, err
	}
	path, err := d.out.ReadSlice(0)
	if err != nil {
		return Change{}, false, err
	}
	if from == to {
		return Change{}, false, nil
	}
	return Change{Path: string(path[:len(path)-1]), From: from, To: to}, true, nil
}

// fileID returns id when mode is a regular file's, "" otherwise, as the
// Differ's split does.
func fileID(mode, id []byte) (string, error) {
	m, err := strconv.ParseUint(string(mode), 8, 32)
	if err != nil || len(id) != 40 {
		return "", fmt.Errorf("git diff-tree: unexpected mode %q or id %q", mode, id)
	}
	if kindOf(filemode.FileMode(m)) != KindFile {
		return "", nil
	}
	return string(id), nil
}
