package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/deliver"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner/git"
)

// emitFlags are the flags of the delivery commands: where the store and
// the configuration are. They default as push's do, so that `flagscan
// deliver` run where `flagscan push` ran finds the same outbox.
type emitFlags struct {
	repo, db, configPath string
}

// register adds the flags to cmd, as persistent flags so that
// sub-commands share them.
func (f *emitFlags) register(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringVarP(&f.repo, "repo", "C", ".", "the repository whose store and configuration to use")
	fl.StringVar(&f.db, "db", "", "the SQLite store (default: flagscan.db in the repository's git directory)")
	fl.StringVar(&f.configPath, "config", "", "configuration file (default: $FLAGSCAN_CONFIG, else .flagscan.yml at the work tree's root, else flagscan.yml in the git directory)")
}

// location returns where the repository of f.repo is; outside one, the
// directory stands for the git directory.
func (f *emitFlags) location() git.Location {
	if loc, err := git.Discover(f.repo); err == nil {
		return loc
	}
	return git.Location{GitDir: f.repo}
}

// config loads the configuration, found as for push (configFile).
func (f *emitFlags) config() (*config.Config, error) {
	loc := f.location()
	return loadConfig(f.configPath, loc.WorkTree, loc.GitDir)
}

// subscriptions loads the configuration, as config does, and returns it
// with its webhooks.
func (f *emitFlags) subscriptions() (*config.Config, []emitter.Subscription, error) {
	c, err := f.config()
	if err != nil {
		return nil, nil, err
	}
	subs, err := subscriptions(c)
	return c, subs, err
}

// path returns the store's path: --db, else flagscan.db in the
// repository's git directory.
func (f *emitFlags) path() string {
	if f.db != "" {
		return f.db
	}
	return filepath.Join(f.location().GitDir, "flagscan.db")
}

// open opens the store, which must exist already: the delivery commands
// never create one, so that a mistyped --db says so.
func (f *emitFlags) open(ctx context.Context) (*sql.DB, error) {
	p := f.path()
	if _, err := os.Stat(p); err != nil {
		if os.IsNotExist(err) {
			return nil, usagef("no store at %s: give --db, or run where flagscan push ran", p)
		}
		return nil, err
	}
	return openStore(ctx, p)
}

// deliveryOptions returns the deliverer options of a configuration.
func deliveryOptions(c *config.Config, log *slog.Logger) deliver.Options {
	o := deliver.Options{
		Timeout:       c.Delivery.Timeout,
		RetrySchedule: c.Delivery.RetrySchedule,
		AllowHosts:    c.Delivery.AllowHosts,
		Logger:        log,
	}
	if o.RetrySchedule == nil {
		o.RetrySchedule = deliver.DefaultRetrySchedule()
	}
	return o
}

// newDeliverer returns a deliverer for the configured webhooks, with the
// configuration's delivery settings and o's overrides.
func newDeliverer(db *sql.DB, c *config.Config, log *slog.Logger, workers int) (*deliver.Deliverer, []emitter.Subscription, error) {
	subs, err := subscriptions(c)
	if err != nil {
		return nil, nil, err
	}
	o := deliveryOptions(c, log)
	o.Workers = workers
	d, err := deliver.New(db, subs, o)
	if err != nil {
		return nil, nil, usageError{err}
	}
	return d, subs, nil
}

// deliverAfterPush is the inline delivery of `flagscan push`: what is due
// is sent for at most delivery.inline_budget (0: nothing), and the rest is
// left to `flagscan deliver`. Failures are logged to w and never fail the
// push: the events are safe in the outbox.
func deliverAfterPush(ctx context.Context, w io.Writer, db *sql.DB, c *config.Config) {
	budget := c.Delivery.InlineBudget
	if budget <= 0 || len(c.Webhooks) == 0 {
		return
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, _, err := newDeliverer(db, c, log, 0)
	if err != nil {
		fmt.Fprintf(w, "flagscan: webhooks: %v\n", err)
		return
	}
	defer d.Close()
	st, err := d.Deliver(ctx, budget)
	if err != nil {
		fmt.Fprintf(w, "flagscan: delivering webhooks: %v (the events stay in the outbox)\n", err)
		return
	}
	if st.Claimed > st.Delivered {
		fmt.Fprintf(w, "flagscan: webhooks: %d delivered, %d to be retried by `flagscan deliver`\n", st.Delivered, st.Claimed-st.Delivered)
	}
}

// unconfigured returns the number of pending deliveries per subscription
// that the configuration does not hold (removed, or its description or URL
// changed): they wait until it does again.
func unconfigured(ctx context.Context, db *sql.DB, subs []emitter.Subscription) (map[string]int, map[string]string, error) {
	known := map[string]bool{}
	for _, s := range subs {
		known[s.ID] = true
	}
	ds, err := outbox.List(ctx, db, outbox.ListOptions{State: outbox.StatePending, Limit: 1 << 30})
	if err != nil {
		return nil, nil, err
	}
	counts, names := map[string]int{}, map[string]string{}
	for _, d := range ds {
		if !known[d.SubscriptionID] {
			counts[d.SubscriptionID]++
			names[d.SubscriptionID] = d.Description
		}
	}
	return counts, names, nil
}

// when formats a time for tables: local, to the second; "-" for zero.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
