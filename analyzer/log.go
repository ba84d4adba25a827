package analyzer

import (
	"context"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/scanner/git"
)

// Log walks the first-parent history from commit from (exclusive; "" for
// the whole history) to commit to and calls fn with the events of each
// commit, in order: the lifecycle of every flag. Dates are the commits'
// author dates and users their authors. It reads and fills the blob cache
// but stores no snapshot and emits nothing.
func (a *Analyzer) Log(ctx context.Context, branch, from, to string, fn func(event.Event) error) error {
	tip, err := a.repo.Commit(to)
	if err != nil {
		return err
	}
	commits, found, err := a.repo.FirstParents(ctx, tip, from)
	if err != nil {
		return err
	}
	if from != "" && !found {
		return fmt.Errorf("%s is not a first-parent ancestor of %s", from, to)
	}
	res := newResolver(a)
	defer res.close()
	st, err := a.baseline(ctx, res, plan{from: from}, nil)
	if err != nil {
		return err
	}
	err = a.replay(ctx, res, st, from, commits, func(c *git.Commit, trs []transition) error {
		for _, tr := range trs {
			env := a.opts.Environments[tr.env]
			typ, refs := event.FlagNew, eventRefs(st.references(tr.env, tr.key), c.ID.String(), a.links)
			if !tr.present {
				// The references it had in the tree before the commit.
				typ, refs = event.FlagDeleted, eventRefs(tr.last, c.FirstParent(), a.links)
			}
			b := a.body(typ, env, tr.key, branch, c, refs, c.Author.When)
			b.UserID, b.UserEmail = c.Author.Name, c.Author.Email
			if err := fn(event.Event{ID: event.ID(a.opts.Repository, branch, env.ID, typ, tr.key, c.ID.String()), Body: b}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return res.flush()
}
