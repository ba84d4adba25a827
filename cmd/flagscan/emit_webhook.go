package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/deliver"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// testFlagKey is the flag_key of test events.
const testFlagKey = "flagscan-webhook-test"

func newWebhookCmd() *cobra.Command {
	var f emitFlags
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "List, test and re-enable the configured webhooks",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown webhook command %q: use list, test or enable", args[0])
			}
			return usagef("webhook needs a command: list, test or enable")
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	f.register(cmd)
	cmd.AddCommand(newWebhookListCmd(&f), newWebhookTestCmd(&f), newWebhookEnableCmd(&f))
	return cmd
}

func newWebhookListCmd(f *emitFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the configured webhooks, with their IDs and whether a 410 Gone disabled them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, subs, err := f.subscriptions()
			if err != nil {
				return err
			}
			disabled := map[string]outbox.SubscriptionState{}
			if db, err := f.open(cmd.Context()); err == nil {
				states, err := outbox.Subscriptions(cmd.Context(), db)
				db.Close()
				if err != nil {
					return err
				}
				for _, s := range states {
					if s.Disabled {
						disabled[s.ID] = s
					}
				}
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "WEBHOOK\tID\tEVENTS\tURL\tSIGNED\tSTATE")
			for _, s := range subs {
				state := "enabled"
				if d, ok := disabled[s.ID]; ok {
					state = fmt.Sprintf("disabled %s: %s", when(d.DisabledAt), d.DisabledReason)
				}
				signed := "no"
				if s.Secret != "" {
					signed = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", oneLine(s.Description, 40), s.ID, strings.Join(s.Events, ","), emitter.RedactURL(s.URL), signed, state)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(subs) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no webhooks in the configuration")
			}
			return nil
		},
	}
}

func newWebhookTestCmd(f *emitFlags) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
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
			if typ != event.FlagNew && typ != event.FlagDeleted {
				return usagef("--type %q: use %s or %s", typ, event.FlagNew, event.FlagDeleted)
			}
			c, all, err := f.subscriptions()
			if err != nil {
				return err
			}
			if len(all) == 0 {
				return usagef("no webhooks in the configuration")
			}
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			subs, err := findSubscriptions(all, name)
			if err != nil {
				return err
			}
			// Send needs no store.
			d, err := deliver.New(nil, subs, deliveryOptions(c, nil))
			if err != nil {
				return usageError{err}
			}
			defer d.Close()
			out := cmd.OutOrStdout()
			failed := 0
			for _, s := range subs {
				id, body := testEvent(c, typ)
				rep, err := d.Send(cmd.Context(), s.ID, id, body)
				if err != nil {
					return err
				}
				writeReport(out, &s, id, &rep)
				if !rep.OK() {
					failed++
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d webhooks did not accept the test event", failed, len(subs))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typ, "type", event.FlagNew, "the event type to send: Flag.new or Flag.deleted")
	return cmd
}

func newWebhookEnableCmd(f *emitFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "enable NAME",
		Short: "Enable a webhook that a 410 Gone answer disabled; its pending events go out again",
		Args:  oneArg("enable takes one webhook: its description or ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, subs, err := f.subscriptions()
			if err != nil {
				return err
			}
			id := args[0]
			name := args[0]
			if s, err := findSubscriptions(subs, args[0]); err == nil {
				id, name = s[0].ID, s[0].Description
			} else if !strings.HasPrefix(args[0], "sub_") {
				return err
			}
			db, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ok, err := outbox.EnableSubscription(cmd.Context(), db, id)
			if err != nil {
				return err
			}
			if !ok {
				fmt.Fprintf(cmd.OutOrStdout(), "webhook %q was not disabled\n", name)
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "webhook %q enabled; `flagscan deliver` sends its pending events\n", name)
			return nil
		},
	}
}

// findSubscriptions returns the subscription whose description or ID is
// name, or all of them for "".
func findSubscriptions(subs []emitter.Subscription, name string) ([]emitter.Subscription, error) {
	if name == "" {
		return subs, nil
	}
	for _, s := range subs {
		if s.Description == name || s.ID == name {
			return []emitter.Subscription{s}, nil
		}
	}
	var names []string
	for _, s := range subs {
		names = append(names, fmt.Sprintf("%q", s.Description))
	}
	if len(names) == 0 {
		return nil, usagef("no webhook %q: the configuration has none", name)
	}
	return nil, usagef("no webhook %q; the configuration has %s", name, strings.Join(names, ", "))
}

// testEvent returns a test event's id and body.
func testEvent(c *config.Config, typ string) (string, []byte) {
	var b [8]byte
	rand.Read(b[:])
	env := config.Environment{}
	if len(c.Environments) > 0 {
		env = c.Environments[0]
	}
	body, _ := json.Marshal(struct {
		event.Contract
		Test bool `json:"test"`
	}{
		Contract: event.Contract{
			Event: typ, UserID: "flagscan", UserRole: c.Actor.Role,
			Date:      time.Now().UTC().Format(event.DateLayout),
			AccountID: c.Account.ID, AccountName: c.Account.Name,
			EnvironmentID: env.ID, EnvironmentName: env.Name,
			FlagKey: testFlagKey,
		},
		Test: true,
	})
	return "test_" + hex.EncodeToString(b[:]), body
}

func writeReport(w io.Writer, s *emitter.Subscription, id string, r *deliver.Report) {
	verdict := "accepted"
	if !r.OK() {
		verdict = "FAILED (" + r.Class + ")"
	}
	status := "no answer"
	if r.Status != 0 {
		status = fmt.Sprintf("HTTP %d", r.Status)
	}
	fmt.Fprintf(w, "webhook %q -> %s: %s, %s in %s (webhook-id %s)\n", s.Description, emitter.RedactURL(s.URL), verdict, status, r.Duration.Round(time.Millisecond), id)
	if r.Error != "" {
		fmt.Fprintf(w, "  %s\n", r.Error)
	}
	if r.RetryAfter > 0 {
		fmt.Fprintf(w, "  Retry-After: %s\n", r.RetryAfter)
	}
	if len(r.Response) > 0 {
		more := ""
		if r.Truncated {
			more = " [truncated]"
		}
		fmt.Fprintf(w, "  answer: %s%s\n", oneLine(strings.ToValidUTF8(string(r.Response), "\uFFFD"), 400), more)
	}
}
