// Package delivery sends what the outbox holds: inline after an analysis,
// within a budget, and as the deliver, deliveries and webhook commands do.
// It finds the store and the webhooks the way the analysis commands do,
// builds deliverers from the configuration, and adds the webhook that a
// CI job gives by flags or FLAGSCAN_* variables. It analyzes nothing.
package delivery

import (
	"context"
	"database/sql"
	"os"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/scanner/git"
)

// Flags are the flags of the delivery commands: where the store and
// the configuration are. They default as push's do, so that `flagscan
// deliver` run where `flagscan push` ran finds the same outbox.
type Flags struct {
	Repo, DB, Config string // the repository, the store (default: in its git directory), --config
}

// location returns where the repository of f.Repo is; outside one, the
// directory stands for the git directory.
func (f *Flags) location() git.Location {
	if loc, err := git.Discover(f.Repo); err == nil {
		return loc
	}
	return git.Location{GitDir: f.Repo}
}

// config loads the configuration, found as for push (configFile).
func (f *Flags) config() (*config.Config, error) {
	loc := f.location()
	c, err := workspace.LoadConfig(f.Config, loc.WorkTree, loc.GitDir)
	if err != nil {
		return nil, err
	}
	// The webhook a CI gives by FLAGSCAN_WEBHOOK_URL is delivered as the
	// file's are, by every command that delivers.
	if err := (&Webhook{}).Apply(c, os.LookupEnv); err != nil {
		return nil, err
	}
	return c, nil
}

// subscriptions loads the configuration, as config does, and returns it
// with its webhooks.
func (f *Flags) subscriptions() (*config.Config, []emitter.Subscription, error) {
	c, err := f.config()
	if err != nil {
		return nil, nil, err
	}
	subs, err := workspace.Subscriptions(c)
	return c, subs, err
}

// path returns the store: --db, else $FLAGSCAN_DB, else flagscan.db in
// the repository's git directory.
func (f *Flags) path() string {
	return workspace.StoreTarget(f.DB, f.location().GitDir)
}

// existing returns the store, which must exist already: the delivery
// commands never create a SQLite file, so that a mistyped --db says so. A
// PostgreSQL database exists once someone made it; its tables are made by
// the first command that opens it.
func (f *Flags) existing() (string, error) {
	p := f.path()
	if store.IsURL(p) {
		return p, nil
	}
	if _, err := os.Stat(p); err != nil {
		if os.IsNotExist(err) {
			return "", cli.Usagef("no store at %s: give --db, or run where flagscan push ran", p)
		}
		return "", err
	}
	return p, nil
}

// open opens the existing store.
func (f *Flags) open(ctx context.Context) (*sql.DB, error) {
	p, err := f.existing()
	if err != nil {
		return nil, err
	}
	return workspace.OpenStore(ctx, p)
}

// openReadOnly opens the existing store for reading only: the listing
// commands work on a store they cannot write and never wait for a writer.
func (f *Flags) openReadOnly(ctx context.Context) (*sql.DB, error) {
	p, err := f.existing()
	if err != nil {
		return nil, err
	}
	return workspace.OpenStoreReadOnly(ctx, p)
}
