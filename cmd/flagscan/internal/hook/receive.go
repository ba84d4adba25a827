package hook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/holds"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner/git"
)

// budgetMargin is the part of the budget kept for exiting.
func budgetMargin(budget time.Duration) time.Duration {
	return min(budget/20, 100*time.Millisecond)
}

// PreReceive is the pre-receive hook, started at start.
func PreReceive(ctx context.Context, start time.Time, f *Flags, stdin io.Reader, stderr io.Writer) error {
	log := hookLog{stderr}
	updates, err := cli.ReadUpdates(stdin)
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
		return fmt.Errorf("%w: %s", ErrPushRefused, res.refused)
	}
	if res.err != nil {
		if policy.RejectOnError() {
			return fmt.Errorf("%w: %v (hook.policy.on_error is %s)", ErrPushRefused, res.err, config.OnErrorReject)
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
func previewPush(ctx context.Context, f *Flags, site *hookSite, updates []analyzer.Update) (res previewResult) {
	repo, err := git.OpenQuarantined(site.gitDir, os.Getenv)
	if err != nil {
		res.err = fmt.Errorf("open repository %s: %w", site.gitDir, err)
		return res
	}
	db, err := workspace.OpenStore(ctx, f.storePath(site.gitDir))
	if err != nil {
		res.err = err
		return res
	}
	defer db.Close()
	subs, err := workspace.Subscriptions(site.cfg)
	if err != nil {
		res.err = err
		return res
	}
	run := newHookRun(site, repo, db, workspace.RepositoryName(f.Repository, site.gitDir), workspace.WebURL(f.WebURL))
	defer func() { res.warnings = append(res.warnings, run.warnings...) }()
	actor := workspace.ActorFromEnv(os.LookupEnv, "")

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
			res.err = fmt.Errorf("analyze %s %s..%s: %w", u.Ref, cli.Short(u.Old), cli.Short(u.New), err)
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
		where = fmt.Sprintf(" at %s:%d", cli.Printable(refs[0].Path), refs[0].Line)
	}
	return fmt.Sprintf("%q%s (commit %s)", e.Body.FlagKey, where, cli.Short(e.Body.Commit.SHA))
}

// PostReceive is the post-receive hook: git's update lines on std.In,
// messages for the pusher on std.Err.
func PostReceive(ctx context.Context, f *Flags, maxAge time.Duration, std cli.IO) error {
	stderr := std.Err
	log := hookLog{stderr}
	updates, err := cli.ReadUpdates(std.In)
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
	db, err := workspace.OpenStore(ctx, f.storePath(site.gitDir))
	if err != nil {
		return err
	}
	defer db.Close()
	run := newHookRun(site, repo, db, workspace.RepositoryName(f.Repository, site.gitDir), workspace.WebURL(f.WebURL))
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
	dlog, err := cli.NewLogger(f.LogFormat, std.Version, stderr, slog.LevelWarn)
	if err != nil {
		dlog = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	delivery.AfterPush(ctx, dlog, db, site.cfg, std.Version)
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
		outcomes, err := ha.w.Push(ctx, []analyzer.Update{u})
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
