package action

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// requestEvents returns the events of a request's change for the webhooks
// whose scopes hold pull_request: a Flag.new per key it adds and a
// Flag.deleted per key it removes, in each environment the key's
// references lie in, with the request in the body. The ids name the
// request, so a rerun of the same head repeats none.
func requestEvents(w *workspace.Workspace, p *Push, d *report.Diff, now time.Time) []event.Event {
	r := p.Request
	kind := "pull_request"
	if r.Forge == ForgeGitLab {
		kind = "merge_request"
	}
	var out []event.Event
	for _, c := range d.Changes {
		typ := event.FlagNew
		if c.Kind == "removed" {
			typ = event.FlagDeleted
		}
		for _, env := range w.Config.Environments {
			var refs []event.Reference
			for _, ref := range c.References {
				if workspace.MatchAny(env.Paths, ref.Path) {
					refs = append(refs, event.Reference{Path: ref.Path, Line: ref.Line, Code: ref.Code})
				}
			}
			if len(refs) == 0 {
				continue
			}
			b := event.Body{
				Contract: event.Contract{
					Event: typ, UserID: p.PusherName, UserEmail: p.PusherEmail, UserRole: w.Config.Actor.Role,
					Date:      now.Format(event.DateLayout),
					AccountID: w.Config.Account.ID, AccountName: w.Config.Account.Name,
					EnvironmentID: env.ID, EnvironmentName: env.Name, FlagKey: c.Key,
				},
				Repository: workspace.RepositoryName(w.Flags.Repository, w.Dir),
				Branch:     r.HeadRef,
				Commit:     event.Commit{SHA: d.Head},
				Request:    &event.Request{Kind: kind, Number: r.Number, URL: r.URL, Base: d.Base, Head: d.Head},
			}
			b.SetReferences(refs)
			id := event.ID(b.Repository, kind+"/"+strconv.Itoa(r.Number), env.ID, typ, c.Key, d.Head)
			out = append(out, event.Event{ID: id, Body: b})
		}
	}
	return out
}

// sendRequestEvents writes the events of a request's change to the outbox
// for the webhooks that want them (scope pull_request) and delivers them
// within the budget. With no such webhook it does nothing: a change that
// is not merged sends no webhook unless one asks.
func (a *actionRun) sendRequestEvents(ctx context.Context, w *workspace.Workspace, p *Push, d *report.Diff, log *slog.Logger) error {
	if err := a.inl.Apply(w.Config, a.lookup); err != nil {
		return err
	}
	subs, err := workspace.Subscriptions(w.Config)
	if err != nil {
		return err
	}
	wanted := false
	for i := range subs {
		wanted = wanted || subs[i].WantsScope(emitter.ScopePullRequest)
	}
	events := requestEvents(w, p, d, time.Now())
	if !wanted || len(events) == 0 {
		return nil
	}
	encoded := outbox.FromEvents(events, "")
	for i := range encoded {
		encoded[i].Scope = emitter.ScopePullRequest
	}
	tx, err := w.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write the request's events: %w", err)
	}
	defer tx.Rollback()
	if err := outbox.Enqueue(ctx, tx, subs, encoded); err != nil {
		return fmt.Errorf("write the request's events: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write the request's events: %w", err)
	}
	budget, err := a.inl.DeliveryBudget(a.lookup, w.Config.Delivery.InlineBudget)
	if err != nil {
		return err
	}
	if res := delivery.Inline(ctx, w.DB, w.Config, budget, log, a.version); res.Err != nil {
		a.logf("delivering the request's events: %v (they stay in the outbox)", res.Err)
	}
	a.logf("%s sent to the webhooks with the pull_request scope", report.Plural(len(events), "event"))
	return nil
}
