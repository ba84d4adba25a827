package action

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// writeActionOutputs writes the step outputs, one "name=value" line each:
// the values are compact JSON, which holds no line break.
func writeActionOutputs(w io.Writer, events []event.Event) error {
	newKeys, deletedKeys := map[string]bool{}, map[string]bool{}
	bodies := make([]event.Body, 0, len(events))
	for _, e := range events {
		if e.Body.Event == event.FlagNew {
			newKeys[e.Body.FlagKey] = true
		} else {
			deletedKeys[e.Body.FlagKey] = true
		}
		bodies = append(bodies, e.Body)
	}
	return writeOutputs(w, []output{{OutputNewFlags, sortedKeys(newKeys)}, {OutputDeletedFlags, sortedKeys(deletedKeys)}, {OutputEvents, bodies}})
}

// output is one step output.
type output struct {
	name  string
	value any
}

// writeOutputs writes outputs as name=value lines of compact JSON, which
// holds no line break.
func writeOutputs(w io.Writer, outputs []output) error {
	for _, o := range outputs {
		b, err := json.Marshal(o.value)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s=%s\n", o.name, b); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// maxSummaryRefs bounds the references listed per flag in the summary.
const maxSummaryRefs = 3

// writeActionSummary writes the job summary: what was analyzed, a table of
// the new and deleted flags with links to their references, and what
// became of the webhooks.
func writeActionSummary(w io.Writer, r *actionResult) error {
	var b strings.Builder
	o := r.Outcome
	branch := o.Branch
	if branch == "" {
		branch = o.Update.Ref
	}
	fmt.Fprintf(&b, "### flagscan: %s %s\n\n", mdText(r.Repository), mdCode(branch))
	if o.Skipped != "" {
		fmt.Fprintf(&b, "Nothing analyzed: %s.", o.Skipped)
		if o.Skipped == analyzer.SkipUntracked {
			codes := make([]string, len(r.Tracked))
			for i, t := range r.Tracked {
				codes[i] = mdCode(t)
			}
			fmt.Fprintf(&b, " Tracked branches: %s.", strings.Join(codes, ", "))
		}
		b.WriteString("\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	var news, dels int
	for _, e := range o.Events {
		if e.Body.Event == event.FlagNew {
			news++
		} else {
			dels++
		}
	}
	what := "Push"
	if r.Event != "push" {
		what = "Run (" + r.Event + ")"
	}
	fmt.Fprintf(&b, "%s %s", what, mdCode(cli.Short(o.Update.Old)+".."+cli.Short(o.Update.New)))
	if r.Pusher != "" {
		fmt.Fprintf(&b, " by %s", mdText(r.Pusher))
	}
	fmt.Fprintf(&b, ": %s analyzed, %s, %s.\n", plural(o.Commits, "commit"), plural(news, "new flag"), plural(dels, "deleted flag"))
	if r.Baseline {
		if o.Update.Old == o.Update.New {
			fmt.Fprintf(&b, "\nNo stored snapshot (first run, or the cache was missing): the baseline is %s, and no event is emitted for it.\n", mdCode(cli.Short(o.Update.New)))
		} else {
			fmt.Fprintf(&b, "\nNo stored snapshot (first run, or the cache was missing): the baseline is %s.\n", mdCode(cli.Short(o.Update.Old)))
		}
	}
	if len(o.Events) == 0 {
		b.WriteString("\nNo flag appeared or disappeared.\n")
	} else {
		b.WriteString("\n| change | flag | environment | commit | references |\n|---|---|---|---|---|\n")
		for _, e := range o.Events {
			body := e.Body
			change := "new"
			if body.Event == event.FlagDeleted {
				change = "deleted"
			}
			commit := mdCode(cli.Short(body.Commit.SHA))
			if body.Commit.URL != "" {
				commit = mdLink(cli.Short(body.Commit.SHA), body.Commit.URL)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", change, mdCode(body.FlagKey), mdText(body.EnvironmentName), commit, mdRefs(body.References, body.Event == event.FlagDeleted))
		}
	}
	b.WriteString("\n#### Webhooks\n\n")
	switch {
	case r.Webhooks == 0:
		b.WriteString("No webhook configured: the events are in the step's `events` output only.\n")
	case len(o.Events) == 0 && !r.Delivery.Ran:
		b.WriteString("Nothing to deliver.\n")
	default:
		if len(r.Deliveries) > 0 {
			b.WriteString("| webhook | event | flag | result |\n|---|---|---|---|\n")
			for _, d := range r.Deliveries {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdText(d.Description), d.Type, mdCode(d.FlagKey), mdText(report.DeliveryResult(d)))
			}
			b.WriteString("\n")
		}
		switch {
		case r.Delivery.Err != nil:
			fmt.Fprintf(&b, "Delivery failed: %s. The events stay in the store's outbox; the next run sends them.\n\n", mdText(r.Delivery.Err.Error()))
		case !r.Delivery.Ran:
			b.WriteString("Not delivered in this run (delivery budget 0): `flagscan deliver` or the next run sends them.\n\n")
		}
		c := r.Counts
		fmt.Fprintf(&b, "Outbox: %d pending, %d failed, %d delivered.", c[outbox.StatePending], c[outbox.StateFailed], c[outbox.StateDelivered])
		if c[outbox.StatePending] > 0 {
			b.WriteString(" Pending events are sent by the next run, from the cached store.")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// mdRefs lists references as links (when they have a URL), the first few
// of them.
func mdRefs(refs []event.Reference, last bool) string {
	if len(refs) == 0 {
		return "-"
	}
	var parts []string
	for i, ref := range refs {
		if i == maxSummaryRefs {
			parts = append(parts, fmt.Sprintf("and %d more", len(refs)-maxSummaryRefs))
			break
		}
		text := fmt.Sprintf("%s:%d", ref.Path, ref.Line)
		if ref.URL != "" {
			parts = append(parts, mdLink(text, ref.URL))
		} else {
			parts = append(parts, mdCode(text))
		}
	}
	s := strings.Join(parts, "<br>")
	if last {
		s = "last seen: " + s
	}
	return s
}

// mdText escapes text for a Markdown table cell.
func mdText(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", "", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "`", "\\`")
	return cli.Printable(r.Replace(s))
}

// mdCode shows s as code in a table cell.
func mdCode(s string) string {
	s = cli.Printable(strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s))
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

func mdLink(text, url string) string {
	return "[" + mdText(text) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "|", "%7C").Replace(url) + ")"
}
