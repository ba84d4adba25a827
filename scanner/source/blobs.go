package source

import (
	"context"
	"fmt"

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
	var (
		entries []Entry
		ids     []git.Hash
	)
	for _, e := range b.entries {
		if f.skip(e.Path, false) || !f.want(e.Path) {
			continue
		}
		entries = append(entries, e)
		ids = append(ids, git.ParseHash(e.Blob))
	}
	return b.repo.ReadBlobs(ctx, ids, f.MaxSize, func(i int, blob git.Blob, err error) error {
		file := File{Path: entries[i].Path, BlobID: ids[i].String()}
		if err != nil {
			file.Err = fmt.Errorf("%w (%s)", err, file.Path)
		} else {
			file.Size, file.Data, file.Oversize = blob.Size, blob.Data, blob.Oversize
		}
		return fn(file)
	})
}
