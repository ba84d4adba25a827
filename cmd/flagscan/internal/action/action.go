// Package action is flagscan's GitHub Action after the checkout: it reads
// the push from the event payload, makes sure a shallow checkout has the
// history the analysis needs (fetching through scanner/git's CLI), pushes
// the update through a workspace, delivers within the budget, and writes
// the step outputs and the job summary. It owns nothing of the analysis.
package action

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/diff"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner/git"
)

// The step outputs `flagscan action` writes to $GITHUB_OUTPUT; action.yml
// maps them to the action's outputs.
const (
	OutputNewFlags     = "new_flags"     // JSON array of the keys of Flag.new events
	OutputDeletedFlags = "deleted_flags" // JSON array of the keys of Flag.deleted events
	OutputEvents       = "events"        // JSON array of the event bodies
)

// Options are the flags of flagscan action.
type Options struct {
	Workspace workspace.Flags
	Webhook   delivery.Webhook
	Event     string // the payload; "" is $GITHUB_EVENT_PATH
	NoFetch   bool
	Format    string // table or json
	LogFormat string
	// Output and Summary are the files the step outputs (name=value
	// lines) and the Markdown summary are appended to; "" is
	// $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY, each unset: none.
	Output, Summary string
	// Comment asks for a pull- or merge-request comment with the change,
	// updated on later pushes (a token must allow it).
	Comment bool
	// FailOn are the --fail-on policies of a request's change.
	FailOn []string
	// LookupEnv reads the environment; nil is os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Run analyzes the push of the event and reports it.
func Run(ctx context.Context, o Options, std cli.IO) error {
	lookup := o.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	eventPath := o.Event
	if eventPath == "" {
		eventPath, _ = cli.LookupNonEmpty(lookup, "GITHUB_EVENT_PATH")
	}
	if eventPath == "" {
		return cli.Usagef("no event: set GITHUB_EVENT_PATH (GitHub Actions does) or give --event FILE")
	}
	p, err := GitHubPush(eventPath, lookup)
	if err != nil {
		return err
	}
	return RunPush(ctx, o, p, std)
}

// RunPush analyzes a push as a CI system reports it and reports it: the
// events, the step outputs, the summary; for a pull or merge request, the
// change it makes (and the comment).
func RunPush(ctx context.Context, o Options, p *Push, std cli.IO) error {
	if err := cli.TableOrJSON(o.Format); err != nil {
		return err
	}
	if err := diff.CheckFailOn(o.FailOn); err != nil {
		return err
	}
	lookup := o.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	a := &actionRun{rf: &o.Workspace, inl: &o.Webhook, lookup: lookup, noFetch: o.NoFetch, stderr: std.Err, logFormat: o.LogFormat, opts: &o, version: std.Version}
	if a.opts.Output == "" {
		a.opts.Output = a.getenv("GITHUB_OUTPUT")
	}
	if a.opts.Summary == "" {
		a.opts.Summary = a.getenv("GITHUB_STEP_SUMMARY")
	}
	if p.Request != nil {
		return a.runRequest(ctx, p, std)
	}
	res, err := a.run(ctx, p)
	if err != nil {
		return err
	}
	return report.Outcomes(std.Out, std.Err, o.Format, []*analyzer.Outcome{res.Outcome})
}

// actionRun is one run of `flagscan action`.
type actionRun struct {
	rf      *workspace.Flags
	inl     *delivery.Webhook
	lookup  func(string) (string, bool)
	noFetch bool
	stderr  io.Writer
	// logFormat is --log-format.
	logFormat string
	opts      *Options
	// version is flagscan's, for JSON log lines and webhook requests.
	version string
}

// actionResult is what a run did, for the outputs and the summary.
type actionResult struct {
	Repository string
	Event      string // the event name (GitHub's, else push or what triggered the run)
	Provider   string // the CI system
	Outcome    *analyzer.Outcome
	// Tracked are the tracked branch patterns, for a skipped update.
	Tracked []string
	// Baseline is set when the store had no snapshot of the branch.
	Baseline bool
	Pusher   string
	Webhooks int
	Budget   time.Duration
	Delivery delivery.Result
	// Deliveries are those of this run's events.
	Deliveries []outbox.Delivery
	Counts     map[string]int
}

func (a *actionRun) getenv(name string) string {
	v, _ := cli.LookupNonEmpty(a.lookup, name)
	return v
}

func (a *actionRun) logf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "flagscan: "+format+"\n", args...)
}

