// Package workspace opens what every command that analyzes a repository
// works on: the repository (through scanner/git), its store, its
// configuration (found, loaded and overridden by flags and FLAGSCAN_*
// variables) and the scanner and analyzer they describe; and it pushes ref
// updates through the analyzer into the outbox. It prints nothing and
// delivers nothing.
package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/claims"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/holds"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
)

// Flags are the flags of every command that works on a repository and
// its store.
type Flags struct {
	Repo, DB, Config               string // the repository, the store (default: in its git directory), --config
	Repository, WebURL             string // the repository's name and web address in events
	AccountID, AccountName         string // override account
	EnvironmentID, EnvironmentName string // override the one environment
	Scan                           ScanSettings
	// NoWebhooks is set by commands that send nothing (status, flags,
	// log): the configuration's webhooks are not read, nor their secrets.
	NoWebhooks bool
}

// Workspace is an opened repository with its store and configuration.
type Workspace struct {
	Repo   *git.Repo
	Dir    string // as given
	DB     *sql.DB
	Config *config.Config
	Flags  *Flags
	// LookupEnv reads the environment that says who pushed; nil is
	// os.LookupEnv.
	LookupEnv func(string) (string, bool)

	scanner *scanner.Scanner // built by Open or on first use
}

// Open opens the repository, the store and the configuration f names.
func Open(ctx context.Context, f *Flags) (*Workspace, error) {
	return open(ctx, f, OpenStore)
}

// OpenReadOnly is Open for the commands that only read the store: see
// OpenStoreReadOnly.
func OpenReadOnly(ctx context.Context, f *Flags) (*Workspace, error) {
	return open(ctx, f, OpenStoreReadOnly)
}

func open(ctx context.Context, f *Flags, openStore func(context.Context, string) (*sql.DB, error)) (*Workspace, error) {
	if _, err := os.Stat(f.Repo); err != nil {
		return nil, fmt.Errorf("repository %s: %w", f.Repo, err)
	}
	repo, err := git.Open(f.Repo)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", f.Repo, err)
	}
	loc := repo.Location()
	load := config.Load
	if f.NoWebhooks {
		load = config.LoadWithoutWebhooks
	}
	cfg, err := loadConfig(f.Config, loc.WorkTree, loc.GitDir, load)
	if err != nil {
		return nil, err
	}
	if err := f.override(cfg); err != nil {
		return nil, err
	}
	// The rules are compiled before the store is opened: a bad rule must
	// not leave a new store behind.
	sc, err := NewScanner(cfg, f.Scan)
	if err != nil {
		return nil, err
	}
	db, err := openStore(ctx, StoreTarget(f.DB, loc.GitDir))
	if err != nil {
		return nil, err
	}
	return &Workspace{Repo: repo, Dir: f.Repo, DB: db, Config: cfg, Flags: f, scanner: sc}, nil
}

// override applies the command-line flags to the configuration.
func (f *Flags) override(c *config.Config) error {
	if f.AccountID != "" {
		c.Account.ID = f.AccountID
	}
	if f.AccountName != "" {
		c.Account.Name = f.AccountName
	}
	if f.EnvironmentID != "" || f.EnvironmentName != "" {
		if len(c.Environments) != 1 {
			return cli.Usagef("--environment-id and --environment-name need exactly one environment; the configuration has %d", len(c.Environments))
		}
		if f.EnvironmentID != "" {
			c.Environments[0].ID = f.EnvironmentID
		}
		if f.EnvironmentName != "" {
			c.Environments[0].Name = f.EnvironmentName
		}
	}
	return nil
}

// EnvDB names the store when --db does not: a SQLite file or a
// PostgreSQL URL that several machines share (a URL in a hook script or a
// CI log would show its password; the environment does not).
const EnvDB = "FLAGSCAN_DB"

// StoreTarget returns the store a command uses: --db (flag), else
// $FLAGSCAN_DB, else flagscan.db in the repository's git directory.
func StoreTarget(flag, gitDir string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv(EnvDB); env != "" {
		return env
	}
	return filepath.Join(gitDir, "flagscan.db")
}

