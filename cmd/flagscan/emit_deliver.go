package main

import (
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/emitter/outbox"
)

func newDeliverCmd() *cobra.Command {
	var (
		f       emitFlags
		watch   bool
		budget  time.Duration
		workers int
		quiet   bool
	)
	cmd := &cobra.Command{
		Use:   "deliver [--watch]",
		Short: "Send the outbox's pending webhook events: one pass, or --watch to keep sending",
		Long: `Deliver sends the events waiting in the outbox to the configured webhooks,
signed per Standard Webhooks, and records every attempt.

Without --watch it makes one pass: what is due is sent (retries that fall due
meanwhile included), then it prints what it did and exits; --budget bounds the
pass. With --watch it keeps sending until SIGTERM or SIGINT, then lets the
requests in flight finish (up to delivery.timeout), releases any it had to
cut, and exits 0: nothing claimed is lost.

A failed attempt (any answer but 2xx, redirects included, a timeout, a network
or TLS error) is retried on delivery.retry_schedule with jitter, later when
the receiver's Retry-After asks; a 410 Gone answer disables the webhook until
'flagscan webhook enable'. Events of one webhook and flag key go out in the
order they were produced. Several deliver processes may share a store.

Webhooks come from the configuration only; deliveries of a webhook the
configuration no longer has (or whose description or URL changed) wait.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if workers < 0 {
				return usagef("--workers %d: must be at least 1", workers)
			}
			if watch && budget != 0 {
				return usagef("--budget bounds one pass: it does not go with --watch")
			}
			c, err := f.config()
			if err != nil {
				return err
			}
			db, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			level := slog.LevelInfo
			if quiet || !watch {
				level = slog.LevelWarn
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			d, subs, err := newDeliverer(db, c, log, workers)
			if err != nil {
				return err
			}
			defer d.Close()
			stderr := cmd.ErrOrStderr()
			counts, names, err := unconfigured(cmd.Context(), db, subs)
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
				if err := d.Watch(cmd.Context()); err != nil {
					return err
				}
				fmt.Fprintln(stderr, "flagscan: stopped")
				return nil
			}
			st, err := d.Deliver(cmd.Context(), budget)
			if err != nil {
				return err
			}
			all, err := outbox.Counts(cmd.Context(), db)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d delivered, %d to retry, %d given up, %d interrupted; outbox: %d pending, %d held, %d failed, %d delivered\n",
				st.Delivered, st.Retrying, st.Failed, st.Interrupted,
				all["pending"], all["held"], all[outbox.StateFailed], all[outbox.StateDelivered])
			return nil
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&watch, "watch", false, "keep delivering until SIGTERM or SIGINT")
	fl.DurationVar(&budget, "budget", 0, "stop a pass after this long, leaving the rest for the next (default: no bound)")
	fl.IntVar(&workers, "workers", 0, "requests in flight at once (default 4)")
	fl.BoolVarP(&quiet, "quiet", "q", false, "with --watch, log failures only")
	return cmd
}
