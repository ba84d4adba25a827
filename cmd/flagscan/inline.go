package main

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/deliver"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// Environment variables read by `flagscan action` and `flagscan sync`, on
// top of those of the configuration package, so that a CI job can deliver
// webhooks without a configuration file.
const (
	// envWebhookURL adds a webhook with this URL to the configured ones.
	envWebhookURL = "FLAGSCAN_WEBHOOK_URL"
	// envWebhookDescription is that webhook's description (default "flagscan").
	envWebhookDescription = "FLAGSCAN_WEBHOOK_DESCRIPTION"
	// envWebhookSecret is that webhook's signing secret, whsec_...; a
	// configuration file may also reference it as ${FLAGSCAN_WEBHOOK_SECRET}.
	envWebhookSecret = "FLAGSCAN_WEBHOOK_SECRET"
	// envWebhookEvents are that webhook's event types, comma-separated
	// (default: Flag.new,Flag.deleted).
	envWebhookEvents = "FLAGSCAN_WEBHOOK_EVENTS"
	// envAllowHosts are loopback or private hosts webhooks may call,
	// comma-separated, added to delivery.allow_hosts.
	envAllowHosts = "FLAGSCAN_ALLOW_HOSTS"
	// envDeliveryBudget bounds the delivery that follows the analysis.
	envDeliveryBudget = "FLAGSCAN_DELIVERY_BUDGET"
)

// defaultWebhookDescription names the webhook given by URL alone.
const defaultWebhookDescription = "flagscan"

// inlineFlags are the webhook and delivery settings that `flagscan action`
// and `flagscan sync` take from flags or the environment (flags first).
type inlineFlags struct {
	webhookURL, webhookDescription string
	webhookEvents                  []string
	allowHosts                     []string
	budget                         time.Duration
	// cmd is the command the flags belong to, to tell whether
	// --deliver-budget was given.
	cmd *cobra.Command
}

func (f *inlineFlags) register(cmd *cobra.Command, defaultBudget string) {
	f.cmd = cmd
	fl := cmd.Flags()
	fl.StringVar(&f.webhookURL, "webhook-url", "", "add a webhook with this URL (default: $"+envWebhookURL+"); its secret comes from $"+envWebhookSecret)
	fl.StringVar(&f.webhookDescription, "webhook-description", "", "that webhook's description (default: $"+envWebhookDescription+", else \""+defaultWebhookDescription+"\")")
	fl.StringSliceVar(&f.webhookEvents, "webhook-events", nil, "that webhook's event types (default: $"+envWebhookEvents+", else Flag.new,Flag.deleted)")
	fl.StringSliceVar(&f.allowHosts, "allow-host", nil, "a loopback or private host, address or CIDR webhooks may call, added to delivery.allow_hosts (repeatable; default: $"+envAllowHosts+")")
	fl.DurationVar(&f.budget, "deliver-budget", 0, "how long to deliver webhooks after the analysis; 0 leaves them to flagscan deliver (default: $"+envDeliveryBudget+", else "+defaultBudget+")")
}

// deliveryBudget returns the delivery budget: the flag, else the
// environment variable, else def.
func (f *inlineFlags) deliveryBudget(lookup func(string) (string, bool), def time.Duration) (time.Duration, error) {
	if f.cmd != nil && f.cmd.Flags().Changed("deliver-budget") {
		if f.budget < 0 {
			return 0, usagef("--deliver-budget %v: must not be negative", f.budget)
		}
		return f.budget, nil
	}
	if v, ok := lookupNonEmpty(lookup, envDeliveryBudget); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return 0, usagef("%s=%q: not a duration such as 10s or 2m", envDeliveryBudget, v)
		}
		return d, nil
	}
	return def, nil
}

