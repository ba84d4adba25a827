package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Hash is an object id.
type Hash [20]byte

// ParseHash parses a full hex id; anything else gives the zero Hash.
func ParseHash(s string) Hash { return Hash(plumbing.NewHash(s)) }

// String returns the hex id.
func (h Hash) String() string { return plumbing.Hash(h).String() }

// IsZero reports the zero Hash: no object (the empty tree, in a Differ).
func (h Hash) IsZero() bool { return h == Hash{} }

// ZeroID is the id git gives a ref that does not exist, in ref updates.
const ZeroID = "0000000000000000000000000000000000000000"

// IsZeroID reports whether id is all zeros: git's "no commit".
func IsZeroID(id string) bool { return strings.Trim(id, "0") == "" }

// Signature is who made a commit, and when.
type Signature struct {
	Name, Email string
	When        time.Time
}

// Commit is a commit object.
type Commit struct {
	ID        Hash
	Tree      Hash
	Parents   []Hash
	Author    Signature
	Committer Signature
	Message   string

	c *object.Commit // nil for most commits of a long FirstParents: see Repo.object
}

func newCommit(c *object.Commit) *Commit {
	parents := make([]Hash, len(c.ParentHashes))
	for i, p := range c.ParentHashes {
		parents[i] = Hash(p)
	}
	return &Commit{
		ID: Hash(c.Hash), Tree: Hash(c.TreeHash), Parents: parents,
		Author:    Signature{Name: c.Author.Name, Email: c.Author.Email, When: c.Author.When},
		Committer: Signature{Name: c.Committer.Name, Email: c.Committer.Email, When: c.Committer.When},
		Message:   c.Message,
		c:         c,
	}
}

// FirstParent returns the id of the first parent, "" for a root commit.
func (c *Commit) FirstParent() string {
	if len(c.Parents) == 0 {
		return ""
	}
	return c.Parents[0].String()
}

// ErrShallow is returned (wrapped) for a walk that needs history a
// shallow clone does not have.
var ErrShallow = errors.New("shallow clone")

// IsShallowBoundary reports whether commit is where a shallow clone was
// cut: listed in its shallow file, its parents missing.
func (r *Repo) IsShallowBoundary(commit Hash) bool {
	data, err := os.ReadFile(filepath.Join(r.loc.CommonDir, "shallow"))
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(data)) {
		if strings.TrimSpace(line) == commit.String() {
			return true
		}
	}
	return false
}

// Commit reads the commit id names (full hex).
func (r *Repo) Commit(id string) (*Commit, error) {
	c, err := r.r.CommitObject(plumbing.NewHash(id))
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", id, err)
	}
	return newCommit(c), nil
}

// HasCommit reports whether the repository has the commit id.
func (r *Repo) HasCommit(id string) bool {
	_, err := r.r.CommitObject(plumbing.NewHash(id))
	return err == nil
}

// TreeOf returns the tree id of a commit, or the zero Hash for "" and the
// zero commit id (the empty tree before the first commit).
func (r *Repo) TreeOf(commit string) (Hash, error) {
	if commit == "" || IsZeroID(commit) {
		return Hash{}, nil
	}
	c, err := r.Commit(commit)
	if err != nil {
		return Hash{}, err
	}
	return c.Tree, nil
}

// FirstParents returns the commits from stop (exclusive) to tip
// (inclusive) along first parents, oldest first. found is false when stop
// is not on tip's first-parent line; the list then runs to the root
// commit. A zero or empty stop walks to the root.
func (r *Repo) FirstParents(ctx context.Context, tip *Commit, stop string) (commits []*Commit, found bool, err error) {
	c, err := r.object(tip)
	if err != nil {
		return nil, false, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		if c.Hash.String() == stop {
			found = true
			break
		}
		commits = append(commits, newCommit(c))
		if c.NumParents() == 0 {
			break
		}
		if len(commits) == walkAlone && r.batch && !r.grafted() {
			rest, ok, err := r.gitFirstParents(ctx, Hash(c.ParentHashes[0]), stop)
			if err != nil {
				return nil, false, err
			}
			commits, found = append(commits, rest...), ok
			if last := commits[len(commits)-1]; !found && len(last.Parents) > 0 {
				// git stops where a shallow clone was cut, as if at the root.
				return nil, false, r.missingParent(last.ID, plumbing.ErrObjectNotFound)
			}
			break
		}
		if c, err = c.Parent(0); err != nil {
			return nil, false, r.missingParent(commits[len(commits)-1].ID, err)
		}
	}
	for i, j := 0, len(commits)-1; i < j; i, j = i+1, j-1 {
		commits[i], commits[j] = commits[j], commits[i]
	}
	return commits, found, nil
}

