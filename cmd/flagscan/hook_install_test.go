package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/hook"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

func TestHookInstall(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	const bin = "/opt/flag scan/bin/flagscan" // a space, to be quoted
	for _, tc := range []struct {
		name     string
		existing map[string]string // hooks already there
		hooksDir string            // core.hooksPath, relative to the git dir
		force    bool
		flags    hook.Flags
		wantErr  string
		wantExec string // the exec line of pre-receive
	}{
		{name: "fresh", wantExec: "exec '/opt/flag scan/bin/flagscan' hook pre-receive\n"},
		{name: "with config and db", flags: hook.Flags{Config: "/etc/flagscan/srv.yml", DB: "/var/lib/flagscan/srv.db"},
			wantExec: "exec '/opt/flag scan/bin/flagscan' hook pre-receive --config /etc/flagscan/srv.yml --db /var/lib/flagscan/srv.db\n"},
		{name: "existing hook refused", existing: map[string]string{"post-receive": "#!/bin/sh\necho mine\n"},
			wantErr: "hooks/post-receive already exists: not overwritten; use --force"},
		{name: "both refused", existing: map[string]string{"pre-receive": "x", "post-receive": "y"},
			wantErr: "hooks/pre-receive and "},
		{name: "existing hook forced", existing: map[string]string{"pre-receive": "#!/bin/sh\nexit 1\n"}, force: true,
			wantExec: "exec '/opt/flag scan/bin/flagscan' hook pre-receive\n"},
		{name: "core.hooksPath", hooksDir: "custom", wantExec: "exec '/opt/flag scan/bin/flagscan' hook pre-receive\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			bare := filepath.Join(root, "r.git")
			gittest.Run(t, root, "init", "-q", "--bare", bare)
			hooks := filepath.Join(bare, "hooks")
			if tc.hooksDir != "" {
				gittest.Run(t, bare, "config", "core.hooksPath", tc.hooksDir)
				hooks = filepath.Join(bare, tc.hooksDir)
			}
			for name, content := range tc.existing {
				gittest.WriteFile(t, filepath.Join(hooks, name), content)
			}
			f := tc.flags
			f.Repo = bare
			var out bytes.Buffer
			err := hook.Install(&f, bin, tc.force, &out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				for name, content := range tc.existing {
					if got, _ := os.ReadFile(filepath.Join(hooks, name)); string(got) != content {
						t.Errorf("%s was changed", name)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range hook.HookNames {
				p := filepath.Join(hooks, name)
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm()&0o111 == 0 {
					t.Errorf("%s is not executable: %v", name, fi.Mode())
				}
				data, _ := os.ReadFile(p)
				want := strings.Replace(tc.wantExec, "pre-receive", name, 1)
				if !strings.HasPrefix(string(data), "#!/bin/sh\n") || !strings.HasSuffix(string(data), want) {
					t.Errorf("%s:\n%s\nwant it to end with %q", name, data, want)
				}
			}
			for _, s := range []string{"GitLab", "custom_hooks/pre-receive.d/flagscan", "Gitea", "hooks/post-receive.d/flagscan", "GitHub Enterprise Server", "hook confirm"} {
				if !strings.Contains(out.String(), s) {
					t.Errorf("the output does not mention %q:\n%s", s, out.String())
				}
			}
			// Installing again is a no-op, without --force.
			out.Reset()
			if err := hook.Install(&f, bin, false, &out); err != nil || !strings.Contains(out.String(), "installed already") {
				t.Errorf("second install: %v\n%s", err, out.String())
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/local/bin/flagscan": "/usr/local/bin/flagscan",
		"/a b/c":                  "'/a b/c'",
		"it's":                    `'it'\''s'`,
		"":                        "''",
		"$HOME/x":                 "'$HOME/x'",
	} {
		if got := hook.ShellQuote(in); got != want {
			t.Errorf("hook.ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestServerConfig checks where hook mode takes its configuration from:
// --config, else $FLAGSCAN_CONFIG, else flagscan.yml in the git directory;
// never the .flagscan.yml of a work tree, which is pushed code.
func TestServerConfig(t *testing.T) {
	root := t.TempDir()
	gd := filepath.Join(root, ".git") // the git dir of the work tree root, whose .flagscan.yml is pushed code
	write := func(p, id string) string {
		gittest.WriteFile(t, p, "account:\n  id: "+id+"\n")
		return p
	}
	flagFile := write(filepath.Join(root, "flag.yml"), "from-flag")
	envFile := write(filepath.Join(root, "env.yml"), "from-env")
	write(filepath.Join(root, ".flagscan.yml"), "from-work-tree")
	for _, tc := range []struct {
		name, flag, env string
		besideRepo      bool
		want            string
	}{
		{"flag first", flagFile, envFile, true, "from-flag"},
		{"then the environment", "", envFile, true, "from-env"},
		{"then the file beside the repository", "", "", true, "from-git-dir"},
		{"else defaults, never the work tree's", "", "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.RemoveAll(gd)
			os.MkdirAll(gd, 0o755)
			if tc.besideRepo {
				write(filepath.Join(gd, "flagscan.yml"), "from-git-dir")
			}
			t.Setenv("FLAGSCAN_CONFIG", tc.env)
			c, err := hook.ServerConfig(tc.flag, gd)
			if err != nil {
				t.Fatal(err)
			}
			if c.Account.ID != tc.want {
				t.Errorf("account.id %q, want %q", c.Account.ID, tc.want)
			}
		})
	}
}
