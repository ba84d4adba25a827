// Package gittest builds real git repositories for tests, with the git
// command line: every package's tests make their repositories, histories,
// clones and pushes through it, so that they all run git the same way,
// isolated from the machine's and the user's configuration and from the
// environment of a surrounding hook.
package gittest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Identity is a commit's author or committer.
type Identity struct{ Name, Email string }

// Ada is the identity commits have unless told otherwise.
var Ada = Identity{Name: "Ada", Email: "ada@example.com"}

// Options say how git runs: who commits, and when.
type Options struct {
	Author, Committer Identity // zero: Ada
	// Date is the author and committer date of commits (with TZ=UTC);
	// "" lets git take the time of day.
	Date string
	// Env is added to the environment.
	Env []string
	// Drop are prefixes of variables of the process environment to leave
	// out (GIT_ ones always are), e.g. the tool's own settings.
	Drop []string
}

// hookVariables are the variables of a surrounding git hook or of a
// developer's shell that would point git elsewhere.
var hookVariables = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES", "GIT_QUARANTINE_PATH",
}

// Isolate clears the GIT_* variables that point git at another repository
// from the process environment: a test binary run inside a hook (as the
// quarantine tests do) or by a developer with GIT_DIR set must not see them.
// Call it from TestMain.
func Isolate() {
	for _, k := range hookVariables {
		os.Unsetenv(k)
	}
}