// missingParent is the error of a walk that could not read the first
// parent of commit id.
func (r *Repo) missingParent(id Hash, err error) error {
	if r.IsShallowBoundary(id) {
		return fmt.Errorf("%w: the history before commit %s is missing (where the clone was cut); fetch it (git fetch --deepen=N, or --unshallow), or start after it", ErrShallow, id)
	}
	return fmt.Errorf("read first parent of %s: %w", id, err)
}

// object returns go-git's object of c, which FirstParents does not keep
// for a long history.
func (r *Repo) object(c *Commit) (*object.Commit, error) {
	if c.c != nil {
		return c.c, nil
	}
	o, err := r.r.CommitObject(plumbing.Hash(c.ID))
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", c.ID, err)
	}
	return o, nil
}

// IsAncestor reports whether a is an ancestor of (or equal to) b.
func (r *Repo) IsAncestor(a, b string) (bool, error) {
	if a == b {
		return true, nil
	}
	ca, err := r.Commit(a)
	if err != nil {
		return false, err
	}
	cb, err := r.Commit(b)
	if err != nil {
		return false, err
	}
	return ca.c.IsAncestor(cb.c)
}

// MergeBase returns a best common ancestor of commit id and tip, "" when
// they share no history.
func (r *Repo) MergeBase(id string, tip *Commit) (string, error) {
	c, err := r.Commit(id)
	if err != nil {
		return "", err
	}
	t, err := r.object(tip)
	if err != nil {
		return "", err
	}
	bases, err := c.c.MergeBase(t)
	if err != nil || len(bases) == 0 {
		return "", err
	}
	return bases[0].Hash.String(), nil
}

// ForkPoint returns the commit a new ref branches off: the nearest
// first-parent ancestor of tip that another branch or tag also reaches
// (their merge base), or "" when no other ref shares history with it.
func (r *Repo) ForkPoint(tip *Commit, ref string) (string, error) {
	refs, err := r.hashRefs()
	if err != nil {
		return "", err
	}
	t, err := r.object(tip)
	if err != nil {
		return "", err
	}
	var best *object.Commit
	for _, rf := range refs {
		if rf.Name().String() == ref || !rf.Name().IsBranch() && !rf.Name().IsTag() {
			continue
		}
		other, err := r.r.CommitObject(rf.Hash())
		if err != nil {
			continue // an annotated tag or a ref to a missing object: not a base
		}
		bases, err := t.MergeBase(other)
		if err != nil || len(bases) == 0 {
			continue
		}
		if best == nil || bases[0].Committer.When.After(best.Committer.When) {
			best = bases[0]
		}
	}
	if best == nil {
		return "", nil
	}
	return best.Hash.String(), nil
}

// LastCommitBefore returns the last commit on head's first-parent line
// committed at or before cutoff, or ZeroID (the empty tree) when the whole
// line is younger.
func (r *Repo) LastCommitBefore(ctx context.Context, head Hash, cutoff time.Time) (string, error) {
	c, err := r.r.CommitObject(plumbing.Hash(head))
	for err == nil {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if !c.Committer.When.After(cutoff) {
			return c.Hash.String(), nil
		}
		if c.NumParents() == 0 {
			return ZeroID, nil
		}
		c, err = c.Parent(0)
	}
	return "", err
}
