package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/deliver"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// testFlagKey is the flag_key of test events.
const testFlagKey = "flagscan-webhook-test"

// ListWebhooks lists the configured webhooks, with whether a 410 Gone
// disabled them.
func ListWebhooks(ctx context.Context, f *Flags, std cli.IO) error {
	_, subs, err := f.subscriptions()
	if err != nil {
		return err
	}
	disabled := map[string]outbox.SubscriptionState{}
	if db, err := f.openReadOnly(ctx); err == nil {
		states, err := outbox.Subscriptions(ctx, db)
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
	tw := tabwriter.NewWriter(std.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WEBHOOK\tID\tEVENTS\tURL\tSIGNED\tSTATE")
	for _, s := range subs {
		state := "enabled"
		if d, ok := disabled[s.ID]; ok {
			state = fmt.Sprintf("disabled %s: %s", report.When(d.DisabledAt), d.DisabledReason)
		}
		signed := "no"
		if s.Secret != "" {
			signed = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", report.OneLine(s.Description, 40), s.ID, strings.Join(s.Events, ","), emitter.RedactURL(s.URL), signed, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(subs) == 0 {
		fmt.Fprintln(std.Out, "no webhooks in the configuration")
	}
	return nil
}

// TestWebhooks sends a signed test event of type typ to the webhook name
// (all of them for "") and prints each answer.
func TestWebhooks(ctx context.Context, f *Flags, name, typ string, std cli.IO) error {
	if typ != event.FlagNew && typ != event.FlagDeleted {
		return cli.Usagef("--type %q: use %s or %s", typ, event.FlagNew, event.FlagDeleted)
	}
	c, all, err := f.subscriptions()
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return cli.Usagef("no webhooks in the configuration")
	}
	subs, err := findSubscriptions(all, name)
	if err != nil {
		return err
	}
	// Send needs no store.
	d, err := deliver.New(nil, subs, Options(c, nil, std.Version))
	if err != nil {
		return cli.Usage(err)
	}
	defer d.Close()
	out := std.Out
	failed := 0
	for _, s := range subs {
		id, body := testEvent(c, typ)
		rep, err := d.Send(ctx, s.ID, id, body)
		if err != nil {
			return err
		}
		report.WebhookTest(out, &s, id, &rep)
		if !rep.OK() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d webhooks did not accept the test event", failed, len(subs))
	}
	return nil
}

// EnableWebhook enables the webhook name that a 410 Gone disabled.
func EnableWebhook(ctx context.Context, f *Flags, arg string, std cli.IO) error {
	args := []string{arg}
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
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ok, err := outbox.EnableSubscription(ctx, db, id)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintf(std.Out, "webhook %q was not disabled\n", name)
		return nil
	}
	fmt.Fprintf(std.Out, "webhook %q enabled; `flagscan deliver` sends its pending events\n", name)
	return nil
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
		return nil, cli.Usagef("no webhook %q: the configuration has none", name)
	}
	return nil, cli.Usagef("no webhook %q; the configuration has %s", name, strings.Join(names, ", "))
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
