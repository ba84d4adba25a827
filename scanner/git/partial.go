package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// ErrMissingObject is returned (wrapped) for an object a partial clone
// does not have and could not fetch from its promisor remote.
var ErrMissingObject = errors.New("object missing from a partial clone")

// Promisor returns the remote a partial clone (git clone --filter) fetches
// its missing objects from: extensions.partialClone, or the first remote
// with promisor = true. ok is false for a repository that is not a
// partial clone, where a missing object is lost, not promised.
func (r *Repo) Promisor() (remote string, ok bool) {
	cfg, err := r.r.Config()
	if err != nil {
		return "", false
	}
	if name := cfg.Raw.Section("extensions").Option("partialClone"); name != "" {
		return name, true
	}
	for _, s := range cfg.Raw.Section("remote").Subsections {
		if strings.EqualFold(s.Option("promisor"), "true") {
			return s.Name, true
		}
	}
	return "", false
}

// Prefetch makes sure a partial clone has the objects ids names, fetching
// those it lacks from its promisor remote in one request, as git's lazy
// fetch does for a batch; go-git knows nothing of promised objects, and
// would take each for a missing one. In a repository that is not a partial
// clone it does nothing: a missing object is then an error for whoever
// reads it.
func (r *Repo) Prefetch(ctx context.Context, ids []Hash) error {
	remote, ok := r.Promisor()
	if !ok {
		return nil
	}
	var missing []string
	seen := map[Hash]bool{}
	for _, id := range ids {
		if seen[id] || id.IsZero() {
			continue
		}
		seen[id] = true
		if errors.Is(r.r.Storer.HasEncodedObject(plumbing.Hash(id)), plumbing.ErrObjectNotFound) {
			missing = append(missing, id.String())
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return r.fetchPromised(ctx, remote, missing)
}

// fetchPromised fetches objects from the promisor remote with the options
// git's own lazy fetch uses (promisor-remote.c): no negotiation, no tags,
// no FETCH_HEAD, and the clone's filter, so that a tree brings its subtrees
// and not their blobs. Then it reopens the repository, to see the new pack.
func (r *Repo) fetchPromised(ctx context.Context, remote string, ids []string) error {
	cmd := exec.CommandContext(ctx, "git", "-C", r.loc.GitDir,
		"-c", "fetch.negotiationAlgorithm=noop",
		"fetch", remote, "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no",
		"--filter=blob:none", "--stdin")
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := strings.TrimSpace(string(out))
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return fmt.Errorf("%w: fetch %d objects (first %s) from promisor remote %q: %s: %v; run flagscan where that remote can be reached, or on a full clone", ErrMissingObject, len(ids), ids[0], remote, msg, err)
	}
	return r.Reopen()
}

// promised fetches one missing object of a partial clone, for a reader
// that found it missing: false when the repository is not a partial clone.
func (r *Repo) promised(id Hash) (bool, error) {
	remote, ok := r.Promisor()
	if !ok {
		return false, nil
	}
	return true, r.fetchPromised(context.Background(), remote, []string{id.String()})
}
