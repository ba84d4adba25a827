package analyzer

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store/storetest"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/git/gittest"
	"github.com/flagscan/flagscan/scanner/rules"
)

// newTestRepo is a real git repository in a temporary directory, changed
// with the git CLI: commits by Ada, committed by Bob, a second apart.
func newTestRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Options.Author = gittest.Identity{Name: "Ada", Email: "ada@example.com"}
	r.Options.Committer = gittest.Identity{Name: "Bob", Email: "bob@example.com"}
	r.Clock = gittest.Tick(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return r
}

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
	repo   *gittest.Repo
	dbPath string
	db     *sql.DB
	opts   Options
}

func newHarness(t *testing.T, repo *gittest.Repo) *harness {
	t.Helper()
	h := &harness{t: t, repo: repo, dbPath: storetest.Target(t)}
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
	repo, err := git.Open(h.repo.Dir)
	if err != nil {
		h.t.Fatal(err)
	}
	opts := h.opts
	opts.Repository = "test"
	return New(h.db, repo, scanner.New(engine, scanner.Options{Workers: 2}), opts)
}

func (h *harness) sink(ctx context.Context, tx *sql.Tx, events []event.Event) error {
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

func describeEvents(events []event.Event) []string {
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
