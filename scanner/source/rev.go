package source

import (
	"context"
	"fmt"
	"sync"

	"github.com/flagscan/flagscan/scanner/git"
)

// RevSource is the Source returned by Rev: the tree of one commit, read from
// the object store without a checkout.
//
// It is safe for concurrent use, but walks run one at a time because go-git
// is not safe for concurrent use, not even for reads; so fn must not start
// another Walk of the same source.
type RevSource struct {
	mu     sync.Mutex // serializes all use of repo
	repo   *git.Repo
	commit git.Hash
	tree   git.Hash

	// pool reads blobs from the consumer's goroutines, each with a handle
	// of its own: inflating blobs is most of the work of a walk. nil
	// reads every blob in the walking goroutine instead.
	pool *git.BlobPool
}

// Rev returns a Source over the tree of the commit rev names in the
// repository at repoDir, which may be a work tree (or a directory inside
// one), its .git directory, or a bare repository. rev is resolved as
// git.Repo.ResolveRevision does; "" means HEAD.
//
// The dynamic type of the Source is *RevSource, for Commit.
func Rev(repoDir, rev string) (Source, error) {
	repo, err := git.Open(repoDir)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", repoDir, err)
	}
	if rev == "" {
		rev = "HEAD"
	}
	hash, err := repo.ResolveRevision(rev)
	if err != nil {
		return nil, fmt.Errorf("resolve revision %s: %w", rev, err)
	}
	commit, err := repo.Commit(hash.String())
	if err != nil {
		return nil, err
	}
	return &RevSource{repo: repo, commit: hash, tree: commit.Tree, pool: repo.NewBlobPool()}, nil
}

// lazyBlob is a blob a File reads when asked for its content.
type lazyBlob struct {
	pool    *git.BlobPool
	id      git.Hash
	maxSize int64
}

// content reads the blob with a handle of the pool.
func (b *lazyBlob) content(path string) ([]byte, error) {
	blob, err := b.pool.ReadBlob(b.id, b.maxSize)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	if blob.Oversize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", path, blob.Size, ErrOversize)
	}
	return blob.Data, nil
}

// Commit returns the full hex id of the commit whose tree the source walks.
func (s *RevSource) Commit() string {
	return s.commit.String()
}

// Walk implements Source. Trees are read here, in the caller's goroutine;
// blobs are read by File.Content, from the consumer's goroutines, each with
// a handle of its own, so that inflating them runs on every core.
func (s *RevSource) Walk(ctx context.Context, f Filter, fn func(File) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := s.repo.Tree(s.tree)
	if err != nil {
		return fmt.Errorf("%w of commit %s", err, s.commit)
	}
	if _, partial := s.repo.Promisor(); partial {
		if err := s.prefetch(ctx, &f, entries); err != nil {
			return fmt.Errorf("commit %s: %w", s.commit, err)
		}
	}
	if !s.repo.StreamsBlobs() {
		return s.walkTree(ctx, &f, fn, entries, "")
	}
	// The files are listed first, then their blobs streamed through git
	// in that order, the walk handing each over with its content as it
	// comes: git inflates on a core of its own while the consumer parses.
	var (
		files []File
		ids   []git.Hash
		at    []int // the index in files of each of ids
	)
	err = s.walkTree(ctx, &f, func(file File) error {
		if file.lazy != nil {
			ids = append(ids, file.lazy.id)
			at = append(at, len(files))
			file.lazy = nil
		}
		files = append(files, file)
		return nil
	}, entries, "")
	if err != nil {
		return err
	}
	next := 0
	err = s.repo.ReadBlobs(ctx, ids, f.MaxSize, func(i int, b git.Blob, err error) error {
		for ; next < at[i]; next++ {
			if err := fn(files[next]); err != nil {
				return err
			}
		}
		file := files[next]
		files[next] = File{} // its content is the consumer's now
		next++
		if err != nil {
			file.Err = fmt.Errorf("%w (%s)", err, file.Path)
		} else {
			file.Size, file.Data, file.Oversize = b.Size, b.Data, b.Oversize
		}
		return fn(file)
	})
	if err != nil {
		return err
	}
	for ; next < len(files); next++ {
		if err := fn(files[next]); err != nil {
			return err
		}
	}
	return nil
}

// prefetch fetches the blobs the walk will read that a partial clone
// lacks, in one request before the walk: read one by one, each would cost
// a fetch of its own.
func (s *RevSource) prefetch(ctx context.Context, f *Filter, root []git.TreeEntry) error {
	var ids []git.Hash
	var collect func(entries []git.TreeEntry, dir string)
	collect = func(entries []git.TreeEntry, dir string) {
		for _, e := range entries {
			p := joinPath(dir, e.Name)
			switch e.Kind {
			case git.KindDir:
				if f.skip(p, true) {
					continue
				}
				if sub, err := s.repo.Tree(e.ID); err == nil {
					collect(sub, p) // an unreadable tree is reported by the walk
				}
			case git.KindFile:
				if !f.skip(p, false) && f.want(p) {
					ids = append(ids, e.ID)
				}
			}
		}
	}
	collect(root, "")
	return s.repo.Prefetch(ctx, ids)
}

// walkTree walks a tree's entries, found at dir. It recurses by hand
// rather than with a tree walker so that skipped directories are never
// even decoded.
func (s *RevSource) walkTree(ctx context.Context, f *Filter, fn func(File) error, entries []git.TreeEntry, dir string) error {
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := joinPath(dir, e.Name)
		switch e.Kind {
		case git.KindDir:
			if f.skip(p, true) {
				continue
			}
			sub, err := s.repo.Tree(e.ID)
			if err != nil {
				// A corrupt or missing tree loses its subtree, not the
				// scan: it is offered as a file that cannot be read.
				if err := fn(File{Path: p, Err: fmt.Errorf("%w (%s): %w", err, p, ErrTree)}); err != nil {
					return err
				}
				continue
			}
			if err := s.walkTree(ctx, f, fn, sub, p); err != nil {
				return err
			}
		case git.KindFile:
			if f.skip(p, false) || !f.want(p) {
				continue
			}
			file := File{Path: p, BlobID: e.ID.String(), lazy: &lazyBlob{pool: s.pool, id: e.ID, maxSize: f.MaxSize}}
			if s.pool == nil {
				file = readBlob(s.repo, f, p, e.ID)
			}
			if err := fn(file); err != nil {
				return err
			}
		case git.KindSymlink, git.KindSubmodule:
			// Symlinks hold a target path, not code; submodules
			// (gitlinks) are commits of another repository. Offered
			// to be counted, not read.
			if f.skip(p, false) {
				continue
			}
			special := "symlink"
			if e.Kind == git.KindSubmodule {
				special = "submodule"
			}
			if err := fn(File{Path: p, Special: special}); err != nil {
				return err
			}
		}
	}
	return nil
}

// readBlob reads the blob at path now, unless it is larger than the
// filter allows; an unreadable blob is a File with Err set.
func readBlob(repo *git.Repo, f *Filter, path string, id git.Hash) File {
	file := File{Path: path, BlobID: id.String()}
	b, err := repo.ReadBlob(id, f.MaxSize)
	if err != nil {
		file.Err = fmt.Errorf("%w (%s)", err, path)
		return file
	}
	file.Size, file.Data, file.Oversize = b.Size, b.Data, b.Oversize
	return file
}