// Environ returns the environment git runs with under o: the process's
// without GIT_* variables (nor those o drops), in UTC, with no system or
// global configuration, and o's identity and date.
func (o Options) Environ() []string {
	author, committer := o.Author, o.Committer
	if author == (Identity{}) {
		author = Ada
	}
	if committer == (Identity{}) {
		committer = Ada
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !hasAnyPrefix(kv, o.Drop) {
			env = append(env, kv)
		}
	}
	env = append(env, "TZ=UTC",
		// No system or global configuration, and no default global
		// excludes file ($XDG_CONFIG_HOME/git/ignore) either.
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=core.excludesFile", "GIT_CONFIG_VALUE_0="+os.DevNull,
		"GIT_AUTHOR_NAME="+author.Name, "GIT_AUTHOR_EMAIL="+author.Email,
		"GIT_COMMITTER_NAME="+committer.Name, "GIT_COMMITTER_EMAIL="+committer.Email)
	if o.Date != "" {
		env = append(env, "GIT_AUTHOR_DATE="+o.Date, "GIT_COMMITTER_DATE="+o.Date)
	}
	return append(env, o.Env...)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Command returns the command name args to run in dir with o's
// environment: git, or a program that runs git (a hook, the tool itself).
func (o Options) Command(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = o.Environ()
	return cmd
}

// Output runs git in dir and returns its standard output as it is. A
// failure ends the test with git's standard error.
func (o Options) Output(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git is not installed")
	}
	cmd := o.Command(dir, "git", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("git %s (in %s): %v\n%s%s", strings.Join(args, " "), dir, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

// Run runs git in dir as Output does, and returns its output trimmed.
func (o Options) Run(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	return strings.TrimSpace(o.Output(tb, dir, args...))
}

// Output runs git in dir with the default Options and returns its
// standard output as it is.
func Output(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	return Options{}.Output(tb, dir, args...)
}

// CommitFiles writes files under dir as WriteFiles does, commits
// everything with the default Options and returns the new commit's id.
func CommitFiles(tb testing.TB, dir, msg string, files map[string]string) string {
	tb.Helper()
	WriteFiles(tb, dir, files)
	Commit(tb, dir, msg)
	return Run(tb, dir, "rev-parse", "HEAD")
}

// Commit commits everything in the work tree at dir (empty commits too)
// with the default Options.
func Commit(tb testing.TB, dir, msg string) {
	tb.Helper()
	Run(tb, dir, "add", "-A")
	Run(tb, dir, "commit", "-q", "--allow-empty", "-m", msg)
}

// Run runs git in dir with the default Options.
func Run(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	return Options{}.Run(tb, dir, args...)
}

// WriteFile writes content to path, making its directory.
func WriteFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// WriteFiles writes files (slash-separated paths under root); content ""
// removes a file.
func WriteFiles(tb testing.TB, root string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		WriteFile(tb, p, content)
	}
}

// Repo is a repository with a work tree, changed with the git CLI.
type Repo struct {
	TB  testing.TB
	Dir string
	// Options of its git commands.
	Options Options
	// Clock, when set, dates the commands run after the n-th commit
	// (n from 0): Options.Date is Clock(n).
	Clock func(n int) string

	commits int
}

// Init makes a repository in dir (made if need be) with the branch main (git init -q -b main
// and args, e.g. --bare).
func Init(tb testing.TB, dir string, args ...string) *Repo {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	r := &Repo{TB: tb, Dir: dir}
	r.Git(append([]string{"init", "-q", "-b", "main"}, args...)...)
	return r
}

// New makes a repository in a temporary directory.
func New(tb testing.TB) *Repo {
	tb.Helper()
	return Init(tb, tb.TempDir())
}

// Git runs git in the repository and returns its output, trimmed.
func (r *Repo) Git(args ...string) string {
	r.TB.Helper()
	o := r.Options
	if r.Clock != nil {
		o.Date = r.Clock(r.commits)
	}
	return o.Run(r.TB, r.Dir, args...)
}

// Write writes files into the work tree; content "" removes a file.
func (r *Repo) Write(files map[string]string) {
	r.TB.Helper()
	WriteFiles(r.TB, r.Dir, files)
}

// Commit writes files as Write does, commits everything (empty commits
// too) and returns the new commit's id.
func (r *Repo) Commit(msg string, files map[string]string) string {
	r.TB.Helper()
	r.Write(files)
	r.commits++
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	return r.Head()
}

// Head returns the id of HEAD.
func (r *Repo) Head() string {
	r.TB.Helper()
	return r.Git("rev-parse", "HEAD")
}

// Commits returns how many commits Commit made.
func (r *Repo) Commits() int { return r.commits }

// Tick is a Clock: after the n-th commit, commands are dated n seconds
// after start.
func Tick(start time.Time) func(int) string {
	return func(n int) string {
		return start.Add(time.Duration(n) * time.Second).Format(time.RFC3339)
	}
}

// CloneBare makes a bare clone of the repository src in a temporary
// directory over file://, so that it gets the pack a server sends rather
// than hard links to src's objects, and returns its path.
func CloneBare(tb testing.TB, src string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "clone.git")
	Run(tb, src, "clone", "-q", "--bare", "file://"+src, dir)
	return dir
}

// FetchKeepingPack fetches every branch of origin into the bare clone dir,
// overwriting its branches, and keeps the pack it receives as it is, as
// git does for more than fetch.unpackLimit objects: a thin pack, completed
// by index-pack, whose objects are deltas on those the clone had.
func FetchKeepingPack(tb testing.TB, dir string) {
	tb.Helper()
	Run(tb, dir, "-c", "fetch.unpackLimit=1", "fetch", "-q", "origin", "+refs/heads/*:refs/heads/*")
}

// ManyFiles returns n files named prefix, their number from first on
// and "_settings.js", each of whose content is content(i): with a prefix of
// "dir/component_", a directory whose tree is over 64 KiB when n is above
// about 1,100.
func ManyFiles(prefix string, first, n int, content func(i int) string) map[string]string {
	files := make(map[string]string, n)
	for i := first; i < first+n; i++ {
		files[fmt.Sprintf("%s%05d_settings.js", prefix, i)] = content(i)
	}
	return files
}

// CrossedDeltas commits twice into r a directory big/ whose trees are over
// 64 KiB and a file big/large.js over 64 KiB, both made of content(i) for
// numbered files i, changed so that when the repository is packed one
// version of each is a delta on the other that copies from its base
// forward, then back, then forward past where it had been: what git's
// packs of real histories are full of, and what go-git's streaming delta
// reader (LargeObjectThreshold) copies from the wrong place. Parts a, b,
// c, d become b, a, d: in the file by moving text; in the directory by
// renaming the first file of part a to sort after part b and deleting part
// c (a delta then reads that file's hash from the start of its base,
// between copies of b and d). between, if not nil, runs after the first
// commit (to clone it, say). It returns the two commits.
func CrossedDeltas(r *Repo, content func(i int) string, between func()) (first, second string) {
	r.TB.Helper()
	type part struct {
		name     string
		first, n int
	}
	a, b, c, d := part{"a", 0, 200}, part{"b", 200, 1000}, part{"c", 1200, 1000}, part{"d", 2200, 1000}
	files := map[string]string{}
	large := func(parts ...part) string {
		var s strings.Builder
		for _, p := range parts {
			for i := p.first; i < p.first+p.n; i++ {
				s.WriteString(content(i))
			}
		}
		return s.String()
	}
	for _, p := range []part{a, b, c, d} {
		for name, data := range ManyFiles("big/"+p.name+"_", p.first, p.n, content) {
			files[name] = data
		}
	}
	files["big/large.js"] = large(a, b, c, d)
	first = r.Commit("parts a, b, c, d", files)
	if between != nil {
		between()
	}
	r.Git("mv", "big/a_00000_settings.js", "big/ba_00000_settings.js")
	files = map[string]string{"big/large.js": large(b, a, d)}
	for name := range ManyFiles("big/c_", c.first, c.n, content) {
		files[name] = ""
	}
	return first, r.Commit("parts b, a, d", files)
}

// FastImport feeds a git fast-import stream to the repository at dir, as
// histories converted from other systems and big synthetic ones are made,
// and leaves its objects in the pack fast-import writes.
func FastImport(tb testing.TB, dir, stream string) {
	tb.Helper()
	cmd := Options{}.Command(dir, "git", "fast-import", "--quiet")
	cmd.Stdin = strings.NewReader(stream)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("git fast-import: %v\n%s", err, out)
	}
}
