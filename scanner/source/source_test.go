package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestMain isolates the git commands the tests run from the machine's and
// the user's configuration (a global excludes file would change what
// `git ls-files --exclude-standard` reports) and from a surrounding hook's
// environment.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "source-test-home")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, k := range []string{
		"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES", "GIT_QUARANTINE_PATH",
	} {
		os.Unsetenv(k)
	}
	for k, v := range map[string]string{
		"HOME":                home,
		"XDG_CONFIG_HOME":     home,
		"GIT_CONFIG_GLOBAL":   os.DevNull,
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "t",
		"GIT_AUTHOR_EMAIL":    "t@e",
		"GIT_COMMITTER_NAME":  "t",
		"GIT_COMMITTER_EMAIL": "t@e",
	} {
		os.Setenv(k, v)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// gitLines runs git with -z style output and splits it into records.
func gitLines(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	out := strings.TrimSuffix(gittest.Output(t, dir, args...), "\x00")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\x00")
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func walkAll(t *testing.T, src Source, f Filter) []File {
	t.Helper()
	var files []File
	if err := src.Walk(context.Background(), f, func(file File) error {
		files = append(files, file)
		return nil
	}); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return files
}

func pathsOf(files []File) []string {
	var ps []string
	for _, f := range files {
		ps = append(ps, f.Path)
	}
	return ps
}

func mustDir(t *testing.T, root string) Source {
	t.Helper()
	src, err := Dir(root)
	if err != nil {
		t.Fatalf("Dir(%s): %v", root, err)
	}
	return src
}

func mustRev(t *testing.T, repoDir, rev string) *RevSource {
	t.Helper()
	src, err := Rev(repoDir, rev)
	if err != nil {
		t.Fatalf("Rev(%s, %q): %v", repoDir, rev, err)
	}
	return src.(*RevSource)
}

// checkSorted asserts the walk order promised by Source.
func checkSorted(t *testing.T, paths []string) {
	t.Helper()
	if !slices.IsSorted(paths) {
		t.Errorf("paths not in byte order: %q", paths)
	}
}

func TestWildmatch(t *testing.T) {
	// Cases from git's t/t3070-wildmatch.sh, with WM_PATHNAME semantics
	// (the "pathmatch" column), which is what gitignore uses.
	tests := []struct {
		pattern, text string
		want          bool
	}{
		{"foo", "foo", true},
		{"bar", "foo", false},
		{"", "", true},
		{"???", "foo", true},
		{"??", "foo", false},
		{"*", "foo", true},
		{"f*", "foo", true},
		{"*f", "foo", false},
		{"*foo*", "foo", true},
		{"*ob*a*r*", "foobar", true},
		{"*ab", "aaaaaaabababab", true},
		{`foo\*`, "foo*", true},
		{`foo\*bar`, "foobar", false},
		{`f\\oo`, `f\oo`, true},
		{"*[al]?", "ball", true},
		{"[ten]", "ten", false},
		{"**[!te]", "ten", true},
		{"**[!ten]", "ten", false},
		{"t[a-g]n", "ten", true},
		{"t[!a-g]n", "ten", false},
		{"t[!a-g]n", "ton", true},
		{"t[^a-g]n", "ton", true},
		{"a[]]b", "a]b", true},
		{"a[]-]b", "a-b", true},
		{"a[]-]b", "a]b", true},
		{"a[]-]b", "aab", false},
		{"a[]a-]b", "aab", true},
		{"]", "]", true},
		{`[\-_]`, "-", true},
		{"[a-]", "-", true},
		{"[", "[", false},
		{`\`, `\`, false},
		{"foo*bar", "foo/baz/bar", false},
		{"foo**bar", "foo/baz/bar", false},
		{"foo?bar", "foo/bar", false},
		{"foo[/]bar", "foo/bar", false},
		{"f[^eiu][^eiu][^eiu][^eiu][^eiu]r", "foo/bar", false},
		{"f[^eiu][^eiu][^eiu][^eiu][^eiu]r", "foo-bar", true},
		{"**/foo", "foo", true},
		{"**/foo", "XXX/foo", true},
		{"**/foo", "bar/baz/foo", true},
		{"*/foo", "bar/baz/foo", false},
		{"**/bar*", "foo/bar/baz", false},
		{"**/bar/*", "deep/foo/bar/baz", true},
		{"**/bar/*", "deep/foo/bar/baz/", false},
		{"**/bar/**", "deep/foo/bar/baz/", true},
		{"**/bar/*", "deep/foo/bar", false},
		{"**/bar/**", "deep/foo/bar/", true},
		{"**/bar**", "foo/bar/baz", false},
		{"*/bar/**", "foo/bar/baz/x", true},
		{"*/bar/**", "deep/foo/bar/baz/x", false},
		{"**/bar/*/*", "deep/foo/bar/baz/x", true},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**", "a", false},
		{"a/**", "a/b/c", true},
		{"*/*/*", "foo/bb/aa/rr", false},
		{"**/**/**", "foo/bb/aa/rr", true},
		{"*X*i", "abcXdefXghi", true},
		{"*/*X*/*/*i", "ab/cXd/efXg/hi", true},
		{"**/*X*/**/*i", "ab/cXd/efXg/hi", true},
		{"[[:alpha:]][[:digit:]][[:upper:]]", "a1B", true},
		{"[[:digit:][:upper:][:space:]]", "a", false},
		{"[[:digit:][:upper:][:space:]]", "A", true},
		{"[[:digit:][:upper:][:space:]]", "1", true},
		{"[[:xdigit:]]", "D", true},
		{"[[:xdigit:]]", "g", false},
		{"[[:nope:]]", "a", false},
		{"[[:]", "[", true}, // no ":]": '[' and ':' are plain members
		{"-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1", true},
		{"-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1", false},
		{"XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", "XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1", true},
		{"XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", "XXX/adobe/courier/bold/o/normal//12/120/75/75/X/70/iso8859/1", false},
	}
	for _, tt := range tests {
		if got := wildmatch(tt.pattern, tt.text); got != tt.want {
			t.Errorf("wildmatch(%q, %q) = %v, want %v", tt.pattern, tt.text, got, tt.want)
		}
	}
}

// buildIgnoreRepo lays out a repository that exercises every gitignore rule
// Dir claims to honour. Some files are committed, some stay untracked.
func buildIgnoreRepo(t *testing.T) string {
	t.Helper()
	top := t.TempDir()
	gittest.Init(t, top)
	gittest.WriteFiles(t, top, map[string]string{
		// The BOM must be skipped or "*.log" would never match.
		".gitignore": "\ufeff*.log\n" +
			"# a comment\n" +
			"!keep.log\n" +
			"/build/\n" +
			"tmp/\n" +
			"docs/**/*.draft\n" +
			"[!a-m]*.bak\n" +
			"cache/**\n" +
			"!cache/keep.txt\n" +
			"trailing\\ \n" +
			"spaces   \n" +
			"\\#hash\n",
		"src/.gitignore": "*.gen.go\n" +
			"!important.gen.go\n" +
			"/local.txt\n" +
			"deep/\n",
		"src/lib/.gitignore": "!*.log\n" +
			"sub/*.txt\n",
		"src/crlf/.gitignore": "*.tmp\r\n",
		"other-ignore":        "*.go\n",

		"README.md":            "readme",
		"main.go":              "package main",
		"app.log":              "ignored",
		"keep.log":             "negated back in",
		"build/out.go":         "anchored /build/ ignores this",
		"src/build/x.go":       "but not this",
		"tmp/a.go":             "ignored dir",
		"src/tmp/b.go":         "tmp/ matches at any depth",
		"lib/tmp":              "a file: tmp/ is for directories only",
		"docs/a.md":            "kept",
		"docs/c.draft":         "**/ matches no directory too",
		"docs/a/b/c.draft":     "ignored",
		"x.bak":                "ignored: x is not in a-m",
		"b.bak":                "kept",
		"cache/keep.txt":       "re-included: cache/** leaves cache itself alone",
		"cache/drop.txt":       "ignored",
		"trailing ":            "ignored through the escaped space",
		"spaces":               "unescaped trailing spaces are trimmed",
		"#hash":                "ignored through the escaped #",
		"secret.txt":           "info/exclude",
		"src/secret.txt":       "info/exclude, basename pattern",
		"src/foo.gen.go":       "ignored",
		"src/important.gen.go": "kept",
		"src/local.txt":        "ignored, anchored to src",
		"src/lib/local.txt":    "kept",
		"src/deep/x.go":        "ignored dir",
		"src/lib/deep":         "kept: a file",
		"src/lib/debug.log":    "re-included by src/lib/.gitignore",
		"src/lib/sub/x.txt":    "ignored",
		"src/lib/x/sub/y.txt":  "kept: sub/*.txt is anchored to src/lib",
		"src/lib2/x.go":        "kept: the symlinked .gitignore is not read",
		"src/crlf/a.tmp":       "ignored despite CRLF",
		"src/crlf/b.txt":       "kept",
		"a.txt":                "order",
		"a/b.go":               "order",
		"a-b.go":               "order",
		"a b.go":               "order",
		"nested/file.go":       "embedded repository",
	})
	if err := os.MkdirAll(filepath.Join(top, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(top, ".git", "info", "exclude"), []byte("secret.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	symlink(t, "main.go", filepath.Join(top, "link.go"))
	symlink(t, "../../other-ignore", filepath.Join(top, "src", "lib2", ".gitignore"))
	gittest.Init(t, filepath.Join(top, "nested"))
	gittest.Commit(t, filepath.Join(top, "nested"), "nested")

	// Only a few files are committed: a tracked file is in git's view
	// whatever the ignore rules say, so the rest stay untracked for the
	// rules to decide.
	gittest.Output(t, top, "add", "README.md", "main.go", "src/lib/local.txt", "nested") // nested/ becomes a gitlink
	// Tracked files stay in the repository even where an ignore rule
	// matches them, also inside an ignored directory.
	gittest.WriteFiles(t, top, map[string]string{"forced.log": "tracked", "build/forced.go": "tracked"})
	gittest.Output(t, top, "add", "-f", "forced.log", "build/forced.go")
	gittest.Output(t, top, "commit", "-q", "-m", "initial")

	gittest.WriteFiles(t, top, map[string]string{
		"src/new.go":         "untracked",
		"src/lib/new.log":    "untracked, re-included",
		"build/untracked.go": "untracked in an ignored dir",
		"nested2/x.go":       "untracked embedded repository",
	})
	gittest.Init(t, filepath.Join(top, "nested2"))
	return top
}

// gitView is what git reports as the files of the work tree below dir,
// relative to the top, less what Dir never offers: symlinks and
// directories (embedded repositories, submodules).
func gitView(t *testing.T, top, dir string) []string {
	t.Helper()
	var want []string
	for _, p := range gitLines(t, filepath.Join(top, dir), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name") {
		if strings.HasSuffix(p, "/") {
			continue
		}
		fi, err := os.Lstat(filepath.Join(top, p))
		if err != nil {
			t.Fatal(err)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		want = append(want, p)
	}
	slices.Sort(want)
	return slices.Compact(want)
}

func TestDirMatchesGit(t *testing.T) {
	top := buildIgnoreRepo(t)
	tests := []struct {
		name, root string
		mustHave   []string
		mustLack   []string
	}{
		{
			name: "top",
			mustHave: []string{
				"keep.log", "forced.log", "build/forced.go", "cache/keep.txt", "src/lib/debug.log",
				"src/lib/x/sub/y.txt", "src/lib2/x.go", "src/important.gen.go", "a b.go", "a-b.go", "a.txt", "a/b.go",
			},
			mustLack: []string{
				"app.log", "build/out.go", "build/untracked.go", "tmp/a.go", "src/tmp/b.go", "x.bak",
				"cache/drop.txt", "trailing ", "spaces", "#hash", "secret.txt", "src/local.txt",
				"src/lib/sub/x.txt", "src/crlf/a.tmp", "link.go", "nested/file.go", "nested2/x.go",
			},
		},
		{name: "subdir", root: "src", mustHave: []string{"src/new.go", "src/lib/new.log"}, mustLack: []string{"src/secret.txt"}},
		{name: "deeper subdir", root: "src/lib", mustHave: []string{"src/lib/debug.log"}, mustLack: []string{"src/lib/sub/x.txt"}},
		{name: "ignored dir with tracked file", root: "build", mustHave: []string{"build/forced.go"}, mustLack: []string{"build/out.go"}},
		{name: "ignored dir", root: "tmp", mustLack: []string{"tmp/a.go"}},
		{name: "dir-only pattern below root", root: "src/tmp", mustLack: []string{"src/tmp/b.go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pathsOf(walkAll(t, mustDir(t, filepath.Join(top, tt.root)), Filter{}))
			checkSorted(t, got)
			want := gitView(t, top, tt.root)
			if !slices.Equal(got, want) {
				t.Errorf("Dir yields\n%q\ngit ls-files says\n%q", got, want)
			}
			// Guard the oracle itself: the tree must really contain
			// the cases it is meant to check.
			for _, p := range tt.mustHave {
				if !slices.Contains(got, p) {
					t.Errorf("missing %q", p)
				}
			}
			for _, p := range tt.mustLack {
				if slices.Contains(got, p) {
					t.Errorf("unexpected %q", p)
				}
			}
		})
	}
}

func TestDirLinkedWorktree(t *testing.T) {
	main := t.TempDir()
	gittest.Init(t, main)
	gittest.WriteFiles(t, main, map[string]string{"a.go": "a", ".gitignore": "*.tmp\n"})
	gittest.Commit(t, main, "one")
	if err := os.WriteFile(filepath.Join(main, ".git", "info", "exclude"), []byte("local/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wt := filepath.Join(t.TempDir(), "wt")
	gittest.Output(t, main, "worktree", "add", "-q", "-b", "side", wt)
	gittest.WriteFiles(t, wt, map[string]string{"b.go": "b", "x.tmp": "x", "local/c.go": "c"})

	realWT, err := filepath.EvalSymlinks(wt)
	if err != nil {
		t.Fatal(err)
	}
	top, ok, err := git.WorkTreeOf(filepath.Join(wt, "local"))
	if err != nil || !ok || top != realWT {
		t.Fatalf("RepoRoot = %q, %v, %v; want %q, true, nil", top, ok, err, realWT)
	}
	got := pathsOf(walkAll(t, mustDir(t, wt), Filter{}))
	want := gitView(t, wt, "")
	if !slices.Equal(got, want) {
		t.Errorf("Dir yields %q, git says %q", got, want)
	}
	if !slices.Equal(got, []string{".gitignore", "a.go", "b.go"}) {
		t.Errorf("got %q", got)
	}
}

func TestDirPlainDirectory(t *testing.T) {
	root := t.TempDir()
	if top, ok, _ := git.WorkTreeOf(root); ok {
		t.Skipf("temporary directory is inside the work tree %s", top)
	}
	gittest.WriteFiles(t, root, map[string]string{
		".gitignore":      "*.log\nout/\n",
		"a.go":            "a",
		"a.log":           "ignored",
		"out/b.go":        "ignored",
		"sub/.gitignore":  "!keep.log\n",
		"sub/keep.log":    "kept",
		"sub/other.log":   "ignored",
		"sub/deeper/c.go": "c",
	})
	got := pathsOf(walkAll(t, mustDir(t, root), Filter{}))
	want := []string{".gitignore", "a.go", "sub/.gitignore", "sub/deeper/c.go", "sub/keep.log"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	// Outside a repository a subdirectory is a root of its own: nothing
	// above it applies, so the parent's *.log no longer hides other.log.
	got = pathsOf(walkAll(t, mustDir(t, filepath.Join(root, "sub")), Filter{}))
	want = []string{".gitignore", "deeper/c.go", "keep.log", "other.log"}
	if !slices.Equal(got, want) {
		t.Errorf("subdir: got %q, want %q", got, want)
	}
}

func TestDirErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.go")
	gittest.WriteFiles(t, dir, map[string]string{"f.go": "x"})
	tests := []struct {
		name, root, wantMsg string
		wantErr             error
	}{
		{"missing", filepath.Join(dir, "nope"), "open directory " + filepath.Join(dir, "nope") + ": no such file or directory", fs.ErrNotExist},
		{"file", file, "open directory " + file + ": not a directory", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Dir(tt.root)
			if err == nil || err.Error() != tt.wantMsg {
				t.Fatalf("Dir(%s) error = %v, want %q", tt.root, err, tt.wantMsg)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantErr)
			}
		})
	}
	repo := t.TempDir()
	gittest.Init(t, repo)
	inGitDir := filepath.Join(repo, ".git", "objects")
	if _, err := Dir(inGitDir); err == nil || !strings.Contains(err.Error(), "inside the git directory") {
		t.Errorf("Dir(%s) error = %v, want one about the git directory", inGitDir, err)
	}
	if _, _, err := git.WorkTreeOf(filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("git.WorkTreeOf(missing) error = %v, want not-exist", err)
	}
}

func TestRepoRoot(t *testing.T) {
	top := t.TempDir()
	gittest.Init(t, top)
	gittest.WriteFiles(t, top, map[string]string{"a/b/c.go": "c"})
	// Through a symlink, the top is the real one, as with git.
	link := filepath.Join(t.TempDir(), "link")
	symlink(t, filepath.Join(top, "a"), link)
	realTop, err := filepath.EvalSymlinks(top)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{top, filepath.Join(top, "a", "b"), filepath.Join(top, "a", "b", "c.go"), link} {
		got, ok, err := git.WorkTreeOf(p)
		if err != nil || !ok || got != realTop {
			t.Errorf("git.WorkTreeOf(%s) = %q, %v, %v; want %q, true, nil", p, got, ok, err, realTop)
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if want := strings.TrimSpace(gittest.Output(t, p, "rev-parse", "--show-toplevel")); got != want {
				t.Errorf("git.WorkTreeOf(%s) = %q, git says %q", p, got, want)
			}
		}
	}
	plain := t.TempDir()
	if got, ok, err := git.WorkTreeOf(plain); ok || err != nil {
		t.Errorf("git.WorkTreeOf(%s) = %q, %v, %v; want no repository", plain, got, ok, err)
	}
}

func TestDirFilter(t *testing.T) {
	top := t.TempDir()
	gittest.Init(t, top)
	big := strings.Repeat("x", 2000)
	gittest.WriteFiles(t, top, map[string]string{
		"big.go":             big,
		"small.go":           "package small",
		"notes.txt":          "not wanted",
		"vendor/v.go":        "skipped",
		"vendor/deep/w.go":   "skipped",
		"src/vendor/keep.go": "Skip sees the full path, so this one stays",
	})

	var skipCalls []string
	f := Filter{
		Skip: func(p string, isDir bool) bool {
			skipCalls = append(skipCalls, p)
			return isDir && p == "vendor"
		},
		Want:    func(p string) bool { return strings.HasSuffix(p, ".go") },
		MaxSize: 1000,
	}
	files := walkAll(t, mustDir(t, top), f)
	if got, want := pathsOf(files), []string{"big.go", "small.go", "src/vendor/keep.go"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for _, p := range skipCalls {
		if strings.HasPrefix(p, "vendor/") {
			t.Errorf("Skip asked about %q inside the skipped directory", p)
		}
	}
	checkFilteredFiles(t, files, big)
}

// checkFilteredFiles checks big.go and small.go as offered under MaxSize
// 1000: read, and their size checked, only when Content is called.
func checkFilteredFiles(t *testing.T, files []File, big string) {
	t.Helper()
	for _, file := range files {
		switch file.Path {
		case "big.go":
			if file.Data != nil {
				t.Errorf("big.go: read by the walk (%d bytes)", len(file.Data))
			}
			if _, err := file.Content(); !errors.Is(err, ErrOversize) {
				t.Errorf("big.go: Content error = %v, want ErrOversize", err)
			}
		case "small.go":
			data, err := file.Content()
			if err != nil || string(data) != "package small" || file.Oversize {
				t.Errorf("small.go: Content = %q, %v; Oversize=%v Size=%d", data, err, file.Oversize, file.Size)
			}
		}
	}
}

// revRepo builds a repository with history: c0..c3 on main, an annotated
// tag v1 on c2, a lightweight tag v2 on c0, a branch feature at c1 and a
// branch whose name is the first four hex digits of c3's id, pointing at c1.
func revRepo(t *testing.T) (dir string, ids []string) {
	t.Helper()
	dir = t.TempDir()
	gittest.Init(t, dir)
	for i := range 4 {
		gittest.WriteFiles(t, dir, map[string]string{
			"main.go":                fmt.Sprintf("package main // v%d", i),
			fmt.Sprintf("f%d.go", i): "file",
			"pkg/a.go":               "package pkg",
		})
		gittest.Commit(t, dir, fmt.Sprintf("c%d", i))
		ids = append(ids, strings.TrimSpace(gittest.Output(t, dir, "rev-parse", "HEAD")))
	}
	gittest.Output(t, dir, "-c", "user.name=t", "-c", "user.email=t@e", "tag", "-a", "v1", "-m", "v1", ids[2])
	gittest.Output(t, dir, "tag", "v2", ids[0])
	gittest.Output(t, dir, "branch", "feature", ids[1])
	gittest.Output(t, dir, "branch", ids[3][:4], ids[1])
	return dir, ids
}

func TestRevResolve(t *testing.T) {
	dir, ids := revRepo(t)
	hexBranch := ids[3][:4]
	revs := []string{
		"HEAD", "HEAD~3", "HEAD^", "HEAD^^", "@~1", "main", "main~2", "refs/heads/main", "feature", "feature^0",
		"v1", "v1~1", "v1^{commit}", "v2", "refs/tags/v2", ids[2][:7], ids[1], ids[0][:5] + "~0",
		hexBranch, hexBranch + "~1", "HEAD^{/c1}",
	}
	for _, rev := range revs {
		t.Run(rev, func(t *testing.T) {
			want := strings.TrimSpace(gittest.Output(t, dir, "rev-parse", "--verify", "-q", rev+"^{commit}"))
			if got := mustRev(t, dir, rev).Commit(); got != want {
				t.Errorf("Rev(%q).Commit() = %s, git rev-parse says %s", rev, got, want)
			}
		})
	}
	// The hex-named branch is the case where go-git alone disagrees with git.
	if got := mustRev(t, dir, hexBranch).Commit(); got != ids[1] {
		t.Errorf("Rev(%q) = %s, want the branch's %s, not the commit %s", hexBranch, got, ids[1], ids[3])
	}
	if got := mustRev(t, dir, "").Commit(); got != ids[3] {
		t.Errorf(`Rev("") = %s, want HEAD %s`, got, ids[3])
	}
}

func TestRevOpen(t *testing.T) {
	dir, ids := revRepo(t)
	bare := filepath.Join(t.TempDir(), "bare.git")
	gittest.Output(t, dir, "clone", "-q", "--bare", dir, bare)
	wt := filepath.Join(t.TempDir(), "wt")
	gittest.Output(t, dir, "worktree", "add", "-q", wt, "feature")
	// Clones whose objects all live in another repository, reached through
	// objects/info/alternates with an absolute and with a relative path.
	shared := filepath.Join(t.TempDir(), "shared")
	gittest.Output(t, dir, "clone", "-q", "--shared", dir, shared)
	sharedRel := filepath.Join(t.TempDir(), "shared-rel")
	gittest.Output(t, dir, "clone", "-q", "--shared", dir, sharedRel)
	altFile := filepath.Join(sharedRel, ".git", "objects", "info", "alternates")
	rel, err := filepath.Rel(filepath.Join(sharedRel, ".git", "objects"), filepath.Join(dir, ".git", "objects"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(altFile, []byte(rel+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := gittest.Output(t, shared, "count-objects"); !strings.HasPrefix(n, "0 objects") {
		t.Fatalf("shared clone has objects of its own: %s", n)
	}

	tests := []struct {
		name, repoDir, rev, want string
	}{
		{"work tree", dir, "HEAD", ids[3]},
		{".git dir", filepath.Join(dir, ".git"), "HEAD", ids[3]},
		{"subdir of work tree", filepath.Join(dir, "pkg"), "HEAD~1", ids[2]},
		{"bare clone", bare, "HEAD~2", ids[1]},
		{"bare clone, tag", bare, "v1", ids[2]},
		{"linked worktree", wt, "HEAD", ids[1]},
		{"alternates", shared, "HEAD~1", ids[2]},
		{"alternates, abbreviated id", shared, ids[1][:8], ids[1]},
		{"relative alternates", sharedRel, "origin/feature", ids[1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := mustRev(t, tt.repoDir, tt.rev)
			if got := src.Commit(); got != tt.want {
				t.Fatalf("Commit() = %s, want %s", got, tt.want)
			}
			checkTreeMatchesGit(t, tt.repoDir, src, tt.want)
		})
	}
}

// checkTreeMatchesGit compares what src yields with `git ls-tree`: paths,
// blob ids, sizes and content.
func checkTreeMatchesGit(t *testing.T, repoDir string, src Source, commitID string) {
	t.Helper()
	type entry struct {
		id   string
		size int64
	}
	want := map[string]entry{}
	var wantPaths []string
	for _, line := range gitLines(t, repoDir, "ls-tree", "--full-tree", "-r", "-l", "-z", commitID) {
		meta, path, _ := strings.Cut(line, "\t")
		fields := strings.Fields(meta) // mode type id size
		if fields[0] != "100644" && fields[0] != "100755" {
			continue
		}
		var size int64
		fmt.Sscan(fields[3], &size)
		want[path] = entry{fields[2], size}
		wantPaths = append(wantPaths, path)
	}
	files := walkAll(t, src, Filter{})
	if got := pathsOf(files); !slices.Equal(got, wantPaths) {
		t.Fatalf("paths %q, git ls-tree says %q", got, wantPaths)
	}
	checkSorted(t, wantPaths)
	for _, f := range files {
		w := want[f.Path]
		data, err := f.Content()
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if f.BlobID != w.id || int64(len(data)) != w.size {
			t.Errorf("%s: BlobID %s, %d bytes; git says %s, %d", f.Path, f.BlobID, len(data), w.id, w.size)
		}
		if content := gittest.Output(t, repoDir, "cat-file", "blob", f.BlobID); string(data) != content {
			t.Errorf("%s: content %q, git cat-file says %q", f.Path, data, content)
		}
	}
}

func TestRevErrors(t *testing.T) {
	dir, _ := revRepo(t)
	plain := t.TempDir()
	if _, ok, _ := git.WorkTreeOf(plain); ok {
		t.Skip("temporary directory is inside a work tree")
	}
	tests := []struct {
		name, repoDir, rev, wantMsg string
		wantErr                     error
	}{
		{"not a repository", plain, "HEAD", "open repository " + plain + ": repository does not exist", git.ErrNotRepository},
		{"missing dir", filepath.Join(plain, "nope"), "HEAD", "open repository " + filepath.Join(plain, "nope") + ": no such file or directory", fs.ErrNotExist},
		{"unknown rev", dir, "nosuch", "resolve revision nosuch: reference not found", nil},
		{"past the root", dir, "HEAD~9", "resolve revision HEAD~9: no such ancestor commit", nil},
		{"no second parent", dir, "HEAD^2", "resolve revision HEAD^2: no such ancestor commit", nil},
		{"reflog", dir, "HEAD@{1}", "resolve revision HEAD@{1}: reflog selectors and rev:path are not supported", nil},
		{"rev:path", dir, "HEAD:main.go", "resolve revision HEAD:main.go: reflog selectors and rev:path are not supported", nil},
		{"too short an id", dir, "a", "resolve revision a: reference not found", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Rev(tt.repoDir, tt.rev)
			if err == nil || err.Error() != tt.wantMsg {
				t.Fatalf("Rev error = %v, want %q", err, tt.wantMsg)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantErr)
			}
		})
	}
}

// TestRevSkipsSymlinksAndSubmodules: symlinks and gitlinks are never read
// nor followed, only offered with Special set, to be counted.
func TestRevSkipsSymlinksAndSubmodules(t *testing.T) {
	dir := t.TempDir()
	gittest.Init(t, dir)
	gittest.WriteFiles(t, dir, map[string]string{"a.go": "a", "z/b.go": "b"})
	symlink(t, "a.go", filepath.Join(dir, "link.go"))
	gittest.Commit(t, dir, "one")
	head := strings.TrimSpace(gittest.Output(t, dir, "rev-parse", "HEAD"))
	// A gitlink, as a submodule leaves in the tree.
	gittest.Output(t, dir, "update-index", "--add", "--cacheinfo", "160000,"+head+",sub")
	gittest.Output(t, dir, "commit", "-q", "-m", "submodule") // not commit(): add -A would drop the gitlink
	if modes := gittest.Output(t, dir, "ls-tree", "HEAD"); !strings.Contains(modes, "120000") || !strings.Contains(modes, "160000") {
		t.Fatalf("tree lacks the symlink or the gitlink:\n%s", modes)
	}
	var files, special []File
	for _, f := range walkAll(t, mustRev(t, dir, "HEAD"), Filter{}) {
		if f.Special != "" {
			special = append(special, f)
			if _, err := f.Content(); err == nil {
				t.Errorf("%s (%s) has content", f.Path, f.Special)
			}
			continue
		}
		files = append(files, f)
	}
	if got, want := pathsOf(files), []string{"a.go", "z/b.go"}; !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	// Offered only to be counted.
	if len(special) != 2 || special[0].Path != "link.go" || special[0].Special != "symlink" || special[1].Path != "sub" || special[1].Special != "submodule" {
		t.Errorf("special entries %+v, want link.go (symlink) and sub (submodule)", special)
	}
}

// looseObject returns the file of a loose object in repository dir.
func looseObject(dir, id string) string {
	return filepath.Join(dir, ".git", "objects", id[:2], id[2:])
}

func TestRevFilter(t *testing.T) {
	dir := t.TempDir()
	gittest.Init(t, dir)
	big := strings.Repeat("x", 2000)
	gittest.WriteFiles(t, dir, map[string]string{
		"big.go":             big,
		"small.go":           "package small",
		"notes.txt":          "not wanted",
		"vendor/v.go":        "skipped",
		"vendor/deep/w.go":   "skipped",
		"src/vendor/keep.go": "stays",
	})
	gittest.Commit(t, dir, "one")
	var skipCalls []string
	f := Filter{
		Skip: func(p string, isDir bool) bool {
			skipCalls = append(skipCalls, p)
			return isDir && p == "vendor"
		},
		Want:    func(p string) bool { return strings.HasSuffix(p, ".go") },
		MaxSize: 1000,
	}
	files := walkAll(t, mustRev(t, dir, "HEAD"), f)
	if got, want := pathsOf(files), []string{"big.go", "small.go", "src/vendor/keep.go"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for _, p := range skipCalls {
		if strings.HasPrefix(p, "vendor/") {
			t.Errorf("Skip asked about %q inside the skipped directory", p)
		}
	}
	checkFilteredFiles(t, files, big)
	for _, file := range files {
		if file.BlobID == "" {
			t.Errorf("%s: no BlobID", file.Path)
		}
	}
}

// TestRevReadsOnlyWhatItMust proves that skipped trees and unwanted or
// oversize blobs are not read: their objects are removed or truncated, and
// the walk still succeeds, while a walk that does need them reports them
// and goes on.
func TestRevReadsOnlyWhatItMust(t *testing.T) {
	dir := t.TempDir()
	gittest.Init(t, dir)
	// Incompressible enough that a truncated object keeps only its header.
	var big strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&big, "%d,", i*7919%10007)
	}
	gittest.WriteFiles(t, dir, map[string]string{
		"a.go":        "package a",
		"big.go":      big.String(),
		"notes.txt":   "never read",
		"vendor/v.go": "never read",
	})
	gittest.Commit(t, dir, "one")
	objectID := func(rev string) string { return strings.TrimSpace(gittest.Output(t, dir, "rev-parse", rev)) }
	if err := os.Remove(looseObject(dir, objectID("HEAD:notes.txt"))); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(looseObject(dir, objectID("HEAD:vendor"))); err != nil {
		t.Fatal(err)
	}
	bigObj := looseObject(dir, objectID("HEAD:big.go"))
	if err := os.Chmod(bigObj, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(bigObj, 64); err != nil {
		t.Fatal(err)
	}

	src := mustRev(t, dir, "HEAD")
	frugal := Filter{
		Skip:    func(p string, isDir bool) bool { return p == "vendor" },
		Want:    func(p string) bool { return strings.HasSuffix(p, ".go") },
		MaxSize: 1000,
	}
	files := walkAll(t, src, frugal)
	if got, want := pathsOf(files), []string{"a.go", "big.go"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, err := files[1].Content(); !errors.Is(err, ErrOversize) || !strings.Contains(err.Error(), fmt.Sprint(big.Len())) {
		t.Errorf("big.go: Content error %v, want ErrOversize with its size, %d", err, big.Len())
	}

	// A walk that has to read a damaged object offers it with an error
	// naming it, and goes on with the other files.
	tests := []struct {
		name     string
		f        Filter
		badPath  string
		wantMsg  string
		goodPath string
	}{
		{"unwanted blob", Filter{Skip: frugal.Skip, MaxSize: frugal.MaxSize}, "notes.txt", "read blob", "a.go"},
		{"skipped tree", Filter{Want: frugal.Want, MaxSize: frugal.MaxSize}, "vendor", "read tree", "a.go"},
		{"oversize blob", Filter{Skip: frugal.Skip, Want: frugal.Want}, "big.go", "read blob", "a.go"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bad, good bool
			err := src.Walk(context.Background(), tt.f, func(f File) error {
				if _, cerr := f.Content(); f.Path == tt.badPath {
					bad = cerr != nil && strings.Contains(cerr.Error(), tt.wantMsg) && strings.Contains(cerr.Error(), tt.badPath)
				} else if f.Path == tt.goodPath {
					good = cerr == nil
				}
				return nil
			})
			if err != nil {
				t.Fatalf("Walk error = %v, want the walk to go on", err)
			}
			if !bad {
				t.Errorf("%s: not offered with an error containing %q", tt.badPath, tt.wantMsg)
			}
			if !good {
				t.Errorf("%s: not read after the damaged object", tt.goodPath)
			}
		})
	}
}

// TestRevMaxSizeStores checks sizes without reading, in each object store
// layout: loose objects, a pack with deltas, and objects reached through
// alternates (where go-git cannot size an object without reading it).
func TestRevMaxSizeStores(t *testing.T) {
	dir := t.TempDir()
	gittest.Init(t, dir)
	var big strings.Builder
	for i := range 500 {
		fmt.Fprintf(&big, "line %d of a large generated file\n", i)
	}
	for i := range 3 {
		gittest.WriteFiles(t, dir, map[string]string{"big.go": big.String() + fmt.Sprintf("// edit %d\n", i), "small.go": fmt.Sprint(i)})
		gittest.Commit(t, dir, fmt.Sprint(i))
	}
	packed := filepath.Join(t.TempDir(), "packed")
	gittest.Output(t, dir, "clone", "-q", "--no-local", dir, packed)
	gittest.Output(t, packed, "gc", "-q", "--aggressive")
	shared := filepath.Join(t.TempDir(), "shared")
	gittest.Output(t, dir, "clone", "-q", "--shared", dir, shared)

	for _, tt := range []struct{ name, dir string }{{"loose", dir}, {"packed", packed}, {"alternates", shared}} {
		t.Run(tt.name, func(t *testing.T) {
			for _, rev := range []string{"HEAD", "HEAD~2"} {
				files := walkAll(t, mustRev(t, tt.dir, rev), Filter{MaxSize: 100})
				for _, f := range files {
					size, err := parseSize(gittest.Output(t, tt.dir, "cat-file", "-s", f.BlobID))
					if err != nil {
						t.Fatal(err)
					}
					data, err := f.Content()
					if oversize := errors.Is(err, ErrOversize); oversize != (size > 100) || !oversize && (err != nil || int64(len(data)) != size) {
						t.Errorf("%s %s: Content %d bytes, %v; git size %d", rev, f.Path, len(data), err, size)
					}
				}
			}
		})
	}
}

func parseSize(s string) (int64, error) {
	var n int64
	_, err := fmt.Sscan(strings.TrimSpace(s), &n)
	return n, err
}

// TestWalkStops checks both sources for fn errors and cancellation.
func TestWalkStops(t *testing.T) {
	dir := t.TempDir()
	gittest.Init(t, dir)
	gittest.WriteFiles(t, dir, map[string]string{"a.go": "a", "b.go": "b", "c/d.go": "d"})
	gittest.Commit(t, dir, "one")
	sources := map[string]Source{"dir": mustDir(t, dir), "rev": mustRev(t, dir, "HEAD")}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			stop := errors.New("stop")
			calls := 0
			err := src.Walk(context.Background(), Filter{}, func(File) error {
				calls++
				return stop
			})
			if err != stop || calls != 1 {
				t.Errorf("fn error: Walk = %v after %d calls, want stop after 1", err, calls)
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls = 0
			err = src.Walk(ctx, Filter{}, func(File) error {
				calls++
				cancel()
				return nil
			})
			if !errors.Is(err, context.Canceled) || calls != 1 {
				t.Errorf("cancel: Walk = %v after %d calls, want context.Canceled after 1", err, calls)
			}
		})
	}
}

// TestRevConcurrentWalks checks that one RevSource may be walked from
// several goroutines (run with -race): go-git itself may not.
func TestRevConcurrentWalks(t *testing.T) {
	dir, _ := revRepo(t)
	gittest.Output(t, dir, "gc", "-q") // packed objects share go-git's pack readers
	src := mustRev(t, dir, "HEAD")
	want := pathsOf(walkAll(t, src, Filter{}))
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var got []string
			err := src.Walk(context.Background(), Filter{}, func(f File) error {
				got = append(got, f.Path)
				return nil
			})
			if err == nil && !slices.Equal(got, want) {
				err = fmt.Errorf("got %q, want %q", got, want)
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestDirAndRevAgree checks that a clean checkout and its commit yield the
// same files in the same order.
func TestDirAndRevAgree(t *testing.T) {
	dir, _ := revRepo(t)
	gittest.WriteFiles(t, dir, map[string]string{"a.txt": "1", "a/b.go": "2", "a-b.go": "3", "a b.go": "4"})
	gittest.Commit(t, dir, "names that sort differently in a tree and in a directory")
	fromDir := walkAll(t, mustDir(t, dir), Filter{})
	fromRev := walkAll(t, mustRev(t, dir, "HEAD"), Filter{})
	if got, want := pathsOf(fromDir), pathsOf(fromRev); !slices.Equal(got, want) {
		t.Fatalf("Dir %q\nRev %q", got, want)
	}
	for i := range fromDir {
		data, err := fromDir[i].Content()
		revData, revErr := fromRev[i].Content()
		if err != nil || revErr != nil || !bytes.Equal(data, revData) {
			t.Errorf("%s: Dir content %q (%v), Rev %q (%v)", fromDir[i].Path, data, err, revData, revErr)
		}
	}
}
