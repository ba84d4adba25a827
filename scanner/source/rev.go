package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// minAbbrev is the shortest abbreviated object name git accepts.
const minAbbrev = 4

// RevSource is the Source returned by Rev: the tree of one commit, read from
// the object store without a checkout.
//
// It is safe for concurrent use, but walks run one at a time because go-git
// is not safe for concurrent use, not even for reads; so fn must not start
// another Walk of the same source.
type RevSource struct {
	mu     sync.Mutex // serializes all use of repo
	repo   *git.Repository
	commit plumbing.Hash
	tree   plumbing.Hash

	// readers are go-git handles on the same repository for reading blobs
	// from the consumer's goroutines, one handle per goroutine at a time:
	// inflating blobs is most of the work of a walk, and go-git is not
	// safe for concurrent use. open makes another; nil reads every blob
	// in the walking goroutine instead.
	open    func() (*git.Repository, error)
	readMu  sync.Mutex
	readers []*git.Repository
}

// Rev returns a Source over the tree of the commit rev names in the
// repository at repoDir, which may be a work tree (or a directory inside
// one), its .git directory, or a bare repository.
//
// rev is what `git rev-parse` takes, as far as go-git resolves it: a full or
// abbreviated (4+ digits) commit id, a branch, a tag (annotated tags are
// peeled to their commit), HEAD, and ~N / ^N suffixes such as HEAD~3 or
// main^2. "" means HEAD. Like git, a ref whose name looks like hex wins over
// an abbreviated id. Reflog selectors (@{...}) and rev:path are refused,
// since go-git would silently ignore them and name the wrong commit.
//
// The dynamic type of the Source is *RevSource, for Commit.
func Rev(repoDir, rev string) (Source, error) {
	repo, err := openRepo(repoDir)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", repoDir, err)
	}
	if rev == "" {
		rev = "HEAD"
	}
	hash, err := resolveRevision(repo, rev)
	if err != nil {
		return nil, fmt.Errorf("resolve revision %s: %w", rev, err)
	}
	commit, err := repo.CommitObject(hash)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", hash, err)
	}
	// The readers share one object cache (go-git's is safe for concurrent
	// use): most blobs of a packed repository are deltas, and a base one
	// reader inflated serves the others.
	shared := cache.NewObjectLRU(readerCache)
	open := func() (*git.Repository, error) { return openRepoCache(repoDir, shared) }
	return &RevSource{repo: repo, commit: hash, tree: commit.TreeHash, open: open}, nil
}

// readerCache bounds the object cache of the blob readers: it mostly keeps
// the delta bases of the blobs they inflate.
const readerCache = 64 * cache.MiByte

// reader returns a handle for one goroutine's reads, opening one when all
// are in use; release gives it back.
func (s *RevSource) reader() (*git.Repository, error) {
	s.readMu.Lock()
	if n := len(s.readers); n > 0 {
		r := s.readers[n-1]
		s.readers = s.readers[:n-1]
		s.readMu.Unlock()
		return r, nil
	}
	s.readMu.Unlock()
	return s.open()
}

func (s *RevSource) release(r *git.Repository) {
	s.readMu.Lock()
	s.readers = append(s.readers, r)
	s.readMu.Unlock()
}

// lazyBlob is a blob a File reads when asked for its content.
type lazyBlob struct {
	src     *RevSource
	id      plumbing.Hash
	maxSize int64
}

// content reads the blob with a handle of its own.
func (b *lazyBlob) content(path string) ([]byte, error) {
	r, err := b.src.reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s (%s): %w", b.id, path, err)
	}
	defer b.src.release(r)
	f, err := (&RevSource{repo: r}).readBlob(&Filter{MaxSize: b.maxSize}, path, b.id)
	if err != nil {
		return nil, err
	}
	if f.Oversize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", path, f.Size, ErrOversize)
	}
	return f.Data, nil
}

// Commit returns the full hex id of the commit whose tree the source walks.
func (s *RevSource) Commit() string {
	return s.commit.String()
}

// storageOptions are go-git's object store settings. KeepDescriptors:
// without it go-git reopens (and re-resolves the path of) the packfile for
// every object it reads. LargeObjectThreshold: objects over it are handed
// out without their content being read, so that a blob's size can be
// checked before it is inflated.
func storageOptions() filesystem.Options {
	return filesystem.Options{KeepDescriptors: true, LargeObjectThreshold: 64 << 10}
}

// openRepo opens the repository at repoDir. It finds the git dir itself
// rather than with git.PlainOpen so that it can hand go-git an object store
// that understands alternates (see altStorage).
func openRepo(repoDir string) (*git.Repository, error) {
	return openRepoCache(repoDir, cache.NewObjectLRUDefault())
}