// OpenStore opens the store target names, a SQLite file or a PostgreSQL
// URL, with the analyzer's, the outbox's and the hooks' holds' tables in
// place.
func OpenStore(ctx context.Context, target string) (*sql.DB, error) {
	return store.Open(ctx, target, schemas()...)
}

// schemas are the tables the store holds beside the analyzer's: the
// outbox, the hooks' holds and the sync jobs' claims.
func schemas() []store.Schema {
	return []store.Schema{outbox.Schema{}, holds.Schema{}, claims.Schema{}}
}

// OpenStoreReadOnly opens the store at path for reading only
// (store.OpenReadOnly): it never waits for a writer and works where the
// store cannot be written. Where there is no store yet, it is an empty
// one in memory: nothing has been analyzed.
func OpenStoreReadOnly(ctx context.Context, path string) (*sql.DB, error) {
	if !store.IsURL(path) {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return emptyStore(ctx)
		}
	}
	db, err := store.OpenReadOnly(ctx, path, schemas()...)
	if errors.Is(err, store.ErrEmpty) {
		return emptyStore(ctx)
	}
	return db, err
}

// emptyStore is a store in memory with nothing analyzed.
func emptyStore(ctx context.Context) (*sql.DB, error) {
	db, err := store.Open(ctx, ":memory:", schemas()...)
	if err == nil {
		// Each connection would be another database.
		db.SetMaxOpenConns(1)
	}
	return db, err
}

// Scanner returns the scanner the workspace's configuration describes,
// built once, reporting to Flags.Scan.Progress as it is now (sync sets it
// per branch).
func (w *Workspace) Scanner() (*scanner.Scanner, error) {
	if w.scanner == nil {
		sc, err := NewScanner(w.Config, w.Flags.Scan)
		if err != nil {
			return nil, err
		}
		w.scanner = sc
	}
	return w.scanner.WithProgress(w.Flags.Scan.Progress), nil
}

// Analyzer returns the analyzer the workspace's configuration describes.
func (w *Workspace) Analyzer() (*analyzer.Analyzer, error) {
	sc, err := w.Scanner()
	if err != nil {
		return nil, err
	}
	lookup := w.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	opts := analyzer.Options{
		Repository: RepositoryName(w.Flags.Repository, w.Dir),
		Account:    analyzer.Account{ID: w.Config.Account.ID, Name: w.Config.Account.Name},
		Actor:      ActorFromEnv(lookup, w.Config.Actor.Role),
		WebURL:     WebURL(w.Flags.WebURL),
	}
	for _, e := range w.Config.Environments {
		globs := e.Paths
		opts.Environments = append(opts.Environments, analyzer.Environment{ID: e.ID, Name: e.Name, Match: func(p string) bool {
			for _, g := range globs {
				if config.MatchGlob(g, p) {
					return true
				}
			}
			return false
		}})
	}
	branches := w.Config.Branches
	if len(branches) == 0 {
		if def := w.Repo.DefaultBranch(); def != "" {
			branches = []string{def}
		}
	}
	if len(branches) > 0 {
		opts.Tracked = func(b string) bool {
			for _, g := range branches {
				if config.MatchGlob(g, b) {
					return true
				}
			}
			return false
		}
	}
	return analyzer.New(w.DB, w.Repo, sc, opts), nil
}

