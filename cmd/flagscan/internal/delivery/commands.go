package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// DeliverOptions are the flags of flagscan deliver.
type DeliverOptions struct {
	Store   Flags
	Watch   bool
	Budget  time.Duration
	Workers int
	Quiet   bool
	// LogFormat is --log-format: text or json.
	LogFormat string
}

// Deliver sends what is due: one pass, or until ctx ends with Watch.
func Deliver(ctx context.Context, o DeliverOptions, std cli.IO) error {
	f, watch, budget, workers, quiet := &o.Store, o.Watch, o.Budget, o.Workers, o.Quiet
	if workers < 0 {
		return cli.Usagef("--workers %d: must be at least 1", workers)
	}
	if watch && budget != 0 {
		return cli.Usagef("--budget bounds one pass: it does not go with --watch")
	}
	c, err := f.config()
	if err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	level := slog.LevelInfo
	if quiet || !watch {
		level = slog.LevelWarn
	}
	log, err := cli.NewLogger(o.LogFormat, std.Version, std.Err, level)
	if err != nil {
		return err
	}
	d, subs, err := NewDeliverer(db, c, log, workers, std.Version)
	if err != nil {
		return err
	}
	defer d.Close()
	stderr := std.Err
	counts, names, err := unconfigured(ctx, db, subs)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(stderr, "flagscan: %d pending deliveries for webhook %q (%s), which the configuration does not have: they wait\n", counts[id], names[id], id)
	}
	if len(subs) == 0 {
		fmt.Fprintln(stderr, "flagscan: no webhooks in the configuration: nothing to deliver")
		return nil
	}
	if watch {
		plural := "s"
		if len(subs) == 1 {
			plural = ""
		}
		fmt.Fprintf(stderr, "flagscan: delivering to %d webhook%s as %s; stop with SIGTERM or Ctrl-C\n", len(subs), plural, d.Worker())
		if err := d.Watch(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "flagscan: stopped")
		return nil
	}
	st, err := d.Deliver(ctx, budget)
	if err != nil {
		return err
	}
	all, err := outbox.Counts(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(std.Out, "%d delivered, %d to retry, %d given up, %d interrupted; outbox: %d pending, %d held, %d failed, %d delivered\n",
		st.Delivered, st.Retrying, st.Failed, st.Interrupted,
		all["pending"], all["held"], all[outbox.StateFailed], all[outbox.StateDelivered])
	return nil
}

// ListOptions are the flags of flagscan deliveries.
type ListOptions struct {
	Store        Flags
	State, Since string
	Limit        int
	Format       string
}

// List lists deliveries.
func List(ctx context.Context, opts ListOptions, std cli.IO) error {
	f, state, since, limit, format := &opts.Store, opts.State, opts.Since, opts.Limit, opts.Format
	out, err := cli.OutputFormat(format, std.Out)
	if err != nil {
		return err
	}
	o := outbox.ListOptions{State: state, Limit: limit}
	switch state {
	case "", outbox.StatePending, outbox.StateDelivered, outbox.StateFailed, "held":
	default:
		return cli.Usagef("--state %q: use pending, held, failed or delivered", state)
	}
	if o.Since, err = sinceFlag(since); err != nil {
		return err
	}
	db, err := f.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ds, err := outbox.List(ctx, db, o)
	if err != nil {
		return err
	}
	return report.Deliveries(std.Out, out, ds)
}

// Show shows the event id: its body, its deliveries and every attempt.
func Show(ctx context.Context, f *Flags, id, format string, std cli.IO) error {
	args := []string{id}
	if err := cli.TableOrJSON(format); err != nil {
		return err
	}
	db, err := f.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ev, err := outbox.Show(ctx, db, args[0])
	if errors.Is(err, outbox.ErrNotFound) {
		return cli.Usage(err)
	}
	if err != nil {
		return err
	}
	if format == "json" {
		return report.JSON(std.Out, report.EventJSON(ev))
	}
	return report.EventDetail(std.Out, ev)
}

// ReplayOptions are the flags of flagscan deliveries replay.
type ReplayOptions struct {
	Store          Flags
	IDs            []string
	Failed         bool
	Since, Webhook string
}

// Replay queues deliveries again.
func Replay(ctx context.Context, opts ReplayOptions, std cli.IO) error {
	f, args, failed, since, webhook := &opts.Store, opts.IDs, opts.Failed, opts.Since, opts.Webhook
	o := outbox.ReplayOptions{EventIDs: args, Failed: failed}
	var err error
	if o.Since, err = sinceFlag(since); err != nil {
		return err
	}
	if len(args) == 0 && !failed && since == "" {
		return cli.Usagef("replay needs event IDs, --failed or --since")
	}
	if webhook != "" {
		_, subs, err := f.subscriptions()
		if err != nil {
			return err
		}
		s, err := findSubscriptions(subs, webhook)
		if err != nil {
			return err
		}
		o.SubscriptionID = s[0].ID
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := outbox.Replay(ctx, db, o)
	if errors.Is(err, outbox.ErrNotFound) {
		return cli.Usage(err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(std.Out, "%d deliveries queued again; `flagscan deliver` sends them\n", n)
	return nil
}

// parseSince parses a point in time: a duration back from now ("2h",
// "1d"), an RFC 3339 time or a date (local midnight).
func ParseSince(s string, now time.Time) (time.Time, error) {
	if d, err := config.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (2h, 1d) nor a time (2006-01-02, 2006-01-02T15:04:05Z)", s)
}

// sinceFlag parses a --since flag (parseSince): the zero time when it is
// not given.
func sinceFlag(since string) (time.Time, error) {
	if since == "" {
		return time.Time{}, nil
	}
	t, err := ParseSince(since, time.Now())
	if err != nil {
		return time.Time{}, cli.Usagef("--since: %v", err)
	}
	return t, nil
}
