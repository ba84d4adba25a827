package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/deliver"
	"github.com/flagscan/flagscan/emitter/outbox"
)

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

// Deliveries writes deliveries as a table, JSON lines or CSV.
func Deliveries(w io.Writer, format string, ds []outbox.Delivery) error {
	if format == "table" || format == "" {
		var flush func() error
		w, flush = fit(w)
		defer func() { _ = flush() }()
	}
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
			whenCol = "delivered " + When(d.DeliveredAt)
		case outbox.StateFailed:
			whenCol = "gave up " + When(d.UpdatedAt)
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.EventID, d.Type, OneLine(d.FlagKey, 40), OneLine(name, 30),
			stateOf(d), d.Attempts, lastAnswer(d), whenCol)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d deliveries\n", len(ds))
	return nil
}

// EventDetail writes an event, its deliveries and its attempts for people.
func EventDetail(w io.Writer, ev *outbox.EventDetail) error {
	fmt.Fprintf(w, "event    %s\ntype     %s\nflag key %s\ncreated  %s\n", ev.ID, ev.Type, ev.FlagKey, When(ev.Created))
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
			fmt.Fprintf(w, ", delivered %s", When(d.DeliveredAt))
		case outbox.StatePending:
			if !d.Held {
				fmt.Fprintf(w, ", due %s", When(d.NextAt))
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
		fmt.Fprintf(tw, "  #%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.N, OneLine(names[a.SubscriptionID], 24), When(a.Started),
			a.Duration.Round(time.Millisecond), status, class, a.Worker)
		if a.Error != "" {
			fmt.Fprintf(tw, "  \t%s\n", OneLine(a.Error, 160))
		}
		if len(a.Response) > 0 {
			resp := OneLine(string(a.Response), 160)
			if a.Truncated {
				resp += " [truncated]"
			}
			fmt.Fprintf(tw, "  \tanswer: %s\n", resp)
		}
	}
	return tw.Flush()
}

// DeliveryOut is a delivery as the JSON outputs write it.
type DeliveryOut struct {
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

func deliveryJSON(d *outbox.Delivery) DeliveryOut {
	o := DeliveryOut{
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

// EventOut is an event with its deliveries and attempts, as JSON writes it.
type EventOut struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	FlagKey    string          `json:"flag_key"`
	Created    string          `json:"created"`
	Hold       string          `json:"hold,omitempty"`
	Body       json.RawMessage `json:"body"`
	Deliveries []DeliveryOut   `json:"deliveries"`
	Attempts   []attemptOut    `json:"attempts"`
}

// EventJSON is an event, its deliveries and its attempts as JSON writes it.
func EventJSON(ev *outbox.EventDetail) EventOut {
	o := EventOut{ID: ev.ID, Type: ev.Type, FlagKey: ev.FlagKey, Created: rfc3339(ev.Created), Hold: ev.Hold,
		Body: json.RawMessage(ev.Body), Deliveries: []DeliveryOut{}, Attempts: []attemptOut{}}
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

// JSON writes v as indented JSON.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// When formats a time for tables: local, to the second; "-" for zero.
func When(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// WebhookTest writes what a test event sent to s got back.
func WebhookTest(w io.Writer, s *emitter.Subscription, id string, r *deliver.Report) {
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
		fmt.Fprintf(w, "  answer: %s%s\n", OneLine(strings.ToValidUTF8(string(r.Response), "\uFFFD"), 400), more)
	}
}

// DeliveryResult describes a delivery's state in a few words.
func DeliveryResult(d outbox.Delivery) string {
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
