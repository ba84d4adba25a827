package source

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/flagscan/flagscan/scanner/git"
)

// dirSource walks a directory on disk.
type dirSource struct {
	root      string // absolute, symlink-free directory to walk
	top       string // absolute work-tree top; root itself outside a repository
	gitDir    string // the work tree's git dir, holding the index; "" outside a repository
	commonDir string // holds info/exclude; differs from gitDir in linked worktrees
}

// Dir returns a Source over the files under root, which must be a directory.
//
// If root lies in a git work tree, paths are relative to the top of the work
// tree even when root is a subdirectory (only root's subtree is walked), and
// the set of files is what `git ls-files --cached --others
// --exclude-standard` reports: .gitignore files at every level (those of
// root's parent directories included) and .git/info/exclude are honoured,
// and files git tracks are offered even where an ignore rule matches them.
// The user's global excludes file is deliberately not read, so a scan gives
// the same result on every machine. Like git, Dir does not look inside an
// ignored directory for untracked files, nor inside nested repositories.
//
// Outside a work tree, paths are relative to root and .gitignore files found
// in the walk are still honoured.
//
// Symbolic links are neither followed nor offered, and .git is never
// walked. Files are not read during the walk: File.Data is nil and
// File.Content reads the file, so callers can read in parallel.
func Dir(root string) (Source, error) {
	real, err := realDir(root)
	if err != nil {
		return nil, fmt.Errorf("open directory %s: %w", root, err)
	}
	s := &dirSource{root: real, top: real}
	if top, gitDir, ok := git.FindWorkTree(real); ok {
		rel, err := filepath.Rel(top, real)
		if err != nil {
			return nil, fmt.Errorf("open directory %s: %w", root, err)
		}
		if first, _, _ := strings.Cut(filepath.ToSlash(rel), "/"); first == ".git" {
			return nil, fmt.Errorf("open directory %s: inside the git directory of %s", root, top)
		}
		s.top, s.gitDir, s.commonDir = top, gitDir, git.CommonDir(gitDir)
	}
	return s, nil
}

// realDir makes dir absolute and resolves symlinks in it, as git does with
// its working directory, so that the search for .git upwards follows the
// real parents.
func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", unwrapPathError(err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", unwrapPathError(err)
	}
	if !fi.IsDir() {
		return "", errors.New("not a directory")
	}
	return real, nil
}

// unwrapPathError drops the *fs.PathError layer from err, for messages that
// name the path themselves; errors.Is(err, fs.ErrNotExist) still holds.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Walk implements Source.
func (s *dirSource) Walk(ctx context.Context, f Filter, fn func(File) error) error {
	w := &dirWalker{ctx: ctx, src: s, filter: f, fn: fn}
	var stack ignoreStack
	if s.commonDir != "" {
		l, err := readIgnoreFile(filepath.Join(s.commonDir, "info", "exclude"), "")
		if err != nil {
			return err
		}
		if l != nil {
			stack = append(stack, l)
		}
	}

	// When root is below the top, the .gitignore files of the directories
	// in between apply too, and one of those directories may itself be
	// ignored, in which case only tracked files remain.
	rel, err := filepath.Rel(s.top, s.root)
	if err != nil {
		return fmt.Errorf("walk %s: %w", s.root, err)
	}
	rel = filepath.ToSlash(rel)
	if rel == "." {
		rel = ""
	}
	excluded := false
	if rel != "" {
		dir := ""
		for name := range strings.SplitSeq(rel, "/") {
			if !excluded {
				l, err := readTreeIgnore(filepath.Join(s.top, filepath.FromSlash(dir)), dir)
				if err != nil {
					return err
				}
				if l != nil {
					stack = append(stack, l)
				}
			}
			dir = joinPath(dir, name)
			excluded = excluded || stack.excluded(dir, true)
		}
	}
	if excluded {
		ok, err := w.trackedDir(rel)
		if err != nil || !ok {
			return err
		}
	}
	return w.walkDir(rel, s.root, stack, excluded)
}

// dirWalker carries the state of one Dir walk.
type dirWalker struct {
	ctx    context.Context
	src    *dirSource
	filter Filter
	fn     func(File) error

	tracked *trackedSet // loaded on first need: most walks never ask
}

