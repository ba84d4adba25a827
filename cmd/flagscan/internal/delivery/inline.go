package delivery

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/deliver"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// Result is what delivering after an analysis did.
type Result struct {
	// Ran is false when nothing was attempted: no webhook, or a zero budget.
	Ran   bool
	Stats deliver.Stats
	// Err is a delivery failure; the events stay in the outbox.
	Err error
}

// deliverInline sends what the outbox has due, this run's events and any
// left by earlier runs, for at most budget, the way `flagscan push` does
// after its analysis. Failures never fail the analysis: the events are
// safe in the outbox, and the next run or `flagscan deliver` sends them.
// version is flagscan's, for the User-Agent of the requests.
func Inline(ctx context.Context, db *sql.DB, c *config.Config, budget time.Duration, log *slog.Logger, version string) Result {
	if budget <= 0 || len(c.Webhooks) == 0 {
		return Result{}
	}
	d, _, err := NewDeliverer(db, c, log, 0, version)
	if err != nil {
		return Result{Ran: true, Err: err}
	}
	defer d.Close()
	st, err := d.Deliver(ctx, budget)
	return Result{Ran: true, Stats: st, Err: err}
}

// eventDeliveries returns the deliveries of the events with these ids, in
// the order of ids.
func EventDeliveries(ctx context.Context, db *sql.DB, ids []string) ([]outbox.Delivery, error) {
	var out []outbox.Delivery
	for _, id := range ids {
		ds, err := outbox.List(ctx, db, outbox.ListOptions{EventID: id, Limit: 1 << 20})
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

// Options returns the deliverer options of a configuration, for a
// flagscan of this version (the requests' User-Agent says it).
func Options(c *config.Config, log *slog.Logger, version string) deliver.Options {
	o := deliver.Options{
		Timeout:       c.Delivery.Timeout,
		Lease:         c.Delivery.Lease,
		RetrySchedule: c.Delivery.RetrySchedule,
		AllowHosts:    c.Delivery.AllowHosts,
		Logger:        log,
		UserAgent:     cli.UserAgent(version),
	}
	if o.RetrySchedule == nil {
		o.RetrySchedule = deliver.DefaultRetrySchedule()
	}
	return o
}

// newDeliverer returns a deliverer for the configured webhooks, with the
// configuration's delivery settings and o's overrides.
func NewDeliverer(db *sql.DB, c *config.Config, log *slog.Logger, workers int, version string) (*deliver.Deliverer, []emitter.Subscription, error) {
	subs, err := workspace.Subscriptions(c)
	if err != nil {
		return nil, nil, err
	}
	o := Options(c, log, version)
	o.Workers = workers
	d, err := deliver.New(db, subs, o)
	if err != nil {
		return nil, nil, cli.Usage(err)
	}
	return d, subs, nil
}

// AfterPush is the inline delivery of `flagscan push` and of the
// post-receive hook: what is due is sent for at most
// delivery.inline_budget (0: nothing), and the rest is left to `flagscan
// deliver`. Failures are logged to log (--log-format's) and never fail the
// push: the events are safe in the outbox.
// version is flagscan's, for the User-Agent of the requests.
func AfterPush(ctx context.Context, log *slog.Logger, db *sql.DB, c *config.Config, version string) {
	budget := c.Delivery.InlineBudget
	if budget <= 0 || len(c.Webhooks) == 0 {
		return
	}
	d, _, err := NewDeliverer(db, c, log, 0, version)
	if err != nil {
		log.Error("webhooks not delivered", "err", err)
		return
	}
	defer d.Close()
	st, err := d.Deliver(ctx, budget)
	if err != nil {
		log.Warn("delivering webhooks failed; the events stay in the outbox", "err", err)
		return
	}
	if st.Claimed > st.Delivered {
		log.Warn("webhooks not all delivered; flagscan deliver retries them", "delivered", st.Delivered, "retrying", st.Claimed-st.Delivered)
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