// openRepoCache is openRepo with the given object cache.
func openRepoCache(repoDir string, objects cache.Object) (*git.Repository, error) {
	gitDir, err := findGitDir(repoDir)
	if err != nil {
		return nil, err
	}
	common := commonDir(gitDir)
	var fsys billy.Filesystem = osfs.New(gitDir)
	if common != gitDir {
		// A linked worktree: HEAD and the index are its own, objects
		// and most refs are in the common dir.
		fsys = dotgit.NewRepositoryFilesystem(fsys, osfs.New(common))
	}
	st := filesystem.NewStorageWithOptions(fsys, objects, storageOptions())
	alts, err := alternateStores(filepath.Join(common, "objects"), objects, map[string]bool{}, 0)
	if err != nil {
		return nil, err
	}
	if len(alts) == 0 {
		return git.Open(st, nil)
	}
	return git.Open(&altStorage{Storage: st, alts: alts}, nil)
}

// findGitDir returns the git dir of repoDir: that of the work tree it is the
// top of, repoDir itself if it is a git dir (bare, or a .git), or else that
// of the work tree it lies in.
func findGitDir(repoDir string) (string, error) {
	abs, err := filepath.Abs(repoDir)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", unwrapPathError(err)
	}
	if !fi.IsDir() {
		return "", errors.New("not a directory")
	}
	if gd, ok := gitDirAt(abs); ok {
		return gd, nil
	}
	if isGitDir(abs) {
		return abs, nil
	}
	if _, gd, ok := findRepo(abs); ok {
		return gd, nil
	}
	return "", git.ErrRepositoryNotExists
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

// maxAlternateDepth is how deep git follows alternates of alternates.
const maxAlternateDepth = 5

// alternateStores opens the object stores listed in objectsDir's
// info/alternates, and theirs in turn, in the order git searches them.
// Relative entries are relative to objectsDir, as in git.
func alternateStores(objectsDir string, c cache.Object, seen map[string]bool, depth int) ([]*filesystem.ObjectStorage, error) {
	if depth >= maxAlternateDepth {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(objectsDir, "info", "alternates"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read alternates: %w", err)
	}
	var stores []*filesystem.ObjectStorage
	for line := range strings.Lines(string(data)) {
		dir := strings.TrimSpace(line)
		if dir == "" || strings.HasPrefix(dir, "#") {
			continue
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(objectsDir, dir)
		}
		dir = filepath.Clean(dir)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("alternate object directory %s (listed in %s): missing or not a directory", dir, objectsDir)
		}
		if filepath.Base(dir) != "objects" {
			// go-git's DotGit insists on a directory named objects.
			return nil, fmt.Errorf("alternate object directory %s: only directories named \"objects\" are supported", dir)
		}
		stores = append(stores, filesystem.NewObjectStorageWithOptions(dotgit.New(osfs.New(filepath.Dir(dir))), c, storageOptions()))
		more, err := alternateStores(dir, c, seen, depth+1)
		if err != nil {
			return nil, err
		}
		stores = append(stores, more...)
	}
	return stores, nil
}

// altStorage adds alternate object stores to a repository's storage.
// go-git resolves an absolute alternates path inside the chroot of the git
// dir, where it is not found, and strips the ".." off relative ones, so on
// its own it finds no object of a `git clone --shared` or `--reference`
// clone, nor of a fork that shares a pool repository.
type altStorage struct {
	*filesystem.Storage
	alts []*filesystem.ObjectStorage
}

// EncodedObject implements storer.EncodedObjectStorer.
func (s *altStorage) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	obj, err := s.Storage.EncodedObject(t, h)
	for _, alt := range s.alts {
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			break
		}
		obj, err = alt.EncodedObject(t, h)
	}
	return obj, err
}

// EncodedObjectSize implements storer.EncodedObjectStorer.
func (s *altStorage) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	size, err := s.Storage.EncodedObjectSize(h)
	for _, alt := range s.alts {
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			break
		}
		size, err = alt.EncodedObjectSize(h)
	}
	return size, err
}

// HasEncodedObject implements storer.EncodedObjectStorer.
func (s *altStorage) HasEncodedObject(h plumbing.Hash) error {
	err := s.Storage.HasEncodedObject(h)
	for _, alt := range s.alts {
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			break
		}
		err = alt.HasEncodedObject(h)
	}
	return err
}

// HashesWithPrefix is what go-git's ResolveRevision uses to expand an
// abbreviated object id; without it here, it would only see the main store.
func (s *altStorage) HashesWithPrefix(prefix []byte) ([]plumbing.Hash, error) {
	hashes, err := s.Storage.HashesWithPrefix(prefix)
	if err != nil {
		return nil, err
	}
	for _, alt := range s.alts {
		more, err := alt.HashesWithPrefix(prefix)
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, more...)
	}
	slices.SortFunc(hashes, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(hashes), nil
}