// apply adds the webhook and the allowed hosts the flags or the environment
// give to c. A secret without a URL is left for the configuration file's
// ${FLAGSCAN_WEBHOOK_SECRET}.
func (f *inlineFlags) apply(c *config.Config, lookup func(string) (string, bool)) error {
	hosts := f.allowHosts
	if len(hosts) == 0 {
		if v, ok := lookupNonEmpty(lookup, envAllowHosts); ok {
			hosts = splitList(v)
		}
	}
	c.Delivery.AllowHosts = append(append([]string(nil), c.Delivery.AllowHosts...), hosts...)

	url, from := f.webhookURL, "--webhook-url"
	if url == "" {
		url, _ = lookupNonEmpty(lookup, envWebhookURL)
		from = envWebhookURL
	}
	if url == "" {
		return nil
	}
	if err := emitter.CheckURL(url); err != nil {
		return usagef("%s %v", from, err)
	}
	desc := f.webhookDescription
	if desc == "" {
		desc, _ = lookupNonEmpty(lookup, envWebhookDescription)
	}
	if desc == "" {
		desc = defaultWebhookDescription
	}
	events := f.webhookEvents
	if len(events) == 0 {
		if v, ok := lookupNonEmpty(lookup, envWebhookEvents); ok {
			events = splitList(v)
		}
	}
	if len(events) == 0 {
		events = []string{event.FlagNew, event.FlagDeleted}
	}
	for _, e := range events {
		if err := event.CheckType(e); err != nil {
			return usagef("webhook events: %v", err)
		}
	}
	secret, _ := lookupNonEmpty(lookup, envWebhookSecret)
	for _, w := range c.Webhooks {
		if w.Description == desc && w.URL == url {
			return nil // the file has it already
		}
	}
	c.Webhooks = append(append([]config.Webhook(nil), c.Webhooks...), config.Webhook{
		Description: desc,
		Events:      events,
		URL:         url,
		Secret:      config.Secret(secret),
	})
	return nil
}

func lookupNonEmpty(lookup func(string) (string, bool), name string) (string, bool) {
	if lookup == nil {
		return "", false
	}
	v, ok := lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// inlineDelivery is what delivering after an analysis did.
type inlineDelivery struct {
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
func deliverInline(ctx context.Context, db *sql.DB, c *config.Config, budget time.Duration, log *slog.Logger) inlineDelivery {
	if budget <= 0 || len(c.Webhooks) == 0 {
		return inlineDelivery{}
	}
	d, _, err := newDeliverer(db, c, log, 0)
	if err != nil {
		return inlineDelivery{Ran: true, Err: err}
	}
	defer d.Close()
	st, err := d.Deliver(ctx, budget)
	return inlineDelivery{Ran: true, Stats: st, Err: err}
}

// eventDeliveries returns the deliveries of the events with these ids, in
// the order of ids.
func eventDeliveries(ctx context.Context, db *sql.DB, ids []string) ([]outbox.Delivery, error) {
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

// deliveryResult describes a delivery's state in a few words.
func deliveryResult(d outbox.Delivery) string {
	status := func() string {
		var parts []string
		if d.LastStatus != 0 {
			parts = append(parts, fmt.Sprintf("HTTP %d", d.LastStatus))
		}
		if d.LastErrorClass != "" && d.LastErrorClass != deliver.ClassHTTPStatus {
			parts = append(parts, d.LastErrorClass)
		}
		attempts := "1 attempt"
		if d.Attempts != 1 {
			attempts = fmt.Sprintf("%d attempts", d.Attempts)
		}
		return strings.Join(append(parts, attempts), ", ")
	}
	switch {
	case d.State == outbox.StateDelivered:
		return "delivered (" + status() + ")"
	case d.State == outbox.StateFailed:
		return "given up (" + status() + "); replay it with flagscan deliveries replay"
	case d.Held:
		return "held until the push is confirmed"
	case d.SubscriptionDisabled:
		return "waiting: the webhook is disabled"
	case d.Attempts > 0:
		return "failed, will be retried (" + status() + ")"
	}
	return "pending: sent by the next run or flagscan deliver"
}
