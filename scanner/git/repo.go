package git

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// Repo is an opened repository. It is not safe for concurrent use.
type Repo struct {
	loc  Location
	r    *gogit.Repository
	open func(cache.Object) (*gogit.Repository, error) // opens another handle on the same stores
	// batch is set when git is on the PATH and reads the same objects
	// as go-git: ReadBlobs then reads through git cat-file.
	batch bool
}

// Open opens the repository of dir (see Discover), with the object stores
// of its alternates. go-git on its own resolves an absolute alternates path
// inside the git dir, where it is not found, and so sees no object of a
// `git clone --shared` or `--reference` clone.
func Open(dir string) (*Repo, error) {
	loc, err := Discover(dir)
	if err != nil {
		return nil, err
	}
	if err := checkFormat(loc.CommonDir); err != nil {
		return nil, err
	}
	open := func(objects cache.Object) (*gogit.Repository, error) { return openAt(loc, objects) }
	r, err := open(cache.NewObjectLRUDefault())
	if err != nil {
		return nil, err
	}
	_, lookErr := exec.LookPath("git")
	return &Repo{loc: loc, r: r, open: open, batch: lookErr == nil}, nil
}

// Location returns where the repository is.
func (r *Repo) Location() Location { return r.loc }

// Reopen opens the repository again, to see packs a fetch brought: go-git
// lists them once.
func (r *Repo) Reopen() error {
	nr, err := r.open(cache.NewObjectLRUDefault())
	if err != nil {
		return fmt.Errorf("open repository %s: %w", r.loc.GitDir, err)
	}
	r.r = nr
	return nil
}

// storageOptions are go-git's object store settings. KeepDescriptors:
// without it go-git reopens (and re-resolves the path of) the packfile for
// every object it reads.
//
// LargeObjectThreshold stays unset: over it, go-git reads a deltified
// object with its streaming delta reader, which copies from the wrong
// place of the base when a delta copies forward, back, then forward past
// where it had been (it does not reset its position when it rereads the
// base). Received and fetched packs are full of such deltas: a directory
// of over 1,100 files, whose tree is over 64 KiB, then reads as
// "malformed tree", and a big file as wrong bytes. Without the threshold
// go-git still hands out packed objects over 16 KiB unread, with their
// size from the pack; ReadBlob checks the size of the others before
// reading them (see readBlob).
func storageOptions() filesystem.Options {
	return filesystem.Options{KeepDescriptors: true}
}

// repoFilesystem returns the files of a repository (HEAD, refs, config,
// objects) as go-git reads them: a linked worktree's own HEAD and index,
// and objects and most refs from the common dir.
func repoFilesystem(loc Location) billy.Filesystem {
	var fsys billy.Filesystem = osfs.New(loc.GitDir)
	if loc.CommonDir != loc.GitDir {
		fsys = dotgit.NewRepositoryFilesystem(fsys, osfs.New(loc.CommonDir))
	}
	return fsys
}

// openAt opens the repository at loc with the given object cache.
func openAt(loc Location, objects cache.Object) (*gogit.Repository, error) {
	st := filesystem.NewStorageWithOptions(repoFilesystem(loc), objects, storageOptions())
	alts, err := alternateStores(filepath.Join(loc.CommonDir, "objects"), objects, map[string]bool{}, 0)
	if err != nil {
		return nil, err
	}
	if len(alts) == 0 {
		return gogit.Open(st, nil)
	}
	return gogit.Open(&altStorage{Storage: st, alts: alts}, nil)
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

// minAbbrev is the shortest abbreviated object name git accepts.
const minAbbrev = 4

// ResolveRevision resolves rev to a commit as `git rev-parse` would, as
// far as go-git resolves it: a full or abbreviated (4+ digits) commit id, a
// branch, a tag (annotated tags are peeled to their commit), HEAD, and ~N
// / ^N suffixes such as HEAD~3 or main^2. "" means HEAD. Like git, a ref
// whose name looks like hex wins over an abbreviated id. Reflog selectors
// (@{...}) and rev:path are refused, since go-git would silently ignore
// them and name the wrong commit.
func (r *Repo) ResolveRevision(rev string) (Hash, error) {
	if rev == "" {
		rev = "HEAD"
	}
	if strings.Contains(rev, "@{") || strings.Contains(rev, ":") {
		return Hash{}, errors.New("reflog selectors and rev:path are not supported")
	}
	// go-git tries an abbreviated id before a ref of the same name; git
	// does the opposite ("cafe" is the branch cafe if there is one), and
	// git wants at least minAbbrev digits, where go-git takes even one.
	name, rest := rev, ""
	if i := strings.IndexAny(rev, "~^"); i >= 0 {
		name, rest = rev[:i], rev[i:]
	}
	if isHex(name) && len(name) < 2*len(plumbing.ZeroHash) {
		if ref, err := r.expandRef(name); err == nil {
			rev = ref.Hash().String() + rest
		} else if len(name) < minAbbrev {
			return Hash{}, plumbing.ErrReferenceNotFound
		}
	}
	hash, err := r.r.ResolveRevision(plumbing.Revision(rev))
	if errors.Is(err, io.EOF) {
		// go-git's word for walking off the first commit with ~N or ^N.
		return Hash{}, errors.New("no such ancestor commit")
	}
	if err != nil {
		return Hash{}, err
	}
	return Hash(*hash), nil
}

// expandRef finds the ref name stands for, by git's rules (name, refs/name,
// refs/tags/name, refs/heads/name, ...).
func (r *Repo) expandRef(name string) (*plumbing.Reference, error) {
	for _, rule := range plumbing.RefRevParseRules {
		if ref, err := r.r.Reference(plumbing.ReferenceName(fmt.Sprintf(rule, name)), true); err == nil {
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
