package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner/git"
)

// The step outputs `flagscan action` writes to $GITHUB_OUTPUT; action.yml
// maps them to the action's outputs.
const (
	outputNewFlags     = "new_flags"     // JSON array of the keys of Flag.new events
	outputDeletedFlags = "deleted_flags" // JSON array of the keys of Flag.deleted events
	outputEvents       = "events"        // JSON array of the event bodies
)

// pushEvent is what `flagscan action` reads of a GitHub push event payload.
type pushEvent struct {
	Ref     string `json:"ref"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Created bool   `json:"created"`
	Deleted bool   `json:"deleted"`
	Forced  bool   `json:"forced"`
	Commits []struct {
		ID string `json:"id"`
	} `json:"commits"`
	Pusher struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"pusher"`
	Repository struct {
		FullName      string `json:"full_name"`
		HTMLURL       string `json:"html_url"`
		DefaultBranch string `json:"default_branch"`
		MasterBranch  string `json:"master_branch"`
	} `json:"repository"`
}

func newActionCmd() *cobra.Command {
	var (
		rf        repoFlags
		inl       inlineFlags
		eventPath string
		noFetch   bool
		format    string
	)
	cmd := &cobra.Command{
		Use:   "action",
		Short: "Analyze the push of a GitHub Actions run: events, webhooks, step outputs and job summary",
		Long: `Action is the part of the GitHub Action (action.yml) that runs after the
checkout. It reads the push from the event payload ($GITHUB_EVENT_PATH: ref,
before, after, created, deleted, forced, the pusher), analyzes it as
'flagscan push' would, with the pusher as the events' user, delivers the
webhooks for --deliver-budget, and writes:

  $GITHUB_OUTPUT        new_flags, deleted_flags (JSON arrays of keys) and
                        events (a JSON array of the event bodies)
  $GITHUB_STEP_SUMMARY  a table of the new and deleted flags with links to
                        their references, and the delivery results

For other events (workflow_dispatch, schedule) it brings the snapshot of
$GITHUB_REF up to $GITHUB_SHA, as 'flagscan sync' does.

With no stored snapshot (a missing cache) the baseline is the push's
'before' commit. In a shallow checkout, the commits the analysis needs are
fetched from origin (git fetch --deepen, then --unshallow, then the commit
itself); when that is impossible it says what to change.

Without a configuration file, everything comes from flags or FLAGSCAN_*
variables: FLAGSCAN_ACCOUNT_ID, FLAGSCAN_ACCOUNT_NAME, FLAGSCAN_ENVIRONMENT_ID,
FLAGSCAN_ENVIRONMENT_NAME, FLAGSCAN_BRANCHES (default: the repository's
default branch, from the payload), FLAGSCAN_WEBHOOK_URL,
FLAGSCAN_WEBHOOK_DESCRIPTION, FLAGSCAN_WEBHOOK_SECRET, FLAGSCAN_WEBHOOK_EVENTS,
FLAGSCAN_ALLOW_HOSTS, FLAGSCAN_DELIVERY_BUDGET, FLAGSCAN_CONFIG.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tableOrJSON(format); err != nil {
				return err
			}
			a := &actionRun{rf: &rf, inl: &inl, lookup: os.LookupEnv, noFetch: noFetch, stderr: cmd.ErrOrStderr()}
			if eventPath == "" {
				eventPath, _ = lookupNonEmpty(a.lookup, "GITHUB_EVENT_PATH")
			}
			if eventPath == "" {
				return usagef("no event: set GITHUB_EVENT_PATH (GitHub Actions does) or give --event FILE")
			}
			res, err := a.run(cmd, eventPath)
			if err != nil {
				return err
			}
			return writeOutcomes(cmd.OutOrStdout(), cmd.ErrOrStderr(), format, []*analyzer.Outcome{res.Outcome})
		},
	}
	rf.register(cmd)
	inl.register(cmd, "delivery.inline_budget")
	fl := cmd.Flags()
	fl.StringVar(&eventPath, "event", "", "the event payload (default: $GITHUB_EVENT_PATH)")
	fl.BoolVar(&noFetch, "no-fetch", false, "never fetch missing commits from origin (a shallow checkout then fails with a message)")
	fl.StringVar(&format, "format", "table", "what to print on standard output: table, or json (one event body per line)")
	return cmd
}

// actionRun is one run of `flagscan action`.
type actionRun struct {
	rf      *repoFlags
	inl     *inlineFlags
	lookup  func(string) (string, bool)
	noFetch bool
	stderr  io.Writer
}

// actionResult is what a run did, for the outputs and the summary.
type actionResult struct {
	Repository string
	Event      string // the GitHub event name
	Outcome    *analyzer.Outcome
	// Tracked are the tracked branch patterns, for a skipped update.
	Tracked []string
	// Baseline is set when the store had no snapshot of the branch.
	Baseline bool
	Pusher   string
	Webhooks int
	Budget   time.Duration
	Delivery inlineDelivery
	// Deliveries are those of this run's events.
	Deliveries []outbox.Delivery
	Counts     map[string]int
}

func (a *actionRun) getenv(name string) string {
	v, _ := lookupNonEmpty(a.lookup, name)
	return v
}

func (a *actionRun) logf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "flagscan: "+format+"\n", args...)
}

// readPushEvent reads an event payload.
func readPushEvent(path string) (*pushEvent, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("event payload: %v", err)
	}
	var ev pushEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, usagef("event payload %s: %v", path, err)
	}
	return &ev, nil
}

// update returns the ref update of the event: the push's, or for another
// event $GITHUB_REF at $GITHUB_SHA from the stored snapshot.
func (a *actionRun) update(ev *pushEvent, name string) (analyzer.Update, error) {
	if name != "push" {
		sha, ref := a.getenv("GITHUB_SHA"), a.getenv("GITHUB_REF")
		if sha == "" || ref == "" {
			return analyzer.Update{}, usagef("a %s event: GITHUB_SHA and GITHUB_REF must be set", name)
		}
		return analyzer.Update{Old: sha, New: sha, Ref: ref}, nil
	}
	before, after := ev.Before, ev.After
	if before == "" {
		before = git.ZeroID
	}
	if after == "" {
		after = git.ZeroID
	}
	u, err := analyzer.ParseUpdate(before + " " + after + " " + ev.Ref)
	if err != nil {
		return u, usagef("event payload: %v", err)
	}
	return u, nil
}

func (a *actionRun) run(cmd *cobra.Command, eventPath string) (*actionResult, error) {
	ctx := cmd.Context()
	ev, err := readPushEvent(eventPath)
	if err != nil {
		return nil, err
	}
	res := &actionResult{Event: a.getenv("GITHUB_EVENT_NAME")}
	if res.Event == "" {
		res.Event = "push"
	}
	u, err := a.update(ev, res.Event)
	if err != nil {
		return nil, err
	}
	log, err := newLogger(cmd, a.stderr, slog.LevelWarn)
	if err != nil {
		return nil, err
	}
	// The payload names the repository exactly, also on GitHub Enterprise
	// Server; flags and FLAGSCAN_* variables still come first.
	if a.rf.repository == "" && a.getenv("FLAGSCAN_REPOSITORY") == "" {
		a.rf.repository = ev.Repository.FullName
	}
	if a.rf.webURL == "" && a.getenv("FLAGSCAN_WEB_URL") == "" {
		a.rf.webURL = ev.Repository.HTMLURL
	}
	w, err := a.rf.open(ctx)
	if err != nil {
		return nil, err
	}
	defer w.db.Close()
	if err := a.inl.apply(w.cfg, a.lookup); err != nil {
		return nil, err
	}
	if res.Budget, err = a.inl.deliveryBudget(a.lookup, w.cfg.Delivery.InlineBudget); err != nil {
		return nil, err
	}
	def := ev.Repository.DefaultBranch
	if def == "" {
		def = ev.Repository.MasterBranch
	}
	if len(w.cfg.Branches) == 0 && def != "" {
		// HEAD of an Actions checkout is the pushed branch: the
		// repository's default branch is the payload's.
		w.cfg.Branches = []string{def}
	}
	res.Tracked = w.cfg.Branches
	if len(res.Tracked) == 0 {
		res.Tracked = []string{w.repo.DefaultBranch()}
	}
	res.Repository = repositoryName(a.rf.repository, a.rf.repo)

	branch, isBranch := strings.CutPrefix(u.Ref, "refs/heads/")
	if isBranch && !git.IsZeroID(u.New) && matchAny(res.Tracked, branch) {
		snap, err := store.LoadSnapshot(ctx, w.db, res.Repository, branch)
		if err != nil {
			return nil, err
		}
		res.Baseline = snap == nil
		g := git.CLI{Dir: a.rf.repo}
		switch {
		case res.Event != "push":
			u = syncUpdate(snap, branch, u.New)
		case git.IsZeroID(u.Old) && snap == nil && def != "" && branch != def:
			// A new branch on a fresh store: the baseline is where it
			// branches off the default branch.
			if base := a.branchBase(ctx, g, u.New, branch, def); base != "" {
				u.Old = base
			}
		}
		var needs []string
		if snap != nil {
			needs = append(needs, snap.Commit)
		}
		if !git.IsZeroID(u.Old) && (snap == nil || u.Old != snap.Commit) {
			needs = append(needs, u.Old)
		}
		fetched, err := a.ensureHistory(ctx, g, u, needs, ev)
		if err != nil {
			return nil, err
		}
		if fetched {
			// go-git lists packs once: open the repository again to see
			// the fetched ones.
			if err := w.repo.Reopen(); err != nil {
				return nil, err
			}
		}
	}

	res.Pusher = ev.Pusher.Name
	pusher := pusherEnv(ev, a.lookup)
	w.lookupEnv = func(name string) (string, bool) {
		if v, ok := pusher[name]; ok {
			return v, true
		}
		return a.lookup(name)
	}
	outcomes, err := w.push(ctx, []analyzer.Update{u})
	if err != nil {
		return nil, err
	}
	res.Outcome = outcomes[0]
	if res.Pusher == "" {
		res.Pusher = a.getenv("GITHUB_ACTOR")
	}

	// Delivery never fails the run: the events are safe in the outbox,
	// which the cache keeps for the next run.
	res.Webhooks = len(w.cfg.Webhooks)
	res.Delivery = deliverInline(ctx, w.db, w.cfg, res.Budget, log)
	if res.Delivery.Err != nil {
		a.logf("delivering webhooks: %v (the events stay in the store's outbox, for the next run)", res.Delivery.Err)
	}
	var ids []string
	for _, e := range res.Outcome.Events {
		ids = append(ids, e.ID)
	}
	if res.Deliveries, err = eventDeliveries(ctx, w.db, ids); err != nil {
		return nil, err
	}
	if res.Counts, err = outbox.Counts(ctx, w.db); err != nil {
		return nil, err
	}

	if p := a.getenv("GITHUB_OUTPUT"); p != "" {
		if err := appendFile(p, func(out io.Writer) error { return writeActionOutputs(out, res.Outcome.Events) }); err != nil {
			return nil, fmt.Errorf("write step outputs: %w", err)
		}
	}
	if p := a.getenv("GITHUB_STEP_SUMMARY"); p != "" {
		if err := appendFile(p, func(out io.Writer) error { return writeActionSummary(out, res) }); err != nil {
			return nil, fmt.Errorf("write job summary: %w", err)
		}
	}
	return res, nil
}

// branchBase returns the commit a new branch forks from the default
// branch, "" when it cannot tell (the analyzer then looks for a base
// among the local refs).
func (a *actionRun) branchBase(ctx context.Context, g git.CLI, tip, branch, def string) string {
	remoteRef := "refs/remotes/origin/" + def
	ref := ""
	for _, r := range []string{remoteRef, "refs/heads/" + def} {
		if g.Has(ctx, r) {
			ref = r
			break
		}
	}
	if !a.noFetch && (ref == "" || g.Shallow(ctx)) {
		var args []string
		if g.Shallow(ctx) {
			args = append(args, "--unshallow")
		}
		args = append(args, "origin", "+refs/heads/"+def+":"+remoteRef, "+refs/heads/"+branch+":refs/remotes/origin/"+branch)
		a.logf("new branch %s: fetching %s to find where it branches off", branch, def)
		if err := g.Fetch(ctx, args...); err != nil {
			a.logf("cannot fetch %s (%v): the baseline is the first commit of %s that another local ref shares", def, err, branch)
		} else {
			ref = remoteRef
		}
	}
	if ref == "" {
		return ""
	}
	base, err := g.MergeBase(ctx, tip, ref)
	if err != nil {
		return ""
	}
	return base
}

// ensureHistory makes sure the repository has what the analysis of u
// needs: the first of needs that can be had (the stored snapshot's commit,
// then the push's old commit), with the history from it to u.New. In a
// shallow checkout it deepens the history, then unshallows it, then fetches
// the commit itself. It reports whether it fetched anything.
func (a *actionRun) ensureHistory(ctx context.Context, g git.CLI, u analyzer.Update, needs []string, ev *pushEvent) (bool, error) {
	fetched := false
	var lastErr error
	for i, need := range needs {
		f, err := a.ensureCommit(ctx, g, u, need, ev)
		fetched = fetched || f
		if err == nil {
			return fetched, nil
		}
		lastErr = err
		if i+1 < len(needs) {
			a.logf("%v; the analysis starts from %s instead", err, short(needs[i+1]))
		}
	}
	return fetched, lastErr
}

// deepenSteps bound the rounds of `git fetch --deepen` before unshallowing.
const deepenSteps = 4

func (a *actionRun) ensureCommit(ctx context.Context, g git.CLI, u analyzer.Update, need string, ev *pushEvent) (bool, error) {
	if need == u.New || g.Has(ctx, need) && g.IsAncestor(ctx, need, u.New) {
		return false, nil
	}
	shallow := g.Shallow(ctx)
	if !shallow && g.Has(ctx, need) {
		return false, nil // complete history, and need is off the branch: a force-push
	}
	what := "commit " + short(need) + ", where the analysis of this push starts,"
	if a.noFetch {
		if shallow {
			return false, fmt.Errorf("%s is not in this shallow checkout, and --no-fetch forbids fetching it: check out with fetch-depth: 0", what)
		}
		return false, fmt.Errorf("%s is not in the repository, and --no-fetch forbids fetching it", what)
	}
	impossible := func(err error) error {
		if shallow {
			return fmt.Errorf("%s is not in this shallow checkout and could not be fetched from origin (%v): check out with fetch-depth: 0 (actions/checkout), or keep persist-credentials so that flagscan can fetch it", what, err)
		}
		return fmt.Errorf("%s is not in the repository and origin does not serve it (%v): a force-push whose old commits are gone?", what, err)
	}
	fetched := false
	if shallow && !ev.Forced {
		n := max(len(ev.Commits)+1, 50)
		for step := 0; step < deepenSteps && g.Shallow(ctx); step++ {
			a.logf("shallow checkout: fetching %d more commits of %s to reach %s", n, u.Ref, short(need))
			if err := g.Fetch(ctx, fmt.Sprintf("--deepen=%d", n), "origin", u.Ref); err != nil {
				return fetched, impossible(err)
			}
			fetched = true
			if g.Has(ctx, need) && g.IsAncestor(ctx, need, u.New) {
				return true, nil
			}
			n *= 4
		}
	}
	if g.Shallow(ctx) {
		a.logf("shallow checkout: fetching the whole history of %s", u.Ref)
		if err := g.Fetch(ctx, "--unshallow", "origin", u.Ref); err != nil {
			return fetched, impossible(err)
		}
		fetched = true
	}
	if g.Has(ctx, need) {
		return fetched, nil
	}
	a.logf("fetching commit %s from origin", short(need))
	if err := g.Fetch(ctx, "origin", need); err != nil {
		return fetched, impossible(err)
	}
	if !g.Has(ctx, need) {
		return true, impossible(errors.New("the fetch did not bring it"))
	}
	return true, nil
}

func matchAny(patterns []string, name string) bool {
	for _, g := range patterns {
		if config.MatchGlob(g, name) {
			return true
		}
	}
	return false
}

// pusherEnv returns the actor variables for the event's pusher: the
// FLAGSCAN_USER_ID and FLAGSCAN_USER_EMAIL that the environment does not
// set already.
func pusherEnv(ev *pushEvent, lookup func(string) (string, bool)) map[string]string {
	out := map[string]string{}
	for name, v := range map[string]string{"FLAGSCAN_USER_ID": ev.Pusher.Name, "FLAGSCAN_USER_EMAIL": ev.Pusher.Email} {
		if _, set := lookupNonEmpty(lookup, name); !set && v != "" {
			out[name] = v
		}
	}
	return out
}

// appendFile appends what write writes to the file at path, as GitHub's
// output and summary files want.
func appendFile(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

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
	for _, o := range []struct {
		name  string
		value any
	}{{outputNewFlags, sortedKeys(newKeys)}, {outputDeletedFlags, sortedKeys(deletedKeys)}, {outputEvents, bodies}} {
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
	fmt.Fprintf(&b, "%s %s", what, mdCode(short(o.Update.Old)+".."+short(o.Update.New)))
	if r.Pusher != "" {
		fmt.Fprintf(&b, " by %s", mdText(r.Pusher))
	}
	fmt.Fprintf(&b, ": %s analyzed, %s, %s.\n", plural(o.Commits, "commit"), plural(news, "new flag"), plural(dels, "deleted flag"))
	if r.Baseline {
		if o.Update.Old == o.Update.New {
			fmt.Fprintf(&b, "\nNo stored snapshot (first run, or the cache was missing): the baseline is %s, and no event is emitted for it.\n", mdCode(short(o.Update.New)))
		} else {
			fmt.Fprintf(&b, "\nNo stored snapshot (first run, or the cache was missing): the baseline is %s.\n", mdCode(short(o.Update.Old)))
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
			commit := mdCode(short(body.Commit.SHA))
			if body.Commit.URL != "" {
				commit = mdLink(short(body.Commit.SHA), body.Commit.URL)
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
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdText(d.Description), d.Type, mdCode(d.FlagKey), mdText(deliveryResult(d)))
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
	return r.Replace(s)
}

// mdCode shows s as code in a table cell.
func mdCode(s string) string {
	s = strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

func mdLink(text, url string) string {
	return "[" + mdText(text) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "|", "%7C").Replace(url) + ")"
}
