package git

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	gogit "github.com/go-git/go-git/v5"
)

// ErrNotRepository is returned (wrapped) by Discover and Open for a
// directory that is in no repository.
var ErrNotRepository = gogit.ErrRepositoryNotExists

// Location is where a repository's parts are on disk.
type Location struct {
	// GitDir is the git directory (absolute): a bare repository, a work
	// tree's .git, or a linked worktree's directory under the main one.
	GitDir string
	// CommonDir holds what all worktrees share: objects, most refs,
	// info/exclude. It is GitDir but for linked worktrees.
	CommonDir string
	// WorkTree is the top of the work tree, "" for a bare repository or
	// a git directory given as such.
	WorkTree string
}

// Discover finds the repository of dir: the work tree dir is the top of,
// dir itself if it is a git directory (bare, or a .git), or else the work
// tree dir lies in, looking upwards as git does.
func Discover(dir string) (Location, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Location{}, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return Location{}, unwrapPathError(err)
	}
	if !fi.IsDir() {
		return Location{}, errors.New("not a directory")
	}
	if gd, ok := gitDirAt(abs); ok {
		return Location{GitDir: gd, CommonDir: CommonDir(gd), WorkTree: abs}, nil
	}
	if isGitDir(abs) {
		return Location{GitDir: abs, CommonDir: CommonDir(abs)}, nil
	}
	if top, gd, ok := FindWorkTree(abs); ok {
		return Location{GitDir: gd, CommonDir: CommonDir(gd), WorkTree: top}, nil
	}
	return Location{}, ErrNotRepository
}

// WorkTreeOf returns the top of the git work tree containing path (a file
// or a directory), found as git does by looking for .git upwards from the
// real path (symlinks resolved, so top is symlink-free too); ok is false
// when path is in no work tree. The error is for a path that cannot be
// resolved, e.g. one that does not exist.
func WorkTreeOf(path string) (top string, ok bool, err error) {
	abs, err := filepath.Abs(path)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return "", false, fmt.Errorf("find repository of %s: %w", path, unwrapPathError(err))
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", false, fmt.Errorf("find repository of %s: %w", path, unwrapPathError(err))
	}
	if !fi.IsDir() {
		abs = filepath.Dir(abs)
	}
	top, _, ok = FindWorkTree(abs)
	return top, ok, nil
}

// FindWorkTree looks for a work tree containing dir (absolute), from dir
// upwards, and returns its top and git dir.
func FindWorkTree(dir string) (top, gitDir string, ok bool) {
	for {
		if gd, ok := gitDirAt(dir); ok {
			return dir, gd, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", false
		}
		dir = parent
	}
}

// gitDirAt returns the git dir of the work tree whose top is dir, if dir is
// one: dir/.git is either the git dir or, for linked worktrees and
// submodules, a file saying "gitdir: <path>".
func gitDirAt(dir string) (string, bool) {
	dotGit := filepath.Join(dir, ".git")
	fi, err := os.Lstat(dotGit)
	if err != nil {
		return "", false
	}
	if fi.IsDir() {
		// A stray empty .git directory does not make a repository;
		// git wants at least HEAD.
		if _, err := os.Lstat(filepath.Join(dotGit, "HEAD")); err != nil {
			return "", false
		}
		return dotGit, true
	}
	if !fi.Mode().IsRegular() {
		return "", false
	}
	data, err := os.ReadFile(dotGit)
	if err != nil {
		return "", false
	}
	target, found := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
	if !found {
		return "", false
	}
	target = filepath.FromSlash(strings.TrimSpace(target))
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		return "", false
	}
	return target, true
}

// isGitDir reports whether dir looks like a git dir, by the same test as
// git's is_git_directory.
func isGitDir(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// CommonDir returns the directory holding the parts of a repository shared
// by all its worktrees (info/exclude among them).
func CommonDir(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	dir := filepath.FromSlash(strings.TrimSpace(string(data)))
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(gitDir, dir)
	}
	return dir
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