// walkDir walks the directory abs, whose path relative to the top is rel.
// In trackedOnly mode the directory is ignored (or inside an ignored one),
// so only the files git tracks there are offered.
func (w *dirWalker) walkDir(rel, abs string, stack ignoreStack, trackedOnly bool) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return err // a *PathError, naming the directory
	}
	if abs != w.src.root && slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == ".git" }) {
		// A nested repository or submodule: its files are not ours, and
		// git does not descend into it either.
		return nil
	}
	if !trackedOnly && slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == ".gitignore" }) {
		l, err := readTreeIgnore(abs, rel)
		if err != nil {
			return err
		}
		if l != nil {
			stack = append(stack, l)
		}
	}
	sortTreeOrder(entries)

	for _, e := range entries {
		name := e.Name()
		if name == ".git" {
			continue
		}
		p := joinPath(rel, name)
		switch typ := e.Type(); {
		case typ.IsDir():
			if w.filter.skip(p, true) {
				continue
			}
			sub := trackedOnly || stack.excluded(p, true)
			if sub {
				// git looks for no untracked files inside an ignored
				// directory, but files it tracks there stay.
				ok, err := w.trackedDir(p)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			if err := w.walkDir(p, filepath.Join(abs, name), stack, sub); err != nil {
				return err
			}
		case typ.IsRegular():
			if w.filter.skip(p, false) {
				continue
			}
			if trackedOnly || stack.excluded(p, false) {
				ok, err := w.trackedFile(p)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			if !w.filter.want(p) {
				continue
			}
			if err := w.ctx.Err(); err != nil {
				return err
			}
			// No stat here: Content checks the size in the worker.
			file := File{Path: p, abs: filepath.Join(abs, name), maxSize: w.filter.MaxSize}
			if err := w.fn(file); err != nil {
				return err
			}
		default:
			// Symlinks are not followed (they may point out of the
			// tree, or loop); sockets, fifos and devices hold no code.
		}
	}
	return nil
}

// sortTreeOrder sorts entries the way git orders a tree: a directory sorts
// as if its name ended in '/'. A depth-first walk in that order yields
// paths in plain byte order ("a.txt" < "a/b", although "a" < "a.txt").
func sortTreeOrder(entries []fs.DirEntry) {
	slices.SortFunc(entries, func(a, b fs.DirEntry) int {
		an, bn := a.Name(), b.Name()
		n := min(len(an), len(bn))
		if c := strings.Compare(an[:n], bn[:n]); c != 0 {
			return c
		}
		return cmp.Compare(treeByte(an, n, a.IsDir()), treeByte(bn, n, b.IsDir()))
	})
}

// treeByte returns byte i of name as git sorts it, -1 past the end.
func treeByte(name string, i int, isDir bool) int {
	switch {
	case i < len(name):
		return int(name[i])
	case i == len(name) && isDir:
		return '/'
	}
	return -1
}

// readIgnoreFile reads a gitignore-style file whose patterns are relative
// to base; a missing file yields nil.
func readIgnoreFile(path, base string) (*patternList, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read ignore patterns: %w", err)
	}
	l := parseIgnore(data, base)
	if len(l.patterns) == 0 {
		return nil, nil
	}
	return l, nil
}

// readTreeIgnore reads the .gitignore of the work-tree directory absDir,
// whose path relative to the top is base.
func readTreeIgnore(absDir, base string) (*patternList, error) {
	path := filepath.Join(absDir, ".gitignore")
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read ignore patterns: %w", err)
	}
	if !fi.Mode().IsRegular() {
		// Since 2.32 git does not follow a symlinked .gitignore inside
		// the work tree (it could point anywhere); a directory of that
		// name holds no patterns either.
		return nil, nil
	}
	return readIgnoreFile(path, base)
}

// trackedSet is the set of paths in the index, and of their directories.
type trackedSet struct {
	files map[string]struct{}
	dirs  map[string]struct{}
}

func (w *dirWalker) trackedFile(path string) (bool, error) {
	t, err := w.trackedPaths()
	if err != nil {
		return false, err
	}
	_, ok := t.files[path]
	return ok, nil
}

func (w *dirWalker) trackedDir(path string) (bool, error) {
	t, err := w.trackedPaths()
	if err != nil {
		return false, err
	}
	_, ok := t.dirs[path]
	return ok, nil
}

// trackedPaths loads the index on first use. Outside a repository, or
// before the first `git add`, nothing is tracked.
func (w *dirWalker) trackedPaths() (*trackedSet, error) {
	if w.tracked != nil {
		return w.tracked, nil
	}
	t := &trackedSet{files: map[string]struct{}{}, dirs: map[string]struct{}{}}
	w.tracked = t
	if w.src.gitDir == "" {
		return t, nil
	}
	paths, err := git.IndexPaths(w.src.gitDir)
	if err != nil {
		return nil, err
	}
	for _, name := range paths {
		t.files[name] = struct{}{}
		for dir := name; ; {
			i := strings.LastIndexByte(dir, '/')
			if i < 0 {
				break
			}
			dir = dir[:i]
			if _, seen := t.dirs[dir]; seen {
				break // and so are all its parents
			}
			t.dirs[dir] = struct{}{}
		}
	}
	return t, nil
}