// resolveRevision resolves rev to a commit, working around the places where
// go-git's ResolveRevision would quietly answer differently from git.
func resolveRevision(repo *git.Repository, rev string) (plumbing.Hash, error) {
	if strings.Contains(rev, "@{") || strings.Contains(rev, ":") {
		return plumbing.ZeroHash, errors.New("reflog selectors and rev:path are not supported")
	}
	// go-git tries an abbreviated id before a ref of the same name; git
	// does the opposite ("cafe" is the branch cafe if there is one), and
	// git wants at least minAbbrev digits, where go-git takes even one.
	name, rest := rev, ""
	if i := strings.IndexAny(rev, "~^"); i >= 0 {
		name, rest = rev[:i], rev[i:]
	}
	if isHex(name) && len(name) < 2*len(plumbing.ZeroHash) {
		if ref, err := expandRef(repo, name); err == nil {
			rev = ref.Hash().String() + rest
		} else if len(name) < minAbbrev {
			return plumbing.ZeroHash, plumbing.ErrReferenceNotFound
		}
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if errors.Is(err, io.EOF) {
		// go-git's word for walking off the first commit with ~N or ^N.
		return plumbing.ZeroHash, errors.New("no such ancestor commit")
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return *hash, nil
}

// expandRef finds the ref name stands for, by git's rules (name, refs/name,
// refs/tags/name, refs/heads/name, ...).
func expandRef(repo *git.Repository, name string) (*plumbing.Reference, error) {
	for _, rule := range plumbing.RefRevParseRules {
		if ref, err := repo.Reference(plumbing.ReferenceName(fmt.Sprintf(rule, name)), true); err == nil {
			return ref, nil
		}
	}
	return nil, plumbing.ErrReferenceNotFound
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Walk implements Source. Trees are read here, in the caller's goroutine;
// blobs are read by File.Content, from the consumer's goroutines, each with
// a go-git handle of its own, so that inflating them runs on every core.
func (s *RevSource) Walk(ctx context.Context, f Filter, fn func(File) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tree, err := object.GetTree(s.repo.Storer, s.tree)
	if err != nil {
		return fmt.Errorf("read tree %s of commit %s: %w", s.tree, s.commit, err)
	}
	return s.walkTree(ctx, &f, fn, tree, "")
}

// walkTree walks tree, found at dir. It recurses by hand rather than with
// object.TreeWalker so that skipped directories are never even decoded.
func (s *RevSource) walkTree(ctx context.Context, f *Filter, fn func(File) error, tree *object.Tree, dir string) error {
	for _, e := range tree.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := joinPath(dir, e.Name)
		switch e.Mode {
		case filemode.Dir:
			if f.skip(p, true) {
				continue
			}
			sub, err := object.GetTree(s.repo.Storer, e.Hash)
			if err != nil {
				// A corrupt or missing tree loses its subtree, not the
				// scan: it is offered as a file that cannot be read.
				if err := fn(File{Path: p, Err: fmt.Errorf("read tree %s (%s): %w", e.Hash, p, err)}); err != nil {
					return err
				}
				continue
			}
			if err := s.walkTree(ctx, f, fn, sub, p); err != nil {
				return err
			}
		case filemode.Regular, filemode.Executable, filemode.Deprecated:
			if f.skip(p, false) || !f.want(p) {
				continue
			}
			file := File{Path: p, BlobID: e.Hash.String(), lazy: &lazyBlob{src: s, id: e.Hash, maxSize: f.MaxSize}}
			if s.open == nil {
				var err error
				if file, err = s.readBlob(f, p, e.Hash); err != nil {
					file.Err = err // reported for this file; the walk goes on
				}
			}
			if err := fn(file); err != nil {
				return err
			}
		default:
			// Symlinks hold a target path, not code; submodules
			// (gitlinks) are commits of another repository.
		}
	}
	return nil
}

// readBlob reads the blob at path, unless it is larger than the filter
// allows.
func (s *RevSource) readBlob(f *Filter, path string, id plumbing.Hash) (File, error) {
	file := File{Path: path, BlobID: id.String()}
	// Objects over the LargeObjectThreshold are not inflated by EncodedObject (see
	// openRepo): their size comes from the object or delta header, so an
	// oversize blob is never inflated just to be dropped. Asking for the
	// size first would cost a failed open of a loose object per blob.
	obj, err := s.repo.Storer.EncodedObject(plumbing.BlobObject, id)
	if err != nil {
		return file, fmt.Errorf("read blob %s (%s): %w", id, path, err)
	}
	file.Size = obj.Size()
	if f.oversize(file.Size) {
		file.Oversize = true
		return file, nil
	}
	r, err := obj.Reader()
	if err != nil {
		return file, fmt.Errorf("read blob %s (%s): %w", id, path, err)
	}
	defer r.Close()
	// A fresh slice per file: the consumer may hold on to it, and go-git's
	// object cache must not be shared with other goroutines.
	data := make([]byte, file.Size)
	if _, err := io.ReadFull(r, data); err != nil {
		return file, fmt.Errorf("read blob %s (%s): %w", id, path, err)
	}
	file.Data = data
	return file, nil
}
