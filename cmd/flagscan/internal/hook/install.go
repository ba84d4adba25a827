package hook

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/scanner/git"
)

// HookNames are the hooks install writes.
var HookNames = []string{"pre-receive", "post-receive"}

// Install writes the hook scripts running bin into the repository of
// f, and prints the other servers' equivalents to w.
func Install(f *Flags, bin string, force bool, w io.Writer) error {
	dir := f.Repo
	if dir == "" {
		dir = "."
	}
	repo, err := git.Open(dir)
	if err != nil {
		return fmt.Errorf("open repository %s: %w", dir, err)
	}
	gd := repo.Location().GitDir
	hooksDir := repo.HooksDir()
	var args []string
	for _, fl := range []struct{ name, value string }{{"--config", f.Config}, {"--db", f.DB}} {
		if fl.value == "" {
			continue
		}
		if fl.name == "--db" && store.IsURL(fl.value) {
			// Hook scripts are readable by whoever reads the repository.
			if u, err := url.Parse(fl.value); err != nil || hasPassword(u) {
				return cli.Usagef("--db %s: a URL with a password would be written into the hook scripts; give the password in the server's environment instead (PGPASSWORD, ~/.pgpass, or the whole URL in $%s)", store.Redact(fl.value), workspace.EnvDB)
			}
			args = append(args, fl.name, fl.value)
			continue
		}
		abs, err := filepath.Abs(fl.value)
		if err != nil {
			return err
		}
		args = append(args, fl.name, abs)
	}
	scripts := map[string][]byte{}
	var exist []string
	for _, name := range HookNames {
		scripts[name] = hookScript(bin, name, args)
		p := filepath.Join(hooksDir, name)
		old, err := os.ReadFile(p)
		switch {
		case err == nil && bytes.Equal(old, scripts[name]):
			delete(scripts, name) // installed already
		case err == nil || !os.IsNotExist(err):
			exist = append(exist, p)
		}
	}
	if len(exist) > 0 && !force {
		verb := "exist"
		if len(exist) == 1 {
			verb = "exists"
		}
		return cli.Usagef("%s already %s: not overwritten; use --force to replace, or call `%s hook <name>` from the existing hook (see docs/hooks.md)",
			strings.Join(exist, " and "), verb, bin)
	}
	if err := os.MkdirAll(hooksDir, 0o755); err != nil {
		return err
	}
	for _, name := range HookNames {
		data, ok := scripts[name]
		if !ok {
			fmt.Fprintf(w, "%s: installed already\n", filepath.Join(hooksDir, name))
			continue
		}
		if err := writeExecutable(filepath.Join(hooksDir, name), data); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s\n", filepath.Join(hooksDir, name))
	}
	printEquivalents(w, bin, args, gd)
	return nil
}

// hookScript is the script of one hook.
func hookScript(bin, name string, args []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/sh\n# flagscan %s hook, written by `flagscan hook install`: see docs/hooks.md.\n", name)
	if name == "pre-receive" {
		b.WriteString("# It analyzes the push within hook.budget and lets it through when it cannot,\n# unless hook.policy says otherwise.\n")
	} else {
		b.WriteString("# It analyzes what git accepted, releases the held events and delivers them.\n")
	}
	b.WriteString("exec " + ShellQuote(bin) + " hook " + name)
	for _, a := range args {
		b.WriteString(" " + ShellQuote(a))
	}
	b.WriteString("\n")
	return []byte(b.String())
}

// ShellQuote quotes s for sh.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeExecutable writes an executable file through a temporary file, so
// that git never runs a half-written hook.
func writeExecutable(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// printEquivalents tells how to install the same hooks on GitLab, Gitea
// and GitHub Enterprise Server.
func printEquivalents(w io.Writer, bin string, args []string, gitDir string) {
	call := func(name string) string {
		s := "exec " + ShellQuote(bin) + " hook " + name
		for _, a := range args {
			s += " " + ShellQuote(a)
		}
		return s
	}
	fmt.Fprintf(w, `
The same hooks on other servers (each script is "#!/bin/sh" and one line):

  GitLab (server hooks; the binary must be on every Gitaly node):
    custom_hooks/pre-receive.d/flagscan    %s
    custom_hooks/post-receive.d/flagscan   %s
    for one repository: tar the custom_hooks directory and run
      gitaly hooks set --storage <storage> --repository <relative path> --config <gitaly config.toml> < hooks.tar
    (before GitLab 15.11: <repository>.git/custom_hooks/ on disk); for all
    repositories: the same files in gitaly['configuration'][:hooks][:custom_hooks_dir].

  Gitea (its own hooks/pre-receive runs every script of hooks/pre-receive.d):
    %s/hooks/pre-receive.d/flagscan    %s
    %s/hooks/post-receive.d/flagscan   %s
    or in the repository's Settings > Git Hooks, if the administrator allows them.

  GitHub Enterprise Server (pre-receive hooks only, in a chroot environment
  that holds the flagscan binary; 5 s for all hooks):
    pre-receive script     %s
    and, on a schedule or before each 'flagscan deliver', where the store is:
      %s hook confirm --repo <repository>
    See docs/hooks.md for the environment and its limits.
`, call("pre-receive"), call("post-receive"),
		gitDir, call("pre-receive"), gitDir, call("post-receive"),
		call("pre-receive"), ShellQuote(bin))
}

// hasPassword reports whether a database URL carries a password.
func hasPassword(u *url.URL) bool {
	_, set := u.User.Password()
	return set || u.Query().Has("password")
}
