package git

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// Ref is a ref that points at an object.
type Ref struct {
	Name string // full name: refs/heads/main
	Hash Hash
}

// DefaultBranch returns the branch HEAD names, "" when HEAD is detached.
func (r *Repo) DefaultBranch() string {
	head, err := r.r.Reference(plumbing.HEAD, false)
	if err != nil || head.Type() != plumbing.SymbolicReference || !head.Target().IsBranch() {
		return ""
	}
	return head.Target().Short()
}

// SymbolicTarget returns the full name of the ref that the symbolic ref
// name points at (refs/remotes/origin/HEAD -> refs/remotes/origin/main).
func (r *Repo) SymbolicTarget(name string) (string, bool) {
	ref, err := r.r.Reference(plumbing.ReferenceName(name), false)
	if err != nil || ref.Type() != plumbing.SymbolicReference {
		return "", false
	}
	return ref.Target().String(), true
}

// Refs lists the refs under prefix (refs/heads/, refs/remotes/origin/)
// that point at an object, by name. Symbolic refs are left out.
func (r *Repo) Refs(prefix string) ([]Ref, error) {
	refs, err := r.hashRefs()
	if err != nil {
		return nil, err
	}
	var out []Ref
	for _, rf := range refs {
		if strings.HasPrefix(rf.Name().String(), prefix) {
			out = append(out, Ref{Name: rf.Name().String(), Hash: Hash(rf.Hash())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// hashRefs returns the refs that point at an object.
//
// go-git reads every file under refs/, the lock files of refs that git is
// writing at that moment too: a ref name cannot end in ".lock", so those
// are left out, and one that git has just created is empty, which go-git
// reports as an error for the whole list. Git holds such a lock for
// milliseconds: the list is read again, for up to refsRetry. A push to
// another branch of the repository in the same second made a
// post-receive hook fail this way.
func (r *Repo) hashRefs() ([]*plumbing.Reference, error) {
	var (
		deadline = time.Now().Add(refsRetry)
		wait     = 5 * time.Millisecond
	)
	for {
		refs, err := r.r.References()
		var out []*plumbing.Reference
		if err == nil {
			err = refs.ForEach(func(rf *plumbing.Reference) error {
				if rf.Type() == plumbing.HashReference && !strings.HasSuffix(rf.Name().String(), ".lock") {
					out = append(out, rf)
				}
				return nil
			})
		}
		if err == nil {
			return out, nil
		}
		if !errors.Is(err, dotgit.ErrEmptyRefFile) || time.Now().After(deadline) {
			return nil, fmt.Errorf("list refs of %s: %w", r.loc.GitDir, err)
		}
		time.Sleep(wait)
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// refsRetry is how long hashRefs reads the refs again while one of their
// files is empty.
const refsRetry = 2 * time.Second

// RefContains reports whether the ref points at commit or at a descendant
// of it. A missing ref or commit (a rejected push's objects are dropped
// with git's quarantine) is false.
func (r *Repo) RefContains(ref, commit string) (bool, error) {
	rf, err := r.r.Reference(plumbing.ReferenceName(ref), true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if rf.Hash().String() == commit {
		return true, nil
	}
	c, err := r.r.CommitObject(plumbing.NewHash(commit))
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	tip, err := r.r.CommitObject(rf.Hash())
	if err != nil {
		return false, err
	}
	return c.IsAncestor(tip)
}

// RemoteURL returns the first URL of the remote name, false when there is
// no such remote.
func (r *Repo) RemoteURL(name string) (string, bool) {
	rm, err := r.r.Remote(name)
	if err != nil || len(rm.Config().URLs) == 0 {
		return "", false
	}
	return rm.Config().URLs[0], true
}

// HooksDir returns the directory git runs the repository's hooks from:
// core.hooksPath when set (relative to the git directory), else hooks in
// the git directory.
func (r *Repo) HooksDir() string {
	dir := filepath.Join(r.loc.GitDir, "hooks")
	if cfg, err := r.r.Config(); err == nil {
		if p := cfg.Raw.Section("core").Option("hooksPath"); p != "" {
			if !filepath.IsAbs(p) {
				p = filepath.Join(r.loc.GitDir, p)
			}
			dir = p
		}
	}
	return dir
}
