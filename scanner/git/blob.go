package git

import (
	"fmt"
	"io"
	"sync"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
)

// Blob is a blob's size and, unless it is over the size asked for, its
// content.
type Blob struct {
	Size int64
	// Data is nil when Oversize is set.
	Data []byte
	// Oversize reports a blob larger than the limit, not inflated.
	Oversize bool
}

// ReadBlob reads the blob id unless it is larger than maxSize (0: no
// limit).
func (r *Repo) ReadBlob(id Hash, maxSize int64) (Blob, error) {
	return readBlob(r.r, id, maxSize)
}

func readBlob(repo *gogit.Repository, id Hash, maxSize int64) (Blob, error) {
	// go-git inflates a loose object, and a packed one of up to 16 KiB,
	// when it is asked for it (see storageOptions), so the size is asked
	// first, from the object's header or the pack, for an oversize blob
	// never to be inflated just to be dropped. It costs a failed open of
	// a loose object per packed blob, not a read.
	if maxSize > 0 {
		size, err := repo.Storer.EncodedObjectSize(plumbing.Hash(id))
		if err != nil {
			return Blob{}, fmt.Errorf("read blob %s: %w", id, err)
		}
		if size > maxSize {
			return Blob{Size: size, Oversize: true}, nil
		}
	}
	obj, err := repo.Storer.EncodedObject(plumbing.BlobObject, plumbing.Hash(id))
	if err != nil {
		return Blob{}, fmt.Errorf("read blob %s: %w", id, err)
	}
	b := Blob{Size: obj.Size()}
	rd, err := obj.Reader()
	if err != nil {
		return b, fmt.Errorf("read blob %s: %w", id, err)
	}
	defer rd.Close()
	// A fresh slice per blob: the consumer may hold on to it, and go-git's
	// object cache must not be shared with other goroutines.
	b.Data = make([]byte, b.Size)
	if _, err := io.ReadFull(rd, b.Data); err != nil {
		return b, fmt.Errorf("read blob %s: %w", id, err)
	}
	return b, nil
}

// BlobPool reads blobs of one repository from many goroutines at once:
// inflating blobs is most of the work of a scan of a tree, and go-git is
// not safe for concurrent use, so each read borrows a handle of its own.
// The handles share one object cache (go-git's is safe for concurrent
// use): most blobs of a packed repository are deltas, and a base one
// handle inflated serves the others.
type BlobPool struct {
	open    func(cache.Object) (*gogit.Repository, error)
	shared  cache.Object
	mu      sync.Mutex
	handles []*gogit.Repository
}

// poolCache bounds the object cache of a BlobPool's handles: it mostly
// keeps the delta bases of the blobs they inflate.
const poolCache = 64 * cache.MiByte

// NewBlobPool returns a pool of handles on r's object stores.
func (r *Repo) NewBlobPool() *BlobPool {
	return &BlobPool{open: r.open, shared: cache.NewObjectLRU(poolCache)}
}

// ReadBlob reads a blob as Repo.ReadBlob does, with a handle of the pool.
func (p *BlobPool) ReadBlob(id Hash, maxSize int64) (Blob, error) {
	h, err := p.handle()
	if err != nil {
		return Blob{}, fmt.Errorf("read blob %s: %w", id, err)
	}
	defer p.release(h)
	return readBlob(h, id, maxSize)
}

func (p *BlobPool) handle() (*gogit.Repository, error) {
	p.mu.Lock()
	if n := len(p.handles); n > 0 {
		h := p.handles[n-1]
		p.handles = p.handles[:n-1]
		p.mu.Unlock()
		return h, nil
	}
	p.mu.Unlock()
	return p.open(p.shared)
}

func (p *BlobPool) release(h *gogit.Repository) {
	p.mu.Lock()
	p.handles = append(p.handles, h)
	p.mu.Unlock()
}
