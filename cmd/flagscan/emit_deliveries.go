package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/emitter/outbox"
)

func newDeliveriesCmd() *cobra.Command {
	var (
		f      emitFlags
		state  string
		since  string
		limit  int
		format string
	)
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := outputFormat(format, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			o := outbox.ListOptions{State: state, Limit: limit}
			switch state {
			case "", outbox.StatePending, outbox.StateDelivered, outbox.StateFailed, "held":
			default:
				return usagef("--state %q: use pending, held, failed or delivered", state)
			}
			if o.Since, err = sinceFlag(since); err != nil {
				return err
			}
			db, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ds, err := outbox.List(cmd.Context(), db, o)
			if err != nil {
				return err
			}
			return writeDeliveries(cmd.OutOrStdout(), out, ds)
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&state, "state", "", "only deliveries in this state: pending, held, failed or delivered")
	fl.StringVar(&since, "since", "", "only events produced since then: a duration back (2h, 1d) or a time (2006-01-02, RFC 3339)")
	fl.IntVar(&limit, "limit", 200, "list the latest N deliveries at most")
	fl.StringVar(&format, "format", "", "output: table, json or csv (default: table on a terminal, json otherwise)")
	cmd.AddCommand(newDeliveriesShowCmd(&f), newDeliveriesReplayCmd(&f))
	return cmd
}

func newDeliveriesShowCmd(f *emitFlags) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show an event: its body, its deliveries and every attempt with the answer's first bytes",
		Args:  oneArg("show takes one event ID (the webhook-id)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tableOrJSON(format); err != nil {
				return err
			}
			db, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ev, err := outbox.Show(cmd.Context(), db, args[0])
			if errors.Is(err, outbox.ErrNotFound) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), eventJSON(ev))
			}
			return writeEventDetail(cmd.OutOrStdout(), ev)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
}

