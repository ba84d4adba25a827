package git

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// CLI runs the git command line in a repository, for what go-git cannot
// do: fetching from a remote, deepening or unshallowing a shallow clone,
// and questions about a shallow history that go-git would answer wrong.
type CLI struct{ Dir string }

// Run runs git with args and returns its standard output, trimmed. It
// never prompts for credentials. An error says what git's last line of
// standard error said.
func (g CLI) Run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", g.Dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:] // git's last line says what failed
		}
		if msg == "" {
			return "", fmt.Errorf("git %s: %w", args[0], err)
		}
		return "", fmt.Errorf("git %s: %s", args[0], msg)
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Has reports whether rev names a commit the repository has.
func (g CLI) Has(ctx context.Context, rev string) bool {
	_, err := g.Run(ctx, "cat-file", "-e", rev+"^{commit}")
	return err == nil
}

// IsAncestor reports whether a is an ancestor of b, with the history
// between them present.
func (g CLI) IsAncestor(ctx context.Context, a, b string) bool {
	_, err := g.Run(ctx, "merge-base", "--is-ancestor", a, b)
	return err == nil
}

// MergeBase returns the best common ancestor of a and b.
func (g CLI) MergeBase(ctx context.Context, a, b string) (string, error) {
	return g.Run(ctx, "merge-base", a, b)
}

// Shallow reports whether the repository is a shallow clone.
func (g CLI) Shallow(ctx context.Context) bool {
	out, err := g.Run(ctx, "rev-parse", "--is-shallow-repository")
	return err == nil && out == "true"
}

// Fetch runs `git fetch --no-tags` with args (options, then the remote and
// refspecs).
func (g CLI) Fetch(ctx context.Context, args ...string) error {
	_, err := g.Run(ctx, append([]string{"fetch", "--no-tags"}, args...)...)
	return err
}

// StagedFile is a regular file of the index: its path and blob id.
type StagedFile struct{ Path, Blob string }

// Staged returns the regular files and symbolic links of the index at
// stage 0 (what the next commit holds), in the index's order; submodules
// and unmerged paths are left out.
func (g CLI) Staged(ctx context.Context) ([]StagedFile, error) {
	out, err := g.Run(ctx, "ls-files", "--stage", "-z")
	if err != nil {
		return nil, err
	}
	var files []StagedFile
	for _, line := range strings.Split(out, "\x00") {
		meta, path, ok := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 3 || f[2] != "0" || f[0] == "160000" || f[0] == "120000" {
			continue
		}
		files = append(files, StagedFile{Path: path, Blob: f[1]})
	}
	return files, nil
}
