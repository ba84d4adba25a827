package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/holds"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner/git"
)

func newPreReceiveCmd(f *hookFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "pre-receive",
		Short: "Analyze a push before git accepts it, within a time budget; hold its events until it is accepted",
		Long: `Pre-receive reads the "<old> <new> <ref>" lines git gives a pre-receive hook
and analyzes each update of a tracked branch, reading the pushed objects from
git's quarantine directory. The snapshot is not stored and the events are
written to the outbox held, under a token of the ref update, so that nothing
is sent for a push git then rejects: post-receive (or 'flagscan hook confirm')
releases them once git has accepted the push.

It must finish within hook.budget (default 4s), counted from its start. It
fails open: when the budget runs out or anything goes wrong, it says why and
exits 0, so the push goes through and post-receive analyzes it. With
hook.policy.on_error: reject it refuses the push instead. With
hook.policy.key_pattern, a push that adds a flag key the pattern does not
match is refused (exit 1), and the pusher is told which key and where.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return preReceive(cmd.Context(), time.Now(), f, cmd.InOrStdin(), cmd.ErrOrStderr())
		},
	}
}

func newPostReceiveCmd(f *hookFlags) *cobra.Command {
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "post-receive",
		Short: "Analyze the updates git accepted, release their held events and deliver them",
		Long: `Post-receive reads the "<old> <new> <ref>" lines git gives a post-receive hook
(the updates it accepted) and analyzes each update of a tracked branch as
'flagscan push' does: the branch's snapshot is stored and its events are
written to the outbox, deliverable. Events that pre-receive held with the same
ids are released; those it held that this analysis does not give (the branch
moved meanwhile) are dropped. Then the outbox is delivered for at most
delivery.inline_budget; what is left waits for 'flagscan deliver'.

It also settles the holds of this repository older than --max-age, as
'flagscan hook confirm' does: those of pushes that did not land are dropped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return postReceive(cmd.Context(), f, maxAge, cmd.InOrStdin(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().DurationVar(&maxAge, "max-age", defaultHoldAge, "settle this repository's holds older than this")
	return cmd
}

// budgetMargin is the part of the budget kept for exiting.
func budgetMargin(budget time.Duration) time.Duration {
	return min(budget/20, 100*time.Millisecond)
}

// preReceive is the pre-receive hook, started at start.
func preReceive(ctx context.Context, start time.Time, f *hookFlags, stdin io.Reader, stderr io.Writer) error {
	log := hookLog{stderr}
	updates, err := readUpdates(stdin)
	if err != nil {
		log.printf("%v", err)
		log.printf("the push goes through unanalyzed")
		return nil
	}
	site, err := f.site()
	if err != nil {
		// Without a configuration there is no policy to say otherwise.
		log.printf("%v", err)
		log.printf("the push goes through; post-receive analyzes it once git has accepted it")
		return nil
	}
	budget := site.cfg.Hook.HookBudget()
	policy := site.cfg.Hook.Policy
	ctx, cancel := context.WithDeadline(ctx, start.Add(budget-budgetMargin(budget)))
	defer cancel()
	done := make(chan previewResult, 1)
	go func() { done <- previewPush(ctx, f, site, updates) }()
	var res previewResult
	select {
	case res = <-done:
	case <-ctx.Done():
		// The analysis goes on in its goroutine until it notices; the
		// process exits first. Its transaction is all or nothing.
		res.err = ctx.Err()
	}
	switch {
	case errors.Is(res.err, context.DeadlineExceeded):
		res.err = fmt.Errorf("the analysis did not finish within hook.budget (%v)", budget)
	case errors.Is(res.err, context.Canceled):
		res.err = errors.New("the analysis was interrupted")
	}
	for _, w := range res.warnings {
		log.printf("%s", w)
	}
	if res.refused != "" {
		return fmt.Errorf("%w: %s", errPushRefused, res.refused)
	}
	if res.err != nil {
		if policy.RejectOnError() {
			return fmt.Errorf("%w: %v (hook.policy.on_error is %s)", errPushRefused, res.err, config.OnErrorReject)
		}
		log.printf("%v", res.err)
		log.printf("the push goes through; post-receive analyzes it once git has accepted it")
		return nil
	}
	for _, s := range res.summary {
		log.printf("%s (sent once the push is accepted)", s)
	}
	return nil
}

// previewResult is what the analysis of pre-receive found.
type previewResult struct {
	summary  []string
	warnings []string
	refused  string // why the policy refuses the push; "" when it does not
	err      error
}

// previewPush analyzes updates from the quarantine and, unless the policy
// refuses the push, writes their events to the outbox held, each update's
// under its token, with a hold record saying what they wait for.
func previewPush(ctx context.Context, f *hookFlags, site *hookSite, updates []analyzer.Update) (res previewResult) {
	repo, err := git.OpenQuarantined(site.gitDir, os.Getenv)
	if err != nil {
		res.err = fmt.Errorf("open repository %s: %w", site.gitDir, err)
		return res
	}
	db, err := openStore(ctx, f.storePath(site.gitDir))
	if err != nil {
		res.err = err
		return res
	}
	defer db.Close()
	subs, err := subscriptions(site.cfg)
	if err != nil {
		res.err = err
		return res
	}
	run := newHookRun(site, repo, db, repositoryName(f.repository, site.gitDir), webURL(f.webURL))
	defer func() { res.warnings = append(res.warnings, run.warnings...) }()
	actor := actorFromEnv(os.LookupEnv, "")

	type held struct {
		hold   holds.Hold
		events []event.Event
	}
	var (
		pending    []held
		violations []string
	)
	for _, u := range updates {
		if !run.analyzable(u) {
			continue
		}
		a, err := run.analyzer(u)
		if err != nil {
			res.err = fmt.Errorf("%s: %w", u.Ref, err)
			return res
		}
		out, err := a.Preview(ctx, u, nil)
		if err != nil {
			res.err = fmt.Errorf("analyze %s %s..%s: %w", u.Ref, short(u.Old), short(u.New), err)
			return res
		}
		for _, e := range out.Events {
			if e.Body.Event == event.FlagNew && !site.cfg.Hook.Policy.MatchKey(e.Body.FlagKey) {
				violations = append(violations, describeKey(e))
			}
		}
		if len(out.Events) == 0 {
			continue
		}
		pending = append(pending, held{
			hold: holds.Hold{
				Token: holds.Token(site.gitDir, u.Old, u.New, u.Ref), GitDir: site.gitDir,
				Repository: run.name, WebURL: run.webURL, Old: u.Old, New: u.New, Ref: u.Ref,
				ActorID: actor.ID, ActorEmail: actor.Email,
			},
			events: out.Events,
		})
		if s := summarize(u, out.Events); s != "" {
			res.summary = append(res.summary, s)
		}
	}
	if len(violations) > 0 {
		res.refused = fmt.Sprintf("new flag keys must match hook.policy.key_pattern %q:\n  %s",
			site.cfg.Hook.Policy.KeyPattern, strings.Join(violations, "\n  "))
		return res
	}
	if len(pending) == 0 {
		return res
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		res.err = fmt.Errorf("hold events: %w", err)
		return res
	}
	defer tx.Rollback()
	for _, p := range pending {
		if err := outbox.Enqueue(ctx, tx, subs, outbox.FromEvents(p.events, p.hold.Token)); err != nil {
			res.err = fmt.Errorf("hold events: %w", err)
			return res
		}
		if err := holds.Save(ctx, tx, p.hold); err != nil {
			res.err = err
			return res
		}
	}
	if err := tx.Commit(); err != nil {
		res.err = fmt.Errorf("hold events: %w", err)
	}
	return res
}

// describeKey says where a new key is, for a refusal.
func describeKey(e event.Event) string {
	where := ""
	if refs := e.Body.References; len(refs) > 0 {
		where = fmt.Sprintf(" at %s:%d", refs[0].Path, refs[0].Line)
	}
	return fmt.Sprintf("%q%s (commit %s)", e.Body.FlagKey, where, short(e.Body.Commit.SHA))
}

// postReceive is the post-receive hook.
func postReceive(ctx context.Context, f *hookFlags, maxAge time.Duration, stdin io.Reader, stderr io.Writer) error {
	log := hookLog{stderr}
	updates, err := readUpdates(stdin)
	if err != nil {
		return err
	}
	site, err := f.site()
	if err != nil {
		return err
	}
	repo, err := git.Open(site.gitDir)
	if err != nil {
		return fmt.Errorf("open repository %s: %w", site.gitDir, err)
	}
	db, err := openStore(ctx, f.storePath(site.gitDir))
	if err != nil {
		return err
	}
	defer db.Close()
	run := newHookRun(site, repo, db, repositoryName(f.repository, site.gitDir), webURL(f.webURL))
	var errs []error
	for _, u := range updates {
		events, err := settle(ctx, run, u)
		if err != nil {
			// The hold stays: confirm, or the sweep of a later
			// post-receive, tries again.
			errs = append(errs, err)
			log.printf("%v", err)
			continue
		}
		if s := summarize(u, events); s != "" {
			log.printf("%s", s)
		}
	}
	for _, w := range run.warnings {
		log.printf("%s", w)
	}
	if _, err := settleHolds(ctx, db, f, site.gitDir, maxAge, false, time.Now(), log); err != nil {
		log.printf("settling old holds: %v", err)
	}
	deliverAfterPush(ctx, stderr, db, site.cfg)
	return errors.Join(errs...)
}

// settle analyzes an update git accepted, as `flagscan push` does, which
// releases the events held with the same ids, then drops what is left of
// the update's hold. It returns the events of the analysis.
func settle(ctx context.Context, run *hookRun, u analyzer.Update) ([]event.Event, error) {
	var events []event.Event
	if run.analyzable(u) {
		ha, err := run.workspace(u)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u.Ref, err)
		}
		outcomes, err := ha.w.push(ctx, []analyzer.Update{u})
		if err != nil {
			return nil, err
		}
		for _, o := range outcomes {
			events = append(events, o.Events...)
		}
	}
	token := holds.Token(run.site.gitDir, u.Old, u.New, u.Ref)
	if _, err := outbox.Discard(ctx, run.db, token); err != nil {
		return events, err
	}
	return events, holds.Delete(ctx, run.db, token)
}