func newDeliveriesReplayCmd(f *emitFlags) *cobra.Command {
	var (
		failed  bool
		since   string
		webhook string
	)
	cmd := &cobra.Command{
		Use:   "replay (ID... | --failed | --since T)",
		Short: "Queue delivered or failed events again, with the same webhook-id",
		Long: `Replay puts deliveries back in the queue, due at once and with their retries
counted from zero; they go out with their event's id, so receivers can tell a
repeat. Pending deliveries are left as they are. Criteria combine: IDs,
--failed, --since and --webhook each narrow the selection.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := outbox.ReplayOptions{EventIDs: args, Failed: failed}
			var err error
			if o.Since, err = sinceFlag(since); err != nil {
				return err
			}
			if len(args) == 0 && !failed && since == "" {
				return usagef("replay needs event IDs, --failed or --since")
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
			db, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			n, err := outbox.Replay(cmd.Context(), db, o)
			if errors.Is(err, outbox.ErrNotFound) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d deliveries queued again; `flagscan deliver` sends them\n", n)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&failed, "failed", false, "the deliveries given up")
	fl.StringVar(&since, "since", "", "the events produced since then: a duration back (2h, 1d) or a time (2006-01-02, RFC 3339)")
	fl.StringVar(&webhook, "webhook", "", "only the deliveries to this webhook (its description or ID)")
	return cmd
}

// parseSince parses a point in time: a duration back from now ("2h",
// "1d"), an RFC 3339 time or a date (local midnight).
func parseSince(s string, now time.Time) (time.Time, error) {
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
	t, err := parseSince(since, time.Now())
	if err != nil {
		return time.Time{}, usagef("--since: %v", err)
	}
	return t, nil
}

// stateOf is a delivery's state as listed.
func stateOf(d *outbox.Delivery) string {
	s := d.State
	switch {
	case s == outbox.StatePending && d.Held:
		s = "held"
	case s == outbox.StatePending && d.LeaseOwner != "" && d.LeaseUntil.After(time.Now()):
		s = "sending"
	}
	if d.SubscriptionDisabled && d.State == outbox.StatePending {
		s += " (webhook disabled)"
	}
	return s
}

func lastAnswer(d *outbox.Delivery) string {
	switch {
	case d.LastErrorClass != "" && d.LastStatus != 0:
		return fmt.Sprintf("%d %s", d.LastStatus, d.LastErrorClass)
	case d.LastErrorClass != "":
		return d.LastErrorClass
	case d.LastStatus != 0:
		return strconv.Itoa(d.LastStatus)
	}
	return "-"
}

func writeDeliveries(w io.Writer, format string, ds []outbox.Delivery) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		for i := range ds {
			if err := enc.Encode(deliveryJSON(&ds[i])); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"event_id", "type", "flag_key", "created", "webhook", "webhook_id", "state", "attempts", "last_status", "last_error_class", "next_at", "delivered_at"})
		for i := range ds {
			d := &ds[i]
			cw.Write([]string{d.EventID, d.Type, d.FlagKey, rfc3339(d.Created), d.Description, d.SubscriptionID, stateOf(d),
				strconv.Itoa(d.Attempts), strconv.Itoa(d.LastStatus), d.LastErrorClass, rfc3339(d.NextAt), rfc3339(d.DeliveredAt)})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT\tTYPE\tFLAG KEY\tWEBHOOK\tSTATE\tATTEMPTS\tLAST\tWHEN")
	for i := range ds {
		d := &ds[i]
		whenCol := "-"
		switch d.State {
		case outbox.StateDelivered:
			whenCol = "delivered " + when(d.DeliveredAt)
		case outbox.StateFailed:
			whenCol = "gave up " + when(d.UpdatedAt)
		case outbox.StatePending:
			if d.Held {
				whenCol = "after the push is accepted"
			} else if until := time.Until(d.NextAt); until > 0 {
				whenCol = "next in " + until.Round(time.Second).String()
			} else {
				whenCol = "due"
			}
		}
		name := d.Description
		if name == "" {
			name = d.SubscriptionID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.EventID, d.Type, oneLine(d.FlagKey, 40), oneLine(name, 30),
			stateOf(d), d.Attempts, lastAnswer(d), whenCol)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d deliveries\n", len(ds))
	return nil
}

func writeEventDetail(w io.Writer, ev *outbox.EventDetail) error {
	fmt.Fprintf(w, "event    %s\ntype     %s\nflag key %s\ncreated  %s\n", ev.ID, ev.Type, ev.FlagKey, when(ev.Created))
	if ev.Hold != "" {
		fmt.Fprintf(w, "held     until the push %s is accepted\n", ev.Hold)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, ev.Body, "  ", "  ") != nil {
		pretty.Reset()
		pretty.Write(ev.Body)
	}
	fmt.Fprintf(w, "body (without webhooks' payload parameters)\n  %s\n", pretty.String())
	names := map[string]string{}
	fmt.Fprintln(w, "\ndeliveries")
	for i := range ev.Deliveries {
		d := &ev.Deliveries[i]
		names[d.SubscriptionID] = d.Description
		fmt.Fprintf(w, "  webhook %q (%s) %s\n    %s, %d attempts, last %s", d.Description, d.SubscriptionID, d.URL, stateOf(d), d.Attempts, lastAnswer(d))
		switch d.State {
		case outbox.StateDelivered:
			fmt.Fprintf(w, ", delivered %s", when(d.DeliveredAt))
		case outbox.StatePending:
			if !d.Held {
				fmt.Fprintf(w, ", due %s", when(d.NextAt))
			}
		}
		if d.LastError != "" {
			fmt.Fprintf(w, "\n    %s", d.LastError)
		}
		fmt.Fprintln(w)
	}
	if len(ev.Attempts) > 0 {
		fmt.Fprintln(w, "\nattempts")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, a := range ev.Attempts {
		status := "-"
		if a.Status != 0 {
			status = strconv.Itoa(a.Status)
		}
		class := a.ErrorClass
		if class == "" {
			class = "ok"
		}
		fmt.Fprintf(tw, "  #%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.N, oneLine(names[a.SubscriptionID], 24), when(a.Started),
			a.Duration.Round(time.Millisecond), status, class, a.Worker)
		if a.Error != "" {
			fmt.Fprintf(tw, "  \t%s\n", oneLine(a.Error, 160))
		}
		if len(a.Response) > 0 {
			resp := oneLine(string(a.Response), 160)
			if a.Truncated {
				resp += " [truncated]"
			}
			fmt.Fprintf(tw, "  \tanswer: %s\n", resp)
		}
	}
	return tw.Flush()
}

// deliveryJSON is a delivery as the JSON outputs write it.
type deliveryOut struct {
	EventID        string `json:"event_id"`
	Type           string `json:"type"`
	FlagKey        string `json:"flag_key"`
	Created        string `json:"created"`
	Held           bool   `json:"held,omitempty"`
	WebhookID      string `json:"webhook_id"`
	Webhook        string `json:"webhook"`
	URL            string `json:"url"`
	WebhookOff     bool   `json:"webhook_disabled,omitempty"`
	State          string `json:"state"`
	Tries          int    `json:"tries"`
	Attempts       int    `json:"attempts"`
	NextAt         string `json:"next_at,omitempty"`
	LastStatus     int    `json:"last_status,omitempty"`
	LastErrorClass string `json:"last_error_class,omitempty"`
	LastError      string `json:"last_error,omitempty"`
	DeliveredAt    string `json:"delivered_at,omitempty"`
}

func deliveryJSON(d *outbox.Delivery) deliveryOut {
	o := deliveryOut{
		EventID: d.EventID, Type: d.Type, FlagKey: d.FlagKey, Created: rfc3339(d.Created), Held: d.Held,
		WebhookID: d.SubscriptionID, Webhook: d.Description, URL: d.URL, WebhookOff: d.SubscriptionDisabled,
		State: d.State, Tries: d.Tries, Attempts: d.Attempts, LastStatus: d.LastStatus,
		LastErrorClass: d.LastErrorClass, LastError: d.LastError, DeliveredAt: rfc3339(d.DeliveredAt),
	}
	if d.State == outbox.StatePending {
		o.NextAt = rfc3339(d.NextAt)
	}
	return o
}

type attemptOut struct {
	WebhookID  string  `json:"webhook_id"`
	N          int     `json:"n"`
	Worker     string  `json:"worker"`
	Started    string  `json:"started"`
	DurationMS int64   `json:"duration_ms"`
	Status     int     `json:"status,omitempty"`
	ErrorClass string  `json:"error_class,omitempty"`
	Error      string  `json:"error,omitempty"`
	Response   *string `json:"response,omitempty"`
	Truncated  bool    `json:"response_truncated,omitempty"`
}

type eventOut struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	FlagKey    string          `json:"flag_key"`
	Created    string          `json:"created"`
	Hold       string          `json:"hold,omitempty"`
	Body       json.RawMessage `json:"body"`
	Deliveries []deliveryOut   `json:"deliveries"`
	Attempts   []attemptOut    `json:"attempts"`
}

func eventJSON(ev *outbox.EventDetail) eventOut {
	o := eventOut{ID: ev.ID, Type: ev.Type, FlagKey: ev.FlagKey, Created: rfc3339(ev.Created), Hold: ev.Hold,
		Body: json.RawMessage(ev.Body), Deliveries: []deliveryOut{}, Attempts: []attemptOut{}}
	if !json.Valid(ev.Body) {
		o.Body, _ = json.Marshal(string(ev.Body))
	}
	for i := range ev.Deliveries {
		o.Deliveries = append(o.Deliveries, deliveryJSON(&ev.Deliveries[i]))
	}
	for _, a := range ev.Attempts {
		ao := attemptOut{WebhookID: a.SubscriptionID, N: a.N, Worker: a.Worker, Started: rfc3339(a.Started),
			DurationMS: a.Duration.Milliseconds(), Status: a.Status, ErrorClass: a.ErrorClass, Error: a.Error, Truncated: a.Truncated}
		if len(a.Response) > 0 {
			s := strings.ToValidUTF8(string(a.Response), "\uFFFD")
			ao.Response = &s
		}
		o.Attempts = append(o.Attempts, ao)
	}
	return o
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
