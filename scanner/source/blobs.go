package source

import (
	"context"

	"github.com/flagscan/flagscan/scanner/git"
)

// Entry names one blob of a repository and the path it is found at.
type Entry struct {
	Path string
	Blob string // hex id
}

// Blobs returns a Source over the given blobs of repo, in the given order:
// the changed files of a commit, for incremental analysis. It reads in the
// Walk goroutine and hands the bytes over in File.Data.
func Blobs(repo *git.Repo, entries []Entry) Source {
	return &blobSource{repo: repo, entries: entries}
}

type blobSource struct {
	repo    *git.Repo
	entries []Entry
}

func (b *blobSource) Walk(ctx context.Context, f Filter, fn func(File) error) error {
	for _, e := range b.entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.skip(e.Path, false) || !f.want(e.Path) {
			continue
		}
		if err := fn(readBlob(b.repo, &f, e.Path, git.ParseHash(e.Blob))); err != nil {
			return err
		}
	}
	return nil
}
