package main

import (
	"net/http"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/listen"
)

func newDeliverCmd() *cobra.Command {
	var o delivery.DeliverOptions
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
			o.LogFormat = logFormat(cmd)
			return delivery.Deliver(cmd.Context(), o, std(cmd))
		},
	}
	registerStore(cmd, &o.Store)
	fl := cmd.Flags()
	fl.BoolVar(&o.Watch, "watch", false, "keep delivering until SIGTERM or SIGINT")
	fl.DurationVar(&o.Budget, "budget", 0, "stop a pass after this long, leaving the rest for the next (default: no bound)")
	fl.IntVar(&o.Workers, "workers", 0, "requests in flight at once (default 4)")
	fl.BoolVarP(&o.Quiet, "quiet", "q", false, "with --watch, log failures only")
	return cmd
}

func newDeliveriesCmd() *cobra.Command {
	var o delivery.ListOptions
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "List the outbox's events with their deliveries: pending, held, failed, delivered",
		Long: `Deliveries lists each event's delivery to each webhook, oldest first: its
state, attempts, last answer and when it is due again or was delivered.

  flagscan deliveries [--state pending|held|failed|delivered] [--since 2h]
  flagscan deliveries show ID        an event, its body, deliveries and every attempt
  flagscan deliveries replay ID...   queue events again, with the same webhook-id
  flagscan deliveries replay --failed [--since T] [--webhook NAME]`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return delivery.List(cmd.Context(), o, std(cmd)) },
	}
	registerStore(cmd, &o.Store)
	fl := cmd.Flags()
	fl.StringVar(&o.State, "state", "", "only deliveries in this state: pending, held, failed or delivered")
	fl.StringVar(&o.Since, "since", "", "only events produced since then: a duration back (2h, 1d) or a time (2006-01-02, RFC 3339)")
	fl.IntVar(&o.Limit, "limit", 200, "list the latest N deliveries at most")
	fl.StringVar(&o.Format, "format", "", "output: table, json or csv (default: table on a terminal, json otherwise)")
	var format string
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show an event: its body, its deliveries and every attempt with the answer's first bytes",
		Args:  oneArg("show takes one event ID (the webhook-id)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return delivery.Show(cmd.Context(), &o.Store, args[0], format, std(cmd))
		},
	}
	show.Flags().StringVar(&format, "format", "table", "output: table or json")
	r := delivery.ReplayOptions{}
	replay := &cobra.Command{
		Use:   "replay (ID... | --failed | --since T)",
		Short: "Queue delivered or failed events again, with the same webhook-id",
		Long: `Replay puts deliveries back in the queue, due at once and with their retries
counted from zero; they go out with their event's id, so receivers can tell a
repeat. Pending deliveries are left as they are. Criteria combine: IDs,
--failed, --since and --webhook each narrow the selection.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			r.Store, r.IDs = o.Store, args
			return delivery.Replay(cmd.Context(), r, std(cmd))
		},
	}
	rf := replay.Flags()
	rf.BoolVar(&r.Failed, "failed", false, "the deliveries given up")
	rf.StringVar(&r.Since, "since", "", "the events produced since then: a duration back (2h, 1d) or a time (2006-01-02, RFC 3339)")
	rf.StringVar(&r.Webhook, "webhook", "", "only the deliveries to this webhook (its description or ID)")
	cmd.AddCommand(show, replay)
	return cmd
}

func newWebhookCmd() *cobra.Command {
	var f delivery.Flags
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "List, test and re-enable the configured webhooks",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cli.Usagef("unknown webhook command %q: use list, test or enable", args[0])
			}
			return cli.Usagef("webhook needs a command: list, test or enable")
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	registerStore(cmd, &f)
	var typ string
	test := &cobra.Command{
		Use:   "test [NAME]",
		Short: "Send a signed test event to a webhook (all of them without NAME) and print the answer",
		Long: `Test sends one signed test event to the webhook NAME (its description or
ID), or to every configured webhook, through the same dialer, signing and
timeout as deliveries, and prints each answer. Nothing is written to the
outbox and nothing is retried.

The event is a Flag.new (or --type Flag.deleted) for the key
"flagscan-webhook-test", with the configuration's account and first
environment and "test": true; its webhook-id starts with "test_".
The exit status is 1 when a webhook did not answer 2xx.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			return delivery.TestWebhooks(cmd.Context(), &f, name, typ, std(cmd))
		},
	}
	test.Flags().StringVar(&typ, "type", event.FlagNew, "the event type to send: Flag.new or Flag.deleted")
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the configured webhooks, with their IDs and whether a 410 Gone disabled them",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return delivery.ListWebhooks(cmd.Context(), &f, std(cmd)) },
	}, test, &cobra.Command{
		Use:   "enable NAME",
		Short: "Enable a webhook that a 410 Gone answer disabled; its pending events go out again",
		Args:  oneArg("enable takes one webhook: its description or ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return delivery.EnableWebhook(cmd.Context(), &f, args[0], std(cmd))
		},
	})
	return cmd
}

func newListenCmd() *cobra.Command {
	var o listen.Options
	cmd := &cobra.Command{
		Use:   "listen [--port N] [--secret S]",
		Short: "Run a local webhook receiver that verifies signatures and prints each event",
		Long: `Listen runs an HTTP receiver on 127.0.0.1 (--host to change) for people
wiring a webhook: it prints every request it gets, with its webhook-id, the
verdict on its Standard Webhooks signature and its JSON body.

The secret, whsec_..., is --secret or $` + listen.SecretEnv + ` (better: a command line
is visible to other users). Without one, signatures are not checked. A request
whose signature does not verify is answered 401; others get --status (204).
Point a webhook at it with delivery.allow_hosts: [127.0.0.1], then run
'flagscan webhook test' or 'flagscan deliver'. Stop it with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return listen.Run(cmd.Context(), o, std(cmd)) },
	}
	fl := cmd.Flags()
	fl.IntVar(&o.Port, "port", 8787, "port to listen on (0: any free port)")
	fl.StringVar(&o.Host, "host", "127.0.0.1", "address to listen on")
	fl.StringVar(&o.Secret, "secret", "", "the webhook's signing secret, whsec_... (default: $"+listen.SecretEnv+")")
	fl.IntVar(&o.Status, "status", http.StatusNoContent, "the status answered to requests that verify, e.g. 503 to try retries")
	return cmd
}
