package analyzer

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/rules"
)

// testRepo is a real git repository in a temporary directory, changed
// with the git CLI.
type testRepo struct {
	t   *testing.T
	dir string
	n   int // commits made, for distinct dates
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	date := time.Date(2026, 1, 1, 0, 0, r.n, 0, time.UTC).Format(time.RFC3339)
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Bob", "GIT_COMMITTER_EMAIL=bob@example.com", "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+r.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files ("" content deletes the file) and commits them,
// returning the new commit id.
func (r *testRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.n++
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.head()
}

func (r *testRepo) head() string { return r.git("rev-parse", "HEAD") }

const zero = "0000000000000000000000000000000000000000"

// flagJS is a JavaScript file referencing the given keys.
func flagJS(keys ...string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("visitor.getFlag(\"" + k + "\", false);\n")
	}
	return b.String()
}

// harness is an analyzer over a test repository with a real SQLite file;
// its sink records events in a table of the same database, inside the
// snapshot's transaction.
type harness struct {
	t      *testing.T
	repo   *testRepo
	dbPath string
	db     *sql.DB
	opts   Options
}

func newHarness(t *testing.T, repo *testRepo) *harness {
	t.Helper()
	h := &harness{t: t, repo: repo, dbPath: filepath.Join(t.TempDir(), "flagscan.db")}
	h.open()
	return h
}

func (h *harness) open() {
	h.t.Helper()
	db, err := store.Open(context.Background(), h.dbPath)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS test_events (id TEXT PRIMARY KEY, event TEXT, key TEXT, env TEXT, sha TEXT)`); err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	h.t.Cleanup(func() { db.Close() })
}

func (h *harness) analyzer() *Analyzer {
	h.t.Helper()
	engine, err := scanner.NewEngine(rules.New(true, nil, nil), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	repo, err := git.PlainOpen(h.repo.dir)
	if err != nil {
		h.t.Fatal(err)
	}
	opts := h.opts
	opts.Repository = "test"
	return New(h.db, repo, scanner.New(engine, scanner.Options{Workers: 2}), opts)
}

func (h *harness) sink(ctx context.Context, tx *sql.Tx, events []Event) error {
	for _, e := range events {
		if _, err := tx.ExecContext(ctx, `INSERT INTO test_events (id, event, key, env, sha) VALUES (?, ?, ?, ?, ?)`,
			e.ID, e.Body.Event, e.Body.FlagKey, e.Body.EnvironmentID, e.Body.Commit.SHA); err != nil {
			return err
		}
	}
	return nil
}

// push analyzes one update and returns its events as "Flag.new key" lines, sorted.
func (h *harness) push(old, new string) []string {
	h.t.Helper()
	out, err := h.analyzer().Push(context.Background(), Update{Old: old, New: new, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		h.t.Fatal(err)
	}
	return describeEvents(out.Events)
}

func describeEvents(events []Event) []string {
	out := []string{}
	for _, e := range events {
		s := e.Body.Event + " " + e.Body.FlagKey
		if e.Body.EnvironmentID != "default" {
			s += " @" + e.Body.EnvironmentID
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
