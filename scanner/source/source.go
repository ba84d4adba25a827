// Package source yields the files a scan looks at: the files of a working
// tree or plain directory (Dir), or the tree of a git revision read straight
// from the object store (Rev, and Blobs for the changed files of a
// commit), through package git.
//
// Both sources walk in the same order, sorted by path byte-wise, which is
// git's own tree order; so a working tree and the commit it was checked out
// from come out file for file in step.
package source

import (
	"context"
	"errors"
	"fmt"
)

// ErrOversize is returned (wrapped) by File.Content for a file that was not
// read because it is larger than Filter.MaxSize.
var ErrOversize = errors.New("file larger than the size limit")

// ErrTree is returned (wrapped) by File.Content for a directory of a git
// tree whose own tree object could not be read: every file under it is
// missing from the walk.
var ErrTree = errors.New("directory (git tree) not read: its files are missing")

// ErrNotRegular is returned (wrapped) by File.Content for a working-tree
// file that is no longer a regular file when it is read: replaced by a
// symbolic link, a FIFO or a device since the tree was walked. It is not
// read: a link could lead out of the tree, a FIFO would block the scan.
var ErrNotRegular = errors.New("not a regular file (replaced since the tree was walked)")

// File is one file offered for scanning.
type File struct {
	// Path is slash-separated and relative to the root of the repository
	// (or of the directory, outside a repository).
	Path string
	// Size is the file's size in bytes when the source knows it without
	// reading the file (Blobs); 0 otherwise. Walks do not stat or inflate
	// each file on their single goroutine: Content, which the consumer's
	// goroutines call, reads the file and checks Filter.MaxSize.
	Size int64
	// BlobID is the git blob id (hex) when the file comes from a git tree,
	// "" for a working-tree file.
	BlobID string
	// Data is the content when the source has already read it (Blobs); nil
	// otherwise, and always nil when Oversize is set.
	Data []byte
	// Oversize reports that a blob Blobs offers is larger than
	// Filter.MaxSize and was therefore not read. It is still offered so
	// callers can count it. For other files, Content returns ErrOversize.
	Oversize bool
	// Err is set when the file (or, for a directory path, the tree) could
	// not be read from the object store: a corrupt or missing object. The
	// walk goes on; Content returns Err.
	Err error
	// Special is "symlink" or "submodule" for a tree entry that is not a
	// file: offered so that it is counted, never read or followed.
	Special string

	abs     string    // absolute filesystem path, for working-tree files
	maxSize int64     // Filter.MaxSize, checked by Content for working-tree files
	lazy    *lazyBlob // a git blob Content reads
}

// Content returns the file's bytes: Data when set, otherwise the file is
// read from disk. It refuses Oversize files, so that a caller that forgot to
// check cannot undo the size limit by accident.
func (f File) Content() ([]byte, error) {
	if f.Special != "" {
		return nil, fmt.Errorf("%s is a %s, not a file", f.Path, f.Special)
	}
	if f.Err != nil {
		return nil, f.Err
	}
	if f.Data != nil {
		return f.Data, nil
	}
	if f.lazy != nil {
		return f.lazy.content(f.Path)
	}
	if f.Oversize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", f.Path, f.Size, ErrOversize)
	}
	if f.abs == "" {
		return nil, fmt.Errorf("read %s: no content and no file on disk", f.Path)
	}
	return readFile(f.abs, f.Path, f.maxSize)
}

// Filter decides what a source even looks at. All fields are optional; the
// zero Filter offers every file.
type Filter struct {
	// Skip reports whether a path (slash-separated, relative, like
	// File.Path) is excluded. For a directory the whole subtree is skipped
	// without being read.
	Skip func(path string, isDir bool) bool
	// Want reports whether a file is worth reading at all, e.g. whether it
	// has a known language extension. Unwanted files are never read nor
	// even sized: in git mode their blobs are never inflated.
	Want func(path string) bool
	// MaxSize is the size above which files are not read; they are still
	// offered, with Oversize set and Data nil. 0 means no limit.
	MaxSize int64
}

func (f *Filter) skip(path string, isDir bool) bool {
	return f.Skip != nil && f.Skip(path, isDir)
}

func (f *Filter) want(path string) bool {
	return f.Want == nil || f.Want(path)
}

func (f *Filter) oversize(size int64) bool {
	return f.MaxSize > 0 && size > f.MaxSize
}

// A Source walks a set of files.
type Source interface {
	// Walk calls fn once per wanted file, from the calling goroutine, in
	// order of File.Path (byte-wise). It stops at the first error fn
	// returns and returns that error unchanged, or returns ctx.Err() once
	// ctx is done.
	Walk(ctx context.Context, f Filter, fn func(File) error) error
}

// joinPath joins a slash-separated directory (possibly "") and a name.
func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
