package git

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// ReadBlobs reads the blobs ids, each unless it is larger than maxSize (0:
// no limit), and calls fn with each in order, with the error of a blob
// that could not be read. It stops at the first error fn returns.
//
// When git is on the PATH the blobs come from one `git cat-file --batch`
// process, which inflates and applies deltas several times faster than
// go-git (whose reads of a tree of a packed repository are most of the
// time of a scan of it), on a core of its own while the caller parses.
// go-git remains what decides: a blob git does not give (missing, not a
// blob, git failed or is absent) is read with go-git, and so are all
// after it once git has failed, so that errors are go-git's.
func (r *Repo) ReadBlobs(ctx context.Context, ids []Hash, maxSize int64, fn func(i int, b Blob, err error) error) error {
	i := 0
	if r.batch && len(ids) >= minBatch {
		b, err := startBatch(ctx, r.loc.GitDir, ids)
		if err == nil {
			i, err = b.read(ids, maxSize, func(i int, blob Blob, ok bool) error {
				if ok {
					return fn(i, blob, nil)
				}
				blob, err := readBlob(r.r, ids[i], maxSize)
				return fn(i, blob, err)
			})
			b.close()
			if err != nil {
				return err
			}
		}
	}
	for ; i < len(ids); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		blob, err := readBlob(r.r, ids[i], maxSize)
		if err := fn(i, blob, err); err != nil {
			return err
		}
	}
	return nil
}

// minBatch is the fewest blobs ReadBlobs starts git for: go-git reads a
// few blobs in less time than it takes to start a process.
const minBatch = 8

// StreamsBlobs reports whether ReadBlobs reads through git: otherwise it
// reads with go-git on the caller's goroutine, and a BlobPool read from
// many goroutines is faster.
func (r *Repo) StreamsBlobs() bool { return r.batch }

// batch is a running `git cat-file --batch` that was given every id to
// read at its start.
type batch struct{ *stream }

// stream is a running git that was given all of its input at its start,
// by a goroutine of its own, so that git never waits for the reader to
// ask.
type stream struct {
	cmd    *exec.Cmd
	out    *bufio.Reader
	writer chan struct{} // closed when the input is written
}

// startStream starts git with args in the repository gitDir and writes
// lines to its input, each followed by a newline.
func startStream(ctx context.Context, gitDir string, lines func(yield func(string) bool), args ...string) (*stream, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"--git-dir", gitDir}, args...)...)
	cmd.Env = batchEnv()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	s := &stream{cmd: cmd, out: bufio.NewReaderSize(out, 64<<10), writer: make(chan struct{})}
	go func() {
		// A failed write is a git that stopped reading: the reader
		// sees it end.
		defer close(s.writer)
		defer in.Close()
		w := bufio.NewWriterSize(in, 64<<10)
		for line := range lines {
			if _, err := w.WriteString(line + "\n"); err != nil {
				return
			}
		}
		_ = w.Flush()
	}()
	return s, nil
}

// wait waits for git to exit, for its status.
func (s *stream) wait() error {
	<-s.writer
	return s.cmd.Wait()
}

// close ends git, whether or not it answered everything: what it did not
// is read with go-git.
func (s *stream) close() {
	// Killed rather than drained: what it has not answered yet is not
	// wanted. Killing a git that already exited does nothing.
	_ = s.cmd.Process.Kill()
	<-s.writer
	_ = s.cmd.Wait()
}

// batchEnv is the environment of git: go-git reads the repository at its
// path and nothing else, so neither does git, whatever a hook's
// environment says; and a partial clone does not fetch the blobs it lacks
// one at a time (GIT_NO_LAZY_FETCH): go-git reports them missing.
func batchEnv() []string {
	env := []string{"GIT_NO_LAZY_FETCH=1", "GIT_TERMINAL_PROMPT=0"}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GIT_DIR", "GIT_COMMON_DIR", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY",
			"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH", "GIT_INDEX_FILE",
			"GIT_NAMESPACE", "GIT_REPLACE_REF_BASE", "GIT_NO_REPLACE_OBJECTS":
			continue
		}
		env = append(env, kv)
	}
	// Replacement refs would give another object's content for an id;
	// go-git reads the object itself.
	return append(env, "GIT_NO_REPLACE_OBJECTS=1")
}

// startBatch starts git cat-file in the repository gitDir, given ids.
func startBatch(ctx context.Context, gitDir string, ids []Hash) (*batch, error) {
	s, err := startStream(ctx, gitDir, func(yield func(string) bool) {
		for _, id := range ids {
			if !yield(id.String()) {
				return
			}
		}
	}, "cat-file", "--batch", "--buffer")
	if err != nil {
		return nil, err
	}
	return &batch{s}, nil
}

// read reads the answers for ids in order and calls fn with each; ok is
// false for a blob git did not give. It returns how many ids were
// answered, fewer than len(ids) when git stopped answering (the rest are
// not given to fn), and fn's error.
func (b *batch) read(ids []Hash, maxSize int64, fn func(i int, blob Blob, ok bool) error) (int, error) {
	for i, id := range ids {
		blob, ok, err := b.next(id, maxSize)
		if err != nil {
			return i, nil
		}
		if err := fn(i, blob, ok); err != nil {
			return i + 1, err
		}
	}
	return len(ids), nil
}

// next reads the answer for id: the blob, or ok false when git says it
// has no such blob; an error means the stream is unusable.
func (b *batch) next(id Hash, maxSize int64) (blob Blob, ok bool, err error) {
	return b.nextOf(id, "blob", maxSize)
}

// nextOf is next for an object of the given kind.
func (b *batch) nextOf(id Hash, want string, maxSize int64) (blob Blob, ok bool, err error) {
	header, err := b.out.ReadSlice('\n')
	if err != nil {
		return Blob{}, false, err
	}
	// "<id> <type> <size>\n", or "<id> missing\n" (or "ambiguous").
	fields := bytes.Fields(header)
	if len(fields) == 2 && string(fields[0]) == id.String() {
		return Blob{}, false, nil
	}
	if len(fields) != 3 || string(fields[0]) != id.String() {
		return Blob{}, false, fmt.Errorf("git cat-file: unexpected answer %q for %s", header, id)
	}
	kind := string(fields[1])
	size, err := strconv.ParseInt(string(fields[2]), 10, 64)
	if err != nil || size < 0 {
		return Blob{}, false, fmt.Errorf("git cat-file: unexpected answer %q for %s", header, id)
	}
	if kind != want || (maxSize > 0 && size > maxSize) {
		// Read past the content and its newline; an oversize blob is
		// only counted.
		if _, err := b.out.Discard(int(size) + 1); err != nil {
			return Blob{}, false, err
		}
		return Blob{Size: size, Oversize: true}, kind == want, nil
	}
	// A fresh slice per blob: the consumer may hold on to it.
	blob = Blob{Size: size, Data: make([]byte, size)}
	if _, err := io.ReadFull(b.out, blob.Data); err != nil {
		return Blob{}, false, err
	}
	if c, err := b.out.ReadByte(); err != nil || c != '\n' {
		return Blob{}, false, fmt.Errorf("git cat-file: no newline after %s", id)
	}
	return blob, true, nil
}
