package delivery

import (
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/emitter"
)

// Environment variables read by `flagscan action` and `flagscan sync`, on
// top of those of the configuration package, so that a CI job can deliver
// webhooks without a configuration file.
const (
	// EnvWebhookURL adds a webhook with this URL to the configured ones.
	EnvWebhookURL = "FLAGSCAN_WEBHOOK_URL"
	// EnvWebhookDescription is that webhook's description (default "flagscan").
	EnvWebhookDescription = "FLAGSCAN_WEBHOOK_DESCRIPTION"
	// EnvWebhookSecret is that webhook's signing secret, whsec_...; a
	// configuration file may also reference it as ${FLAGSCAN_WEBHOOK_SECRET}.
	EnvWebhookSecret = "FLAGSCAN_WEBHOOK_SECRET"
	// EnvWebhookEvents are that webhook's event types, comma-separated
	// (default: Flag.new,Flag.deleted).
	EnvWebhookEvents = "FLAGSCAN_WEBHOOK_EVENTS"
	// EnvAllowHosts are loopback or private hosts webhooks may call,
	// comma-separated, added to delivery.allow_hosts.
	EnvAllowHosts = "FLAGSCAN_ALLOW_HOSTS"
	// EnvDeliveryBudget bounds the delivery that follows the analysis.
	EnvDeliveryBudget = "FLAGSCAN_DELIVERY_BUDGET"
)

// DefaultWebhookDescription names the webhook given by URL alone.
const DefaultWebhookDescription = "flagscan"

// Webhook is the webhook and the delivery settings that `flagscan action`
// and `flagscan sync` take from flags or the environment (flags first).
type Webhook struct {
	URL, Description string
	Events           []string
	AllowHosts       []string
	// Budget is --deliver-budget, when BudgetSet says it was given.
	Budget    time.Duration
	BudgetSet bool
}

// DeliveryBudget returns the delivery budget: the flag, else the
// environment variable, else def.
func (f *Webhook) DeliveryBudget(lookup func(string) (string, bool), def time.Duration) (time.Duration, error) {
	if f.BudgetSet {
		if f.Budget < 0 {
			return 0, cli.Usagef("--deliver-budget %v: must not be negative", f.Budget)
		}
		return f.Budget, nil
	}
	if v, ok := cli.LookupNonEmpty(lookup, EnvDeliveryBudget); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return 0, cli.Usagef("%s=%q: not a duration such as 10s or 2m", EnvDeliveryBudget, v)
		}
		return d, nil
	}
	return def, nil
}

// Apply adds the webhook and the allowed hosts the flags or the environment
// give to c. A secret without a URL is left for the configuration file's
// ${FLAGSCAN_WEBHOOK_SECRET}.
func (f *Webhook) Apply(c *config.Config, lookup func(string) (string, bool)) error {
	hosts := f.AllowHosts
	if len(hosts) == 0 {
		if v, ok := cli.LookupNonEmpty(lookup, EnvAllowHosts); ok {
			hosts = cli.SplitList(v)
		}
	}
	c.Delivery.AllowHosts = append(append([]string(nil), c.Delivery.AllowHosts...), hosts...)

	url, from := f.URL, "--webhook-url"
	if url == "" {
		url, _ = cli.LookupNonEmpty(lookup, EnvWebhookURL)
		from = EnvWebhookURL
	}
	if url == "" {
		return nil
	}
	if err := emitter.CheckURL(url); err != nil {
		return cli.Usagef("%s %v", from, err)
	}
	desc := f.Description
	if desc == "" {
		desc, _ = cli.LookupNonEmpty(lookup, EnvWebhookDescription)
	}
	if desc == "" {
		desc = DefaultWebhookDescription
	}
	events := f.Events
	if len(events) == 0 {
		if v, ok := cli.LookupNonEmpty(lookup, EnvWebhookEvents); ok {
			events = cli.SplitList(v)
		}
	}
	if len(events) == 0 {
		events = []string{event.FlagNew, event.FlagDeleted}
	}
	for _, e := range events {
		if err := event.CheckType(e); err != nil {
			return cli.Usagef("webhook events: %v", err)
		}
	}
	secret, _ := cli.LookupNonEmpty(lookup, EnvWebhookSecret)
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
