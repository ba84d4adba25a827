package git

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// Variables through which the pre-receive hook of TestOpenQuarantinedPush
// hands git's hook environment to TestQuarantineHelper: TestMain clears
// the GIT_* variables of every run of the test binary.
const (
	helperOut        = "FLAGSCAN_TEST_QUARANTINE_OUT"
	helperObjects    = "FLAGSCAN_TEST_GIT_OBJECT_DIRECTORY"
	helperQuarantine = "FLAGSCAN_TEST_GIT_QUARANTINE_PATH"
	helperAlternates = "FLAGSCAN_TEST_GIT_ALTERNATE_OBJECT_DIRECTORIES"
)

// helperReport is what TestQuarantineHelper saw inside the hook.
type helperReport struct {
	Lines []string // the ref updates on stdin
	// PlainErr is the error of reading the pushed commit through
	// Open, which does not look in the quarantine.
	PlainErr string
	// Packs are the pack files in the quarantine.
	Packs int
	// Files are the pushed commit's files and contents, read through
	// OpenQuarantined; ParentFiles counts its parent's (in the main store).
	Files       map[string]string
	ParentFiles int
	Err         string
}

// TestQuarantineHelper is not a test: it runs inside the pre-receive hook
// of TestOpenQuarantinedPush, reads the pushed commit through
// OpenQuarantined while git holds it in quarantine, and writes what it
// found to the file $FLAGSCAN_TEST_QUARANTINE_OUT.
func TestQuarantineHelper(t *testing.T) {
	out := os.Getenv(helperOut)
	if out == "" {
		t.Skip("run by the pre-receive hook of TestOpenQuarantinedPush")
	}
	rep := helperReport{Files: map[string]string{}}
	if err := quarantineHelper(&rep); err != nil {
		rep.Err = err.Error()
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func quarantineHelper(rep *helperReport) error {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		rep.Lines = append(rep.Lines, sc.Text())
	}
	if len(rep.Lines) != 1 {
		return fmt.Errorf("want one ref update on stdin, got %q", rep.Lines)
	}
	f := strings.Fields(rep.Lines[0])
	newID := plumbing.NewHash(f[1])

	plain, err := Open(".")
	if err != nil {
		return err
	}
	if _, err := plain.r.CommitObject(newID); err != nil {
		rep.PlainErr = err.Error()
	}

	env := map[string]string{
		EnvObjectDirectory:            os.Getenv(helperObjects),
		EnvQuarantinePath:             os.Getenv(helperQuarantine),
		EnvAlternateObjectDirectories: os.Getenv(helperAlternates),
	}
	packs, _ := filepath.Glob(filepath.Join(env[EnvQuarantinePath], "pack", "*.pack"))
	rep.Packs = len(packs)
	repo, err := OpenQuarantined(".", func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	c, err := repo.r.CommitObject(newID)
	if err != nil {
		return fmt.Errorf("read pushed commit: %w", err)
	}
	if err := eachFile(c, func(f *object.File) error {
		s, err := f.Contents()
		rep.Files[f.Name] = s
		return err
	}); err != nil {
		return fmt.Errorf("read pushed tree: %w", err)
	}
	parent, err := c.Parent(0)
	if err != nil {
		return fmt.Errorf("read parent commit: %w", err)
	}
	return eachFile(parent, func(f *object.File) error {
		_, err := f.Contents()
		rep.ParentFiles++
		return err
	})
}

func eachFile(c *object.Commit, fn func(*object.File) error) error {
	tree, err := c.Tree()
	if err != nil {
		return err
	}
	return tree.Files().ForEach(fn)
}

// TestOpenQuarantinedPush pushes for real into a bare repository whose
// pre-receive hook reads the pushed commit through OpenQuarantined and
// then rejects the push, so that the objects never reach the main store:
// a push of a few files (loose objects) and one of hundreds (a pack).
func TestOpenQuarantinedPush(t *testing.T) {
	bin, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct {
		name  string
		files int
		pack  bool
	}{
		{"loose objects", 5, false},
		{"a pack", 400, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			bare, work := filepath.Join(root, "srv.git"), filepath.Join(root, "work")
			gittest.Init(t, bare, "--bare")
			os.MkdirAll(work, 0o755)
			w := gittest.Init(t, work)
			w.Commit("base", map[string]string{"base.txt": "base\n", "dir/keep.txt": "keep\n"})
			w.Git("push", "-q", bare, "main")

			want := map[string]string{"base.txt": "changed\n", "dir/keep.txt": "keep\n"}
			for i := range tc.files {
				want[fmt.Sprintf("new/d%02d/f%04d.txt", i%17, i)] = fmt.Sprintf("file %d\n", i)
			}
			pushed := w.Commit("many", want)

			out := filepath.Join(root, "report.json")
			hook := fmt.Sprintf(`#!/bin/sh
%s=%q %s="$GIT_OBJECT_DIRECTORY" %s="$GIT_QUARANTINE_PATH" %s="$GIT_ALTERNATE_OBJECT_DIRECTORIES" %q -test.run='^TestQuarantineHelper$' >/dev/null
exit 1
`, helperOut, out, helperObjects, helperQuarantine, helperAlternates, bin)
			if err := os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
				t.Fatal(err)
			}
			push := gittest.Options{}.Command(work, "git", "push", bare, "main")
			if msg, err := push.CombinedOutput(); err == nil || !strings.Contains(string(msg), "pre-receive hook declined") {
				t.Fatalf("push: want it declined by the hook, got %v:\n%s", err, msg)
			}

			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("the hook wrote no report: %v", err)
			}
			var rep helperReport
			if err := json.Unmarshal(data, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Err != "" {
				t.Fatalf("in the hook: %s", rep.Err)
			}
			// go-git finds loose objects in an incoming directory on
			// its own (any one of them, when pushes run at once), never
			// those of a pack.
			if tc.pack && rep.PlainErr == "" {
				t.Error("Open found the pushed commit: the test does not exercise the quarantine")
			}
			if got := rep.Packs > 0; got != tc.pack {
				t.Errorf("quarantine holds %d packs; want a pack: %v", rep.Packs, tc.pack)
			}
			if len(rep.Files) != len(want) {
				t.Errorf("read %d files of the pushed commit, want %d", len(rep.Files), len(want))
			}
			for p, c := range want {
				if rep.Files[p] != c {
					t.Errorf("%s: read %q, want %q", p, rep.Files[p], c)
				}
			}
			if rep.ParentFiles != 2 {
				t.Errorf("read %d files of the parent commit (main store), want 2", rep.ParentFiles)
			}
			// The push was rejected: git dropped the quarantine.
			after, err := Open(bare)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := after.r.CommitObject(plumbing.NewHash(pushed)); !errors.Is(err, plumbing.ErrObjectNotFound) {
				t.Errorf("after the rejected push, reading the pushed commit: %v, want not found", err)
			}
		})
	}
}

