package git

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/helper/mount"
	"github.com/go-git/go-billy/v5/helper/polyfill"
	"github.com/go-git/go-billy/v5/osfs"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// Environment variables git sets for the hooks of a push (pre-receive,
// update), naming where the pushed objects are until git accepts them.
const (
	// EnvObjectDirectory is where git writes new objects: in a
	// pre-receive hook, the quarantine directory.
	EnvObjectDirectory = "GIT_OBJECT_DIRECTORY"
	// EnvQuarantinePath names the quarantine directory (git 2.13+).
	EnvQuarantinePath = "GIT_QUARANTINE_PATH"
	// EnvAlternateObjectDirectories lists, separated by colons, more
	// object directories to read from: in a pre-receive hook, the
	// repository's own.
	EnvAlternateObjectDirectories = "GIT_ALTERNATE_OBJECT_DIRECTORIES"
)

// OpenQuarantined opens the repository at dir, as Open does, for
// a pre-receive hook: objects are read from git's quarantine directory
// first (GIT_OBJECT_DIRECTORY, else GIT_QUARANTINE_PATH, as getenv
// reports them), then from the repository's object store and its
// alternates, then from the directories GIT_ALTERNATE_OBJECT_DIRECTORIES
// lists that these did not already cover. Relative paths are relative to
// the current directory, as for git.
//
// go-git reads none of these variables on its own. Open in a
// pre-receive hook finds none of the objects of a push of
// receive.unpackLimit (100) objects or more, which arrive as a pack in the
// quarantine's pack directory; it finds loose ones only through go-git's
// guess of an "incoming" directory, which takes any of them when several
// pushes run at once.
//
// With neither variable set it is Open. A nil getenv reads the
// process environment. Refs and configuration are the repository's: the
// refs a push updates still point where they did.
func OpenQuarantined(dir string, getenv func(string) string) (*Repo, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	loc, err := Discover(dir)
	if err != nil {
		return nil, err
	}
	if err := checkFormat(loc.CommonDir); err != nil {
		return nil, err
	}
	common := loc.CommonDir
	mainObjects := filepath.Clean(filepath.Join(common, "objects"))
	quarantine := getenv(EnvObjectDirectory)
	if quarantine == "" {
		quarantine = getenv(EnvQuarantinePath)
	}
	if quarantine != "" {
		if quarantine, err = filepath.Abs(quarantine); err != nil {
			return nil, err
		}
		if sameDir(quarantine, mainObjects) {
			quarantine = ""
		}
	}
	extra, err := SplitAlternates(getenv(EnvAlternateObjectDirectories))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvAlternateObjectDirectories, err)
	}
	if quarantine == "" && len(extra) == 0 {
		return Open(dir)
	}
	if quarantine != "" {
		if fi, err := os.Stat(quarantine); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("quarantine object directory %s: missing or not a directory", quarantine)
		}
	}

	open := func(objects cache.Object) (*gogit.Repository, error) {
		return openQuarantined(loc, quarantine, extra, objects)
	}
	r, err := open(cache.NewObjectLRUDefault())
	if err != nil {
		return nil, err
	}
	return &Repo{loc: loc, r: r, open: open}, nil
}

// openQuarantined opens the repository at loc with the quarantine
// directory (absolute, "" for none) in place of its objects directory and
// the extra object directories as alternates.
func openQuarantined(loc Location, quarantine string, extra []string, objects cache.Object) (*gogit.Repository, error) {
	mainObjects := filepath.Clean(filepath.Join(loc.CommonDir, "objects"))
	// The repository's files (HEAD, refs, config) as Open reads them.
	fsys := repoFilesystem(loc)
	seen := map[string]bool{mainObjects: true}
	var alts []*filesystem.ObjectStorage
	if quarantine != "" {
		// The quarantine takes the place of the objects directory; the
		// main store becomes the first alternate.
		seen[quarantine] = true
		fsys = mountObjects(fsys, quarantine)
		alts = append(alts, objectStore(mainObjects, objects))
	}
	st := filesystem.NewStorageWithOptions(fsys, objects, storageOptions())
	more, err := alternateStores(mainObjects, objects, seen, 0)
	if err != nil {
		return nil, err
	}
	alts = append(alts, more...)
	for _, d := range extra {
		d, err := filepath.Abs(d)
		if err != nil {
			return nil, err
		}
		if seen[d] || (quarantine != "" && sameDir(d, quarantine)) || sameDir(d, mainObjects) {
			continue
		}
		seen[d] = true
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("alternate object directory %s (listed in %s): missing or not a directory", d, EnvAlternateObjectDirectories)
		}
		alts = append(alts, objectStore(d, objects))
		more, err := alternateStores(d, objects, seen, 0)
		if err != nil {
			return nil, err
		}
		alts = append(alts, more...)
	}
	if len(alts) == 0 {
		return gogit.Open(st, nil)
	}
	return gogit.Open(&altStorage{Storage: st, alts: alts}, nil)
}

// objectStore returns a store of the objects in dir, whatever dir's name.
func objectStore(dir string, c cache.Object) *filesystem.ObjectStorage {
	return filesystem.NewObjectStorageWithOptions(dotgit.New(mountObjects(osfs.New(dir), dir)), c, storageOptions())
}

// mountObjects returns fsys with the directory dir in place of its
// objects directory: go-git's DotGit reads objects from "objects" in the
// file system it is given. The result cannot Chroot or make temporary
// files, which reading objects never does.
func mountObjects(fsys billy.Filesystem, dir string) billy.Filesystem {
	return polyfill.New(mount.New(fsys, "objects", osfs.New(dir)))
}

// sameDir reports whether a and b name the same directory, following
// symbolic links; a path that does not exist is compared as written.
func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// SplitAlternates splits a GIT_ALTERNATE_OBJECT_DIRECTORIES value as git
// does: entries are separated by colons, empty ones are skipped, and an
// entry that starts with a double quote is a C-style quoted string (so
// that a path may hold a colon).
func SplitAlternates(v string) ([]string, error) {
	var out []string
	for v != "" {
		if v[0] == ':' {
			v = v[1:]
			continue
		}
		if v[0] != '"' {
			entry, rest, _ := strings.Cut(v, ":")
			out = append(out, entry)
			v = rest
			continue
		}
		end := closingQuote(v)
		if end < 0 {
			return nil, fmt.Errorf("unterminated quoted entry %s", v)
		}
		quoted := v[:end+1]
		entry, err := strconv.Unquote(quoted)
		if err != nil {
			return nil, fmt.Errorf("entry %s: invalid quoting", quoted)
		}
		out = append(out, entry)
		v = v[end+1:]
		if v != "" && v[0] != ':' {
			return nil, fmt.Errorf("entry %s: text after the closing quote", quoted)
		}
	}
	return out, nil
}

// closingQuote returns the index of the quote that ends the quoted string
// s starts with, or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}