// RepositoryName is the repository's name in events: the flag, else what
// the environment says, else the directory's name without ".git".
func RepositoryName(flag, dir string) string {
	for _, v := range []string{flag, os.Getenv("FLAGSCAN_REPOSITORY"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GL_PROJECT_PATH"), os.Getenv("CI_PROJECT_PATH")} {
		if v != "" {
			return v
		}
	}
	if owner, name := os.Getenv("GITEA_REPO_USER_NAME"), os.Getenv("GITEA_REPO_NAME"); owner != "" && name != "" {
		return owner + "/" + name
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	if filepath.Base(abs) == ".git" {
		abs = filepath.Dir(abs)
	}
	return strings.TrimSuffix(filepath.Base(abs), ".git")
}

// WebURL is the repository's web address for links: the flag, else
// $FLAGSCAN_WEB_URL, else what GitHub Actions or GitLab CI say.
func WebURL(flag string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv("FLAGSCAN_WEB_URL"); v != "" {
		return v
	}
	if server, repo := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"); server != "" && repo != "" {
		return strings.TrimSuffix(server, "/") + "/" + repo
	}
	if v := os.Getenv("CI_PROJECT_URL"); v != "" {
		return v + "/-"
	}
	return ""
}

// ActorFromEnv finds who pushed from the environment of the hook or CI
// run: flagscan's own variables first, then GitLab's, Gitea's, GitHub
// Enterprise Server's hooks and GitHub Actions'. Fields left empty are
// filled from the pushed commit's committer.
func ActorFromEnv(lookup func(string) (string, bool), role string) analyzer.Actor {
	get := func(names ...string) string {
		for _, n := range names {
			if v, ok := lookup(n); ok && v != "" {
				return v
			}
		}
		return ""
	}
	return analyzer.Actor{
		ID:    get("FLAGSCAN_USER_ID", "GL_USERNAME", "GITEA_PUSHER_NAME", "GITHUB_USER_LOGIN", "GITHUB_ACTOR"),
		Email: get("FLAGSCAN_USER_EMAIL", "GITEA_PUSHER_EMAIL"),
		Role:  role,
	}
}

// Push analyzes updates in order, each writing its events to the outbox
// for the configured subscriptions.
func (w *Workspace) Push(ctx context.Context, updates []analyzer.Update) ([]*analyzer.Outcome, error) {
	a, err := w.Analyzer()
	if err != nil {
		return nil, err
	}
	subs, err := Subscriptions(w.Config)
	if err != nil {
		return nil, err
	}
	sink := func(ctx context.Context, tx *sql.Tx, events []event.Event) error {
		return outbox.Enqueue(ctx, tx, subs, outbox.FromEvents(events, ""))
	}
	var outcomes []*analyzer.Outcome
	for _, u := range updates {
		o, err := a.Push(ctx, u, sink)
		if err != nil {
			return outcomes, fmt.Errorf("analyze %s %s..%s: %w", u.Ref, cli.Short(u.Old), cli.Short(u.New), err)
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, nil
}

// Subscriptions converts the configured webhooks into the emitter's
// subscriptions.
func Subscriptions(c *config.Config) ([]emitter.Subscription, error) {
	var out []emitter.Subscription
	for _, w := range c.Webhooks {
		s := emitter.Subscription{
			ID:          emitter.SubscriptionID(w.Description, w.URL),
			Description: w.Description,
			URL:         w.URL,
			Events:      w.Events,
			Secret:      emitter.Secret(w.Secret.Reveal()),
			Payload:     w.Payload,
			Format:      w.Format,
			ContentType: w.ContentType,
			Scopes:      w.Scopes,
		}
		if w.Body != nil {
			s.Body = w.Body
		}
		for _, h := range w.Headers {
			s.Headers = append(s.Headers, emitter.Header{Name: h.Name, Value: emitter.Secret(h.Value.Reveal())})
		}
		if err := s.Validate(); err != nil {
			return nil, cli.Usage(fmt.Errorf("%s: %w", c.File, err))
		}
		out = append(out, s)
	}
	return out, nil
}

// MatchAny reports whether name matches one of the globs.
func MatchAny(patterns []string, name string) bool {
	for _, g := range patterns {
		if config.MatchGlob(g, name) {
			return true
		}
	}
	return false
}

// Close closes the store.
func (w *Workspace) Close() error { return w.DB.Close() }

// CatchUp is the ref update that brings a branch from its stored snapshot
// (nil: none) to head: from the snapshot's commit, or for a branch never
// seen a baseline at head, which stores the snapshot and emits nothing.
func CatchUp(snap *store.Snapshot, branch, head string) analyzer.Update {
	ref := "refs/heads/" + branch
	if snap == nil {
		return analyzer.Update{Old: head, New: head, Ref: ref}
	}
	return analyzer.Update{Old: snap.Commit, New: head, Ref: ref}
}
