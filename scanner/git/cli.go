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
