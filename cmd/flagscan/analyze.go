package main

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/holds"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner/git"
)

// repoFlags are the flags of every command that works on a repository and
// its store.
type repoFlags struct {
	repo, db, configPath string
	repository, webURL   string
	accountID, accountNm string
	environmentID, envNm string
	settings             scanSettings
}

func (f *repoFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.repo, "repo", "C", ".", "the repository, bare or not")
	fl.StringVar(&f.db, "db", "", "the SQLite store (default: flagscan.db in the repository's git directory)")
	fl.StringVar(&f.configPath, "config", "", "configuration file (default: $FLAGSCAN_CONFIG, else .flagscan.yml at the work tree's root, else flagscan.yml in the git directory)")
	fl.StringVar(&f.repository, "repository", "", "the repository's name in events (default: $FLAGSCAN_REPOSITORY, the CI's repository name, else the directory's name)")
	fl.StringVar(&f.webURL, "web-url", "", "the repository's web address, for links in events (default: $FLAGSCAN_WEB_URL or the CI's)")
	fl.StringVar(&f.accountID, "account-id", "", "account_id of events (overrides account.id)")
	fl.StringVar(&f.accountNm, "account-name", "", "account_name of events (overrides account.name)")
	fl.StringVar(&f.environmentID, "environment-id", "", "environment_id, when there is one environment (overrides it)")
	fl.StringVar(&f.envNm, "environment-name", "", "environment_name, when there is one environment (overrides it)")
	fl.BoolVar(&f.settings.noBuiltin, "no-builtin", false, "turn the built-in Flagship rules off")
	// The configuration's scan.context_lines applies: it is part of the
	// blob cache's fingerprint, so every command must agree on it.
	f.settings.contextLines = -1
}

// workspace is an opened repository with its store and configuration.
type workspace struct {
	repo  *git.Repo
	dir   string // as given
	db    *sql.DB
	cfg   *config.Config
	flags *repoFlags
	// lookupEnv reads the environment that says who pushed; nil is
	// os.LookupEnv.
	lookupEnv func(string) (string, bool)
}

// open opens the repository, the store and the configuration.
func (f *repoFlags) open(ctx context.Context) (*workspace, error) {
	if _, err := os.Stat(f.repo); err != nil {
		return nil, fmt.Errorf("repository %s: %w", f.repo, err)
	}
	repo, err := git.Open(f.repo)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", f.repo, err)
	}
	loc := repo.Location()
	cfg, err := loadConfig(f.configPath, loc.WorkTree, loc.GitDir)
	if err != nil {
		return nil, err
	}
	if err := f.override(cfg); err != nil {
		return nil, err
	}
	dbPath := f.db
	if dbPath == "" {
		dbPath = filepath.Join(loc.GitDir, "flagscan.db")
	}
	db, err := openStore(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	return &workspace{repo: repo, dir: f.repo, db: db, cfg: cfg, flags: f}, nil
}

// override applies the command-line flags to the configuration.
func (f *repoFlags) override(c *config.Config) error {
	if f.accountID != "" {
		c.Account.ID = f.accountID
	}
	if f.accountNm != "" {
		c.Account.Name = f.accountNm
	}
	if f.environmentID != "" || f.envNm != "" {
		if len(c.Environments) != 1 {
			return usagef("--environment-id and --environment-name need exactly one environment; the configuration has %d", len(c.Environments))
		}
		if f.environmentID != "" {
			c.Environments[0].ID = f.environmentID
		}
		if f.envNm != "" {
			c.Environments[0].Name = f.envNm
		}
	}
	return nil
}

// openStore opens the SQLite store with the analyzer's, the outbox's and
// the hooks' holds' tables in place.
func openStore(ctx context.Context, path string) (*sql.DB, error) {
	return store.Open(ctx, path, outbox.Schema{}, holds.Schema{})
}

// analyzer returns the analyzer the workspace's configuration describes.
func (w *workspace) analyzer() (*analyzer.Analyzer, error) {
	sc, err := newScanner(w.cfg, w.flags.settings)
	if err != nil {
		return nil, err
	}
	lookup := w.lookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	opts := analyzer.Options{
		Repository: repositoryName(w.flags.repository, w.dir),
		Account:    analyzer.Account{ID: w.cfg.Account.ID, Name: w.cfg.Account.Name},
		Actor:      actorFromEnv(lookup, w.cfg.Actor.Role),
		WebURL:     webURL(w.flags.webURL),
	}
	for _, e := range w.cfg.Environments {
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
	branches := w.cfg.Branches
	if len(branches) == 0 {
		if def := w.repo.DefaultBranch(); def != "" {
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
	return analyzer.New(w.db, w.repo, sc, opts), nil
}

// repositoryName is the repository's name in events: the flag, else what
// the environment says, else the directory's name without ".git".
func repositoryName(flag, dir string) string {
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

// webURL is the repository's web address for links: the flag, else
// $FLAGSCAN_WEB_URL, else what GitHub Actions or GitLab CI say.
func webURL(flag string) string {
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

// actorFromEnv finds who pushed from the environment of the hook or CI
// run: flagscan's own variables first, then GitLab's, Gitea's, GitHub
// Enterprise Server's hooks and GitHub Actions'. Fields left empty are
// filled from the pushed commit's committer.
func actorFromEnv(lookup func(string) (string, bool), role string) analyzer.Actor {
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
