package source

import (
	"context"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// OpenRepository opens the repository at dir: a work tree (or a directory
// inside one), its .git directory, or a bare repository.
func OpenRepository(dir string) (*git.Repository, error) {
	return openRepo(dir)
}

// ResolveRevision resolves rev as Rev does.
func ResolveRevision(repo *git.Repository, rev string) (plumbing.Hash, error) {
	return resolveRevision(repo, rev)
}

// Entry names one blob of a repository and the path it is found at.
type Entry struct {
	Path string
	Blob string // hex id
}

// Blobs returns a Source over the given blobs of repo, in the given order:
// the changed files of a commit, for incremental analysis. Like Rev, it
// reads in the Walk goroutine and hands the bytes over in File.Data.
func Blobs(repo *git.Repository, entries []Entry) Source {
	return &blobSource{rev: &RevSource{repo: repo}, entries: entries}
}

type blobSource struct {
	rev     *RevSource
	entries []Entry
}

func (b *blobSource) Walk(ctx context.Context, f Filter, fn func(File) error) error {
	b.rev.mu.Lock()
	defer b.rev.mu.Unlock()
	for _, e := range b.entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.skip(e.Path, false) || !f.want(e.Path) {
			continue
		}
		file, err := b.rev.readBlob(&f, e.Path, plumbing.NewHash(e.Blob))
		if err != nil {
			file.Err = err
		}
		if err := fn(file); err != nil {
			return err
		}
	}
	return nil
}
