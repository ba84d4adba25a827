package report

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// Outcomes prints the events of a push: a table, or JSON lines of the
// bodies as written to the outbox. Skipped updates and unreadable files go
// to stderr.
func Outcomes(stdout, stderr io.Writer, format string, outcomes []*analyzer.Outcome) error {
	var events []event.Event
	uncovered, files := map[string]bool{}, map[string]bool{}
	for _, o := range outcomes {
		for _, k := range o.Uncovered {
			uncovered[k] = true
		}
		for _, f := range o.UncoveredFiles {
			files[f] = true
		}
		if o.Skipped != "" {
			fmt.Fprintf(stderr, "flagscan: %s %s..%s: %s\n", cli.Printable(o.Update.Ref), cli.Short(o.Update.Old), cli.Short(o.Update.New), o.Skipped)
		}
		for _, e := range o.Errors {
			fmt.Fprintf(stderr, "flagscan: %s: %s: %s\n", cli.Printable(e.Path), e.Kind, cli.Printable(e.Error))
		}
		events = append(events, o.Events...)
	}
	if len(uncovered) > 0 {
		// Once per run, whatever the number of updates.
		keys := slices.Sorted(maps.Keys(uncovered))
		more := ""
		if len(keys) > 5 {
			keys, more = keys[:5], fmt.Sprintf(" and %d more", len(uncovered)-5)
		}
		fmt.Fprintf(stderr, "flagscan: warning: %d keys (%s%s) are referenced in %d files that no environment's paths cover: no event reports them; add the paths to an environment\n",
			len(uncovered), strings.Join(keys, ", "), more, len(files))
	}
	return Events(stdout, format, events)
}

// Events prints events as a table or as JSON lines.
func Events(w io.Writer, format string, events []event.Event) error {
	if format == "table" || format == "" {
		var flush func() error
		w, flush = fit(w)
		defer func() { _ = flush() }()
	}
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", b.Event, cli.Printable(b.FlagKey), cli.Printable(b.EnvironmentID), cli.Printable(b.Branch), cli.Short(b.Commit.SHA), cli.Printable(b.Commit.AuthorName), cli.Printable(where))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, Plural(len(events), "event"))
	return nil
}

// Status writes the tracked branches, the snapshots and the outbox's
// counts.
//
// uncovered maps "repository branch" to the files of its snapshot that
// hold references but lie under no environment's paths: their keys are in
// no event.
func Status(out io.Writer, tracked []string, statuses []store.BranchStatus, counts map[string]int, uncovered map[string][]string) error {
	var flush func() error
	out, flush = fit(out)
	defer func() { _ = flush() }()
	fmt.Fprintf(out, "tracked branches: %s\n\n", strings.Join(tracked, ", "))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REPOSITORY\tBRANCH\tCOMMIT\tKEYS\tUPDATED")
	for _, s := range statuses {
		var envs []string
		for env, n := range s.Keys {
			envs = append(envs, fmt.Sprintf("%s=%d", env, n))
		}
		sort.Strings(envs)
		keys := strings.Join(envs, " ")
		if keys == "" {
			keys = "0"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cli.Printable(s.Repo), cli.Printable(s.Branch), cli.Short(s.Commit), cli.Printable(keys), s.UpdatedAt)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range statuses {
		files := uncovered[s.Repo+" "+s.Branch]
		if len(files) == 0 {
			continue
		}
		more := ""
		if len(files) > 5 {
			more = fmt.Sprintf(" and %d more", len(files)-5)
			files = files[:5]
		}
		fmt.Fprintf(out, "\n%s %s: %s with references under no environment's paths, whose keys are in no event: %s%s\n",
			cli.Printable(s.Repo), cli.Printable(s.Branch), Plural(len(uncovered[s.Repo+" "+s.Branch]), "file"), cli.Printable(strings.Join(files, ", ")), more)
	}
	fmt.Fprintf(out, "\nevents: %d pending, %d failed, %d delivered\n", counts[outbox.StatePending], counts[outbox.StateFailed], counts[outbox.StateDelivered])
	return nil
}

// flagLine is one key of a snapshot, as `flagscan flags` prints it.
type flagLine struct {
	Environment string            `json:"environment_id"`
	FlagKey     string            `json:"flag_key"`
	References  []event.Reference `json:"references"`
}

// Flags writes the keys of a snapshot (of one environment, unless only
// is ""), with their references.
func Flags(out io.Writer, format string, snap *store.Snapshot, only string) error {
	if format == "table" || format == "" {
		var flush func() error
		out, flush = fit(out)
		defer func() { _ = flush() }()
	}
	var lines []flagLine
	for env, keys := range snap.Keys {
		if only != "" && env != only {
			continue
		}
		for k, raw := range keys {
			l := flagLine{Environment: env, FlagKey: k}
			if err := json.Unmarshal(raw, &l.References); err != nil {
				return fmt.Errorf("snapshot of %s: key %s: %w", snap.Branch, k, err)
			}
			lines = append(lines, l)
		}
	}
	sort.Slice(lines, func(i, j int) bool {
		if lines[i].Environment != lines[j].Environment {
			return lines[i].Environment < lines[j].Environment
		}
		return lines[i].FlagKey < lines[j].FlagKey
	})
	if format == "json" {
		enc := json.NewEncoder(out)
		for _, l := range lines {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ENVIRONMENT\tFLAG KEY\tREFERENCES\n")
	for _, l := range lines {
		var where []string
		for _, r := range l.References {
			where = append(where, fmt.Sprintf("%s:%d", r.Path, r.Line))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", cli.Printable(l.Environment), cli.Printable(l.FlagKey), cli.Printable(strings.Join(where, " ")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d keys at %s on %s\n", len(lines), cli.Short(snap.Commit), cli.Printable(snap.Branch))
	return nil
}
