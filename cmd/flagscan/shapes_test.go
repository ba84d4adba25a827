package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestRepositoryShapes runs scan --rev and log on the shapes of
// repository users have, each built with the git CLI: each is read, or
// refused with a message that says what to do.
func TestRepositoryShapes(t *testing.T) {
	refused := func(t *testing.T, dir, msg string, args ...string) {
		t.Helper()
		for _, cmd := range [][]string{
			{"scan", "--format", "json", "--rev", "HEAD", "--repo", dir},
			append([]string{"log", "--repo", dir, "--db", storetest.Target(t), "--format", "json"}, args...),
		} {
			code, _, errOut := flagscan(t, "", cmd...)
			if code != exitError || !strings.Contains(errOut, msg) {
				t.Errorf("%s: exit %d, %q; want exit %d and %q", cmd[0], code, errOut, exitError, msg)
			}
		}
	}

	t.Run("SHA-256", func(t *testing.T) {
		r := gittest.Init(t, t.TempDir(), "--object-format=sha256")
		r.Commit("one", map[string]string{"a.ts": js("alpha")})
		refused(t, r.Dir, "SHA256 repository (extensions.objectFormat = sha256)")
	})

	t.Run("reftable", func(t *testing.T) {
		// git 2.45 makes these with --ref-format=reftable; older ones
		// only write the setting.
		r := gittest.New(t)
		r.Commit("one", map[string]string{"a.ts": js("alpha")})
		r.Git("config", "core.repositoryFormatVersion", "1")
		r.Git("config", "extensions.refStorage", "reftable")
		refused(t, r.Dir, "git refs migrate --ref-format=files")
	})

	t.Run("shallow", func(t *testing.T) {
		r := gittest.New(t)
		for _, k := range []string{"a", "b", "c", "d"} {
			r.Commit(k, map[string]string{k + ".ts": js(k)})
		}
		dir := filepath.Join(t.TempDir(), "shallow")
		gittest.Run(t, r.Dir, "clone", "-q", "--depth=2", "file://"+r.Dir, dir)
		boundary := gittest.Run(t, dir, "rev-parse", "HEAD~1")
		code, _, errOut := flagscan(t, "", "log", "--repo", dir, "--db", storetest.Target(t), "--format", "json")
		if code != exitError || !strings.Contains(errOut, "history before commit "+boundary+" is missing") || !strings.Contains(errOut, "--deepen") {
			t.Errorf("log: exit %d, %q; want the missing history named", code, errOut)
		}
		if got := logEvents(t, dir, "", "--from", boundary); !slices.Equal(got[gittest.Run(t, dir, "rev-parse", "HEAD")], []string{"Flag.new d"}) {
			t.Errorf("log --from the boundary: %q", got)
		}
		if got := scanKeys(t, dir, "HEAD", nil); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
			t.Errorf("scan --rev: %q", got)
		}
	})

	t.Run("linked worktree", func(t *testing.T) {
		r := gittest.New(t)
		r.Commit("one", map[string]string{"a.ts": js("alpha")})
		r.Git("branch", "other")
		wt := filepath.Join(t.TempDir(), "wt")
		r.Git("worktree", "add", "-q", wt, "other")
		gittest.CommitFiles(t, wt, "two", map[string]string{"b.ts": js("beta")})
		if got := scanKeys(t, wt, "HEAD", nil); !slices.Equal(got, []string{"alpha", "beta"}) {
			t.Errorf("scan --rev in the worktree: %q", got)
		}
		head := gittest.Run(t, wt, "rev-parse", "HEAD")
		if got := logEvents(t, wt, ""); !slices.Equal(got[head], []string{"Flag.new beta"}) {
			t.Errorf("log in the worktree: %q", got)
		}
	})

	t.Run("submodule, symlink, LFS pointer", func(t *testing.T) {
		r := gittest.New(t)
		other := gittest.New(t)
		sub := other.Commit("lib", map[string]string{"lib.ts": js("in-submodule")})
		r.Write(map[string]string{
			"web/a.ts":   js("alpha"),
			"web/big.ts": "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
		})
		if err := os.Symlink("a.ts", filepath.Join(r.Dir, "web", "link.ts")); err != nil {
			t.Skip("no symlinks here:", err)
		}
		if err := os.Symlink("/etc", filepath.Join(r.Dir, "web", "out")); err != nil {
			t.Fatal(err)
		}
		r.Git("add", "-A")
		r.Git("update-index", "--add", "--cacheinfo", "160000,"+sub+",vendor/lib")
		r.Git("commit", "-q", "-m", "shapes")
		code, out, errOut := flagscan(t, "", "scan", "--format", "json", "--rev", "HEAD", "--repo", r.Dir)
		if code != exitOK {
			t.Fatalf("scan --rev: exit %d: %s", code, errOut)
		}
		res := decodeResult(t, out)
		if len(res.References) != 1 || res.References[0].FlagKey != "alpha" || res.References[0].Path != "web/a.ts" {
			t.Errorf("references %+v, want alpha in web/a.ts only", res.References)
		}
		st := res.Stats
		if st.SkippedSymlinks != 2 || st.SkippedSubmodules != 1 || st.SkippedLFS != 1 || len(res.Errors) != 0 {
			t.Errorf("stats %+v, errors %+v; want 2 symlinks, 1 submodule, 1 LFS pointer skipped", st, res.Errors)
		}
	})

	t.Run("non-UTF-8 message and path", func(t *testing.T) {
		r := gittest.New(t)
		r.Commit("one", map[string]string{"a.ts": js("alpha")})
		r.Write(map[string]string{"web/caf\xe9.ts": js("latin")})
		r.Git("add", "-A")
		r.Git("-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "-m", "caf\xe9 cr\xe8me")
		if got := scanKeys(t, r.Dir, "HEAD", nil); !slices.Equal(got, []string{"alpha", "latin"}) {
			t.Errorf("scan --rev: %q", got)
		}
		if got := logEvents(t, r.Dir, ""); !slices.Equal(got[r.Head()], []string{"Flag.new latin"}) {
			t.Errorf("log: %q", got)
		}
	})

	t.Run("replace refs", func(t *testing.T) {
		// flagscan reads the objects as they are, as git does with
		// GIT_NO_REPLACE_OBJECTS (docs/repositories.md says why).
		r := gittest.New(t)
		r.Commit("one", map[string]string{"a.ts": js("alpha")})
		orig := r.Commit("two", map[string]string{"b.ts": js("beta")})
		r.Git("checkout", "-q", "-b", "alt", "HEAD~1")
		alt := r.Commit("two, rewritten", map[string]string{"c.ts": js("gamma")})
		r.Git("checkout", "-q", "main")
		r.Git("replace", orig, alt)
		if got := scanKeys(t, r.Dir, orig, nil); !slices.Equal(got, []string{"alpha", "beta"}) {
			t.Errorf("scan --rev of a replaced commit: %q, want its own keys", got)
		}
	})
}
