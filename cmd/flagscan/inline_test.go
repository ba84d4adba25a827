package main

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
)

func TestInlineFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		file    []config.Webhook
		want    []config.Webhook // Webhooks after apply; nil: unchanged file
		hosts   []string
		budget  time.Duration
		wantErr bool
	}{
		{name: "nothing"},
		{
			name: "from the environment",
			env: map[string]string{delivery.EnvWebhookURL: "https://hooks.example.com/f", delivery.EnvWebhookSecret: "whsec_c2VjcmV0", delivery.EnvWebhookEvents: "Flag.new",
				delivery.EnvAllowHosts: "10.0.0.0/8, hooks.internal", delivery.EnvDeliveryBudget: "45s"},
			want:   []config.Webhook{{Description: "flagscan", Events: []string{"Flag.new"}, URL: "https://hooks.example.com/f", Secret: "whsec_c2VjcmV0"}},
			hosts:  []string{"10.0.0.0/8", "hooks.internal"},
			budget: 45 * time.Second,
		},
		{
			name:   "flags before the environment",
			args:   []string{"--webhook-url", "https://a.example.com/", "--webhook-description", "bot", "--allow-host", "127.0.0.1", "--deliver-budget", "0"},
			env:    map[string]string{delivery.EnvWebhookURL: "https://b.example.com/", delivery.EnvAllowHosts: "10.0.0.1", delivery.EnvDeliveryBudget: "45s"},
			want:   []config.Webhook{{Description: "bot", Events: []string{"Flag.new", "Flag.deleted"}, URL: "https://a.example.com/"}},
			hosts:  []string{"127.0.0.1"},
			budget: 0,
		},
		{
			name: "a secret alone is the file's ${FLAGSCAN_WEBHOOK_SECRET}",
			env:  map[string]string{delivery.EnvWebhookSecret: "whsec_c2VjcmV0"},
		},
		{
			name: "the file has it already",
			env:  map[string]string{delivery.EnvWebhookURL: "https://a.example.com/"},
			file: []config.Webhook{{Description: "flagscan", Events: []string{"Flag.new"}, URL: "https://a.example.com/"}},
		},
		{name: "a bad URL", env: map[string]string{delivery.EnvWebhookURL: "ftp://a.example.com/"}, wantErr: true},
		{name: "a platform event", args: []string{"--webhook-url", "https://a.example.com/", "--webhook-events", "Feature.paused"}, wantErr: true},
		{name: "a bad budget", env: map[string]string{delivery.EnvDeliveryBudget: "soon"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f delivery.Webhook
			cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
			registerWebhook(cmd, &f, "2s")
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			f.BudgetSet = cmd.Flags().Changed("deliver-budget")
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			c := config.Default()
			c.Webhooks = tc.file
			err := f.Apply(c, lookup)
			budget, berr := f.DeliveryBudget(lookup, 2*time.Second)
			if err := errors.Join(err, berr); (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want one: %v", err, tc.wantErr)
			} else if err != nil {
				var ue cli.UsageError
				if !errors.As(err, &ue) {
					t.Errorf("%v is not a usage error", err)
				}
				return
			}
			want := tc.want
			if want == nil {
				want = tc.file
			}
			if !slices.EqualFunc(c.Webhooks, want, func(a, b config.Webhook) bool {
				return a.Description == b.Description && a.URL == b.URL && a.Secret == b.Secret && slices.Equal(a.Events, b.Events)
			}) {
				t.Errorf("webhooks %v, want %v", c.Webhooks, want)
			}
			if !slices.Equal(c.Delivery.AllowHosts, tc.hosts) {
				t.Errorf("allow hosts %q, want %q", c.Delivery.AllowHosts, tc.hosts)
			}
			wantBudget := tc.budget
			if tc.env[delivery.EnvDeliveryBudget] == "" && !slices.Contains(tc.args, "--deliver-budget") {
				wantBudget = 2 * time.Second
			}
			if budget != wantBudget {
				t.Errorf("budget %v, want %v", budget, wantBudget)
			}
		})
	}
}