// TestOpenQuarantinedAlternates reads objects from directories named by
// GIT_ALTERNATE_OBJECT_DIRECTORIES, whatever their names, and from a
// quarantine given by GIT_QUARANTINE_PATH alone.
func TestOpenQuarantinedAlternates(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "src")
	os.MkdirAll(src, 0o755)
	id := gittest.Init(t, src).Commit("one", map[string]string{"a.txt": "a\n"})
	// A copy of src's objects under a name go-git would not accept.
	store := filepath.Join(root, "store:with colon")
	if err := os.CopyFS(store, os.DirFS(filepath.Join(src, ".git", "objects"))); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(root, "empty.git")
	gittest.Init(t, empty, "--bare")

	for _, tc := range []struct {
		name  string
		env   map[string]string
		found bool
	}{
		{"no variables", nil, false},
		{"alternate", map[string]string{EnvAlternateObjectDirectories: `"` + store + `"`}, true},
		{"alternate among others", map[string]string{EnvAlternateObjectDirectories: filepath.Join(empty, "objects") + `:"` + store + `":`}, true},
		{"quarantine path", map[string]string{EnvQuarantinePath: store}, true},
		{"object directory", map[string]string{EnvObjectDirectory: store, EnvQuarantinePath: filepath.Join(root, "ignored")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo, err := OpenQuarantined(empty, func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			_, err = repo.r.CommitObject(plumbing.NewHash(id))
			if tc.found && err != nil {
				t.Errorf("commit: %v", err)
			}
			if !tc.found && !errors.Is(err, plumbing.ErrObjectNotFound) {
				t.Errorf("commit: %v, want not found", err)
			}
			// Abbreviated ids are resolved across the stores too.
			if h, err := repo.ResolveRevision(id[:8]); tc.found && (err != nil || h.String() != id) {
				t.Errorf("resolve %s: %v, %v", id[:8], h, err)
			}
		})
	}

	_, err := OpenQuarantined(empty, func(k string) string {
		return map[string]string{EnvQuarantinePath: filepath.Join(root, "missing")}[k]
	})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing quarantine: %v", err)
	}
}

func TestSplitAlternates(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"/a/objects", []string{"/a/objects"}, false},
		{"/a:/b::/c:", []string{"/a", "/b", "/c"}, false},
		{`"/with:colon":/b`, []string{"/with:colon", "/b"}, false},
		{`"/tab\there\"q"`, []string{"/tab\there\"q"}, false},
		{`"/octal\101"`, []string{"/octalA"}, false},
		{`"/open`, nil, true},
		{`"/a"b`, nil, true},
	} {
		got, err := SplitAlternates(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("SplitAlternates(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
