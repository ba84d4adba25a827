package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// walkAlone is how many commits FirstParents reads with go-git before it
// asks git for the rest: a push's few commits are read before git would
// have started, a history's thousands by git, in a process of its own.
// Read by go-git, ten thousand commits took 100 ms before anything else
// could start, and kept 40 MB of the heap: go-git's object cache held
// their objects, and each commit its signature.
const walkAlone = 64

// gitFirstParents returns the commits from from (inclusive) back along
// first parents to stop (exclusive), newest first, as git rev-list and
// cat-file read them; found is false when stop is not among them. The
// commits do not hold go-git's objects (Commit.c is nil).
func (r *Repo) gitFirstParents(ctx context.Context, from Hash, stop string) ([]*Commit, bool, error) {
	ids, found, err := r.revList(ctx, from, stop)
	if err != nil || len(ids) == 0 {
		return nil, found, err
	}
	b, err := startBatch(ctx, r.loc.GitDir, ids)
	if err != nil {
		return nil, false, err
	}
	defer b.close()
	commits := make([]*Commit, 0, len(ids))
	for _, id := range ids {
		raw, ok, err := b.nextOf(id, "commit", 0)
		if err == nil && !ok {
			err = plumbing.ErrObjectNotFound
		}
		if err != nil {
			return nil, false, fmt.Errorf("read commit %s: %w", id, err)
		}
		var c object.Commit
		if err := c.Decode(&rawCommit{id: id, data: raw.Data}); err != nil {
			return nil, false, fmt.Errorf("read commit %s: %w", id, err)
		}
		commit := newCommit(&c)
		commit.c = nil
		commits = append(commits, commit)
	}
	return commits, found, nil
}

// revList lists the first-parent line from from (inclusive), newest
// first, up to stop (exclusive) or the root.
func (r *Repo) revList(ctx context.Context, from Hash, stop string) (ids []Hash, found bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "--git-dir", r.loc.GitDir, "rev-list", "--first-parent", from.String())
	cmd.Env = batchEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, false, fmt.Errorf("git rev-list: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, false, fmt.Errorf("git rev-list: %w", err)
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		line := lines.Text()
		if line == stop {
			found = true
			break
		}
		id := ParseHash(line)
		if id.IsZero() || id.String() != line {
			cancel()
			_ = cmd.Wait()
			return nil, false, fmt.Errorf("git rev-list: unexpected line %q", line)
		}
		ids = append(ids, id)
	}
	if found {
		// The rest of the history is not wanted.
		cancel()
		_ = cmd.Wait()
		return ids, true, nil
	}
	if err := lines.Err(); err != nil {
		cancel()
		_ = cmd.Wait()
		return nil, false, fmt.Errorf("git rev-list: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return nil, false, fmt.Errorf("git rev-list %s: %w: %s", from, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return ids, false, nil
}

// grafted reports a repository with an info/grafts file, whose parents
// git reads from it and go-git from the commits: its history is read
// with go-git alone.
func (r *Repo) grafted() bool {
	_, err := os.Stat(filepath.Join(r.loc.CommonDir, "info", "grafts"))
	return !errors.Is(err, os.ErrNotExist)
}

// rawCommit is a commit object as git cat-file gave it, for go-git to
// decode, with the id git gave: go-git would hash it again.
type rawCommit struct {
	id   Hash
	data []byte
}

func (o *rawCommit) Hash() plumbing.Hash         { return plumbing.Hash(o.id) }
func (o *rawCommit) Type() plumbing.ObjectType   { return plumbing.CommitObject }
func (o *rawCommit) SetType(plumbing.ObjectType) {}
func (o *rawCommit) Size() int64                 { return int64(len(o.data)) }
func (o *rawCommit) SetSize(int64)               {}
func (o *rawCommit) Reader() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.data)), nil
}
func (o *rawCommit) Writer() (io.WriteCloser, error) { return nil, errors.New("read-only object") }
