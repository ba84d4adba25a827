package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/flagscan/flagscan/scanner/git"
)

// oneFile is the Source returned by One.
type oneFile struct {
	path string // relative, slash-separated
	abs  string
}

// One returns a Source of the single regular file at path, named by its
// path from the top of the work tree it lies in (from its own directory
// outside one). A file named on purpose is offered even if a .gitignore
// rule would leave it out of a walk.
func One(path string) (Source, error) {
	abs, err := filepath.Abs(path)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return nil, fmt.Errorf("open file %s: %w", path, unwrapPathError(err))
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("open file %s: %w", path, unwrapPathError(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("open file %s: %w", path, errors.New("not a regular file"))
	}
	root := filepath.Dir(abs)
	if top, _, ok := git.FindWorkTree(root); ok {
		root = top
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil, fmt.Errorf("open file %s: %w", path, err)
	}
	return &oneFile{path: filepath.ToSlash(rel), abs: abs}, nil
}

// Walk implements Source.
func (o *oneFile) Walk(ctx context.Context, f Filter, fn func(File) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.skip(o.path, false) || !f.want(o.path) {
		return nil
	}
	return fn(File{Path: o.path, abs: o.abs, maxSize: f.MaxSize})
}