func (a *actionRun) run(ctx context.Context, p *Push) (*actionResult, error) {
	res := &actionResult{Event: p.Event, Provider: p.Provider}
	u, err := p.update()
	if err != nil {
		return nil, err
	}
	log, err := cli.NewLogger(a.logFormat, a.version, a.stderr, slog.LevelWarn)
	if err != nil {
		return nil, err
	}
	// The payload names the repository exactly, also on GitHub Enterprise
	// Server; flags and FLAGSCAN_* variables still come first.
	if a.rf.Repository == "" && a.getenv("FLAGSCAN_REPOSITORY") == "" {
		a.rf.Repository = p.Repository
	}
	if a.rf.WebURL == "" && a.getenv("FLAGSCAN_WEB_URL") == "" {
		a.rf.WebURL = p.WebURL
	}
	w, err := workspace.Open(ctx, a.rf)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if err := a.inl.Apply(w.Config, a.lookup); err != nil {
		return nil, err
	}
	if res.Budget, err = a.inl.DeliveryBudget(a.lookup, w.Config.Delivery.InlineBudget); err != nil {
		return nil, err
	}
	def := p.DefaultBranch
	if len(w.Config.Branches) == 0 && def != "" {
		// HEAD of an Actions checkout is the pushed branch: the
		// repository's default branch is the payload's.
		w.Config.Branches = []string{def}
	}
	res.Tracked = w.Config.Branches
	if len(res.Tracked) == 0 {
		res.Tracked = []string{w.Repo.DefaultBranch()}
	}
	res.Repository = workspace.RepositoryName(a.rf.Repository, a.rf.Repo)

	branch, isBranch := strings.CutPrefix(u.Ref, "refs/heads/")
	if isBranch && !git.IsZeroID(u.New) && workspace.MatchAny(res.Tracked, branch) {
		snap, err := store.LoadSnapshot(ctx, w.DB, res.Repository, branch)
		if err != nil {
			return nil, err
		}
		res.Baseline = snap == nil
		g := git.CLI{Dir: a.rf.Repo}
		switch {
		case p.CatchUp():
			u = workspace.CatchUp(snap, branch, u.New)
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
		fetched, err := a.ensureHistory(ctx, g, u, needs, p)
		if err != nil {
			return nil, err
		}
		if fetched {
			// go-git lists packs once: open the repository again to see
			// the fetched ones.
			if err := w.Repo.Reopen(); err != nil {
				return nil, err
			}
		}
	}

	res.Pusher = p.PusherName
	pusher := pusherEnv(p, a.lookup)
	w.LookupEnv = func(name string) (string, bool) {
		if v, ok := pusher[name]; ok {
			return v, true
		}
		return a.lookup(name)
	}
	outcomes, err := w.Push(ctx, []analyzer.Update{u})
	if err != nil {
		return nil, err
	}
	res.Outcome = outcomes[0]

	// Delivery never fails the run: the events are safe in the outbox,
	// which the cache keeps for the next run.
	res.Webhooks = len(w.Config.Webhooks)
	res.Delivery = delivery.Inline(ctx, w.DB, w.Config, res.Budget, log, a.version)
	if res.Delivery.Err != nil {
		a.logf("delivering webhooks: %v (the events stay in the store's outbox, for the next run)", res.Delivery.Err)
	}
	var ids []string
	for _, e := range res.Outcome.Events {
		ids = append(ids, e.ID)
	}
	if res.Deliveries, err = delivery.EventDeliveries(ctx, w.DB, ids); err != nil {
		return nil, err
	}
	if res.Counts, err = outbox.Counts(ctx, w.DB); err != nil {
		return nil, err
	}

	if p := a.opts.Output; p != "" {
		if err := appendFile(p, func(out io.Writer) error { return writeActionOutputs(out, res.Outcome.Events) }); err != nil {
			return nil, fmt.Errorf("write step outputs: %w", err)
		}
	}
	if p := a.opts.Summary; p != "" {
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
func (a *actionRun) ensureHistory(ctx context.Context, g git.CLI, u analyzer.Update, needs []string, p *Push) (bool, error) {
	fetched := false
	var lastErr error
	for i, need := range needs {
		f, err := a.ensureCommit(ctx, g, u, need, p)
		fetched = fetched || f
		if err == nil {
			return fetched, nil
		}
		lastErr = err
		if i+1 < len(needs) {
			a.logf("%v; the analysis starts from %s instead", err, cli.Short(needs[i+1]))
		}
	}
	return fetched, lastErr
}

// deepenSteps bound the rounds of `git fetch --deepen` before unshallowing.
const deepenSteps = 4

func (a *actionRun) ensureCommit(ctx context.Context, g git.CLI, u analyzer.Update, need string, p *Push) (bool, error) {
	if need == u.New || g.Has(ctx, need) && g.IsAncestor(ctx, need, u.New) {
		return false, nil
	}
	shallow := g.Shallow(ctx)
	if !shallow && g.Has(ctx, need) {
		return false, nil // complete history, and need is off the branch: a force-push
	}
	what := "commit " + cli.Short(need) + ", where the analysis of this push starts,"
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
	if shallow && !p.Forced {
		n := max(p.Commits+1, 50)
		for step := 0; step < deepenSteps && g.Shallow(ctx); step++ {
			a.logf("shallow checkout: fetching %d more commits of %s to reach %s", n, u.Ref, cli.Short(need))
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
	a.logf("fetching commit %s from origin", cli.Short(need))
	if err := g.Fetch(ctx, "origin", need); err != nil {
		return fetched, impossible(err)
	}
	if !g.Has(ctx, need) {
		return true, impossible(errors.New("the fetch did not bring it"))
	}
	return true, nil
}

// pusherEnv returns the actor variables for the event's pusher: the
// FLAGSCAN_USER_ID and FLAGSCAN_USER_EMAIL that the environment does not
// set already.
func pusherEnv(p *Push, lookup func(string) (string, bool)) map[string]string {
	out := map[string]string{}
	for name, v := range map[string]string{"FLAGSCAN_USER_ID": p.PusherName, "FLAGSCAN_USER_EMAIL": p.PusherEmail} {
		if _, set := cli.LookupNonEmpty(lookup, name); !set && v != "" {
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
