package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/outbox"
)

func newPushCmd() *cobra.Command {
	var (
		rf     repoFlags
		stdin  bool
		format string
	)
	cmd := &cobra.Command{
		Use:   "push [<old> <new> <ref>]",
		Short: "Analyze a ref update and write its Flag.new and Flag.deleted events to the outbox",
		Long: `Push analyzes one ref update as a git server or CI system reports it: <old>
all zeros for a new ref, <new> all zeros for a deletion. With --stdin it reads
any number of "<old> <new> <ref>" lines, as pre-receive and post-receive hooks
get them.

Each new commit is scanned (only the files it changed), the branch's snapshot
is brought up to date in the store, and the keys that appeared or disappeared
are written to the outbox in the same transaction. The events are printed: a
table, or with --format json one event body per line.`,
		Args: func(_ *cobra.Command, args []string) error {
			if stdin && len(args) != 0 || !stdin && len(args) != 3 {
				return usagef("push takes <old> <new> <ref>, or --stdin")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tableOrJSON(format); err != nil {
				return err
			}
			var updates []analyzer.Update
			if stdin {
				u, err := readUpdates(cmd.InOrStdin())
				if err != nil {
					return err
				}
				updates = u
			} else {
				u, err := analyzer.ParseUpdate(strings.Join(args, " "))
				if err != nil {
					return usageError{err}
				}
				updates = append(updates, u)
			}
			w, err := rf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer w.db.Close()
			outcomes, err := w.push(cmd.Context(), updates)
			if err != nil {
				return err
			}
			if err := writeOutcomes(cmd.OutOrStdout(), cmd.ErrOrStderr(), format, outcomes); err != nil {
				return err
			}
			// Within delivery.inline_budget; what is left waits for
			// `flagscan deliver`. A delivery problem never fails the push.
			deliverAfterPush(cmd.Context(), cmd.ErrOrStderr(), w.db, w.cfg)
			return nil
		},
	}
	rf.register(cmd)
	cmd.Flags().BoolVar(&stdin, "stdin", false, `read "<old> <new> <ref>" lines from standard input`)
	cmd.Flags().StringVar(&format, "format", "table", "output: table, or json (one event body per line)")
	return cmd
}

// readUpdates reads "<old> <new> <ref>" lines; blank lines are skipped.
func readUpdates(r io.Reader) ([]analyzer.Update, error) {
	var out []analyzer.Update
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		u, err := analyzer.ParseUpdate(line)
		if err != nil {
			return nil, usagef("standard input line %d: %v", n, err)
		}
		out = append(out, u)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	return out, nil
}

// push analyzes updates in order, each writing its events to the outbox
// for the configured subscriptions.
func (w *workspace) push(ctx context.Context, updates []analyzer.Update) ([]*analyzer.Outcome, error) {
	a, err := w.analyzer()
	if err != nil {
		return nil, err
	}
	subs, err := subscriptions(w.cfg)
	if err != nil {
		return nil, err
	}
	sink := func(ctx context.Context, tx *sql.Tx, events []event.Event) error {
		return outbox.Enqueue(ctx, tx, subs, outbox.FromEvents(events, ""))
	}
	var outcomes []*analyzer.Outcome
	for _, u := range updates {
		o, err := a.Push(ctx, u, sink)
		if err != nil {
			return outcomes, fmt.Errorf("analyze %s %s..%s: %w", u.Ref, short(u.Old), short(u.New), err)
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, nil
}

func short(id string) string {
	if len(id) > 10 {
		return id[:10]
	}
	return id
}

// writeOutcomes prints the events of a push: a table, or JSON lines of the
// bodies as written to the outbox. Skipped updates and unreadable files go
// to stderr.
func writeOutcomes(stdout, stderr io.Writer, format string, outcomes []*analyzer.Outcome) error {
	var events []event.Event
	for _, o := range outcomes {
		if o.Skipped != "" {
			fmt.Fprintf(stderr, "flagscan: %s %s..%s: %s\n", o.Update.Ref, short(o.Update.Old), short(o.Update.New), o.Skipped)
		}
		for _, e := range o.Errors {
			fmt.Fprintf(stderr, "flagscan: %s: %s: %s\n", e.Path, e.Kind, e.Error)
		}
		events = append(events, o.Events...)
	}
	return writeEvents(stdout, format, events)
}

// writeEvents prints events as a table or as JSON lines.
func writeEvents(w io.Writer, format string, events []event.Event) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		for _, e := range events {
			if err := enc.Encode(e.Body); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT\tFLAG KEY\tENVIRONMENT\tBRANCH\tCOMMIT\tAUTHOR\tREFERENCE")
	for _, e := range events {
		b := e.Body
		where := "-"
		if len(b.References) > 0 {
			where = fmt.Sprintf("%s:%d", b.References[0].Path, b.References[0].Line)
			if n := len(b.References); n > 1 {
				where += fmt.Sprintf(" (+%d)", n-1)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", b.Event, b.FlagKey, b.EnvironmentID, b.Branch, short(b.Commit.SHA), b.Commit.AuthorName, where)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d events\n", len(events))
	return nil
}

// subscriptions converts the configured webhooks into the emitter's
// subscriptions.
func subscriptions(c *config.Config) ([]emitter.Subscription, error) {
	var out []emitter.Subscription
	for _, w := range c.Webhooks {
		s := emitter.Subscription{
			ID:          emitter.SubscriptionID(w.Description, w.URL),
			Description: w.Description,
			URL:         w.URL,
			Events:      w.Events,
			Secret:      emitter.Secret(w.Secret.Reveal()),
			Payload:     w.Payload,
		}
		for _, h := range w.Headers {
			s.Headers = append(s.Headers, emitter.Header{Name: h.Name, Value: emitter.Secret(h.Value.Reveal())})
		}
		if err := s.Validate(); err != nil {
			return nil, usageError{fmt.Errorf("%s: %w", c.File, err)}
		}
		out = append(out, s)
	}
	return out, nil
}
