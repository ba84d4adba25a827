package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/holds"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner/git"
)

func newConfirmCmd(f *hookFlags) *cobra.Command {
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "confirm",
		Short: "Release the held events of pushes that landed, drop those of pushes that did not",
		Long: `Confirm is for git servers that run only a pre-receive hook (GitHub Enterprise
Server): nothing there tells flagscan that git accepted a push, so the events
pre-receive held wait. Confirm goes through the holds of the store; for each,
when the ref now contains the pushed commit, it analyzes the update as
post-receive would (storing the snapshot and releasing the held events with
the same ids); when the commit has not landed and the hold is older than
--max-age, it drops the held events.

Run it before each 'flagscan deliver', or from cron every minute or so, e.g.

  flagscan hook confirm --repo /srv/git/app.git && flagscan deliver --repo /srv/git/app.git

On servers with a post-receive hook it is not needed, and harmless: it
finishes what a post-receive that failed left.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			site, err := f.site()
			if err != nil {
				return err
			}
			path := f.storePath(site.gitDir)
			db, err := openStore(cmd.Context(), path)
			if err != nil {
				return err
			}
			defer db.Close()
			st, err := settleHolds(cmd.Context(), db, f, "", maxAge, true, time.Now(), hookLog{cmd.ErrOrStderr()})
			fmt.Fprintf(cmd.OutOrStdout(), "%d holds released, %d discarded, %d waiting, %d failed\n", st.released, st.discarded, st.waiting, st.failed)
			return err
		},
	}
	cmd.Flags().DurationVar(&maxAge, "max-age", defaultHoldAge, "drop the holds of pushes that have not landed after this long")
	return cmd
}

// settleStats counts what settleHolds did with the holds.
type settleStats struct{ released, discarded, waiting, failed int }

// settleHolds goes through the holds of the store (only those of the
// repository at gitDir when it is not ""): a hold whose commit the ref now
// contains is settled (its update analyzed, which releases its events, and
// the rest dropped) if it is older than maxAge or landedAnyAge; one whose
// commit has not landed is discarded once older than maxAge, else left
// waiting.
func settleHolds(ctx context.Context, db *sql.DB, f *hookFlags, gitDir string, maxAge time.Duration, landedAnyAge bool, now time.Time, log hookLog) (settleStats, error) {
	var st settleStats
	hs, err := holds.List(ctx, db)
	if err != nil {
		return st, err
	}
	runs := map[string]*hookRun{}
	var errs []error
	for _, h := range hs {
		if gitDir != "" && h.GitDir != gitDir {
			continue
		}
		old := now.Sub(h.Created) > maxAge
		if !old && !landedAnyAge {
			continue
		}
		run, err := holdRun(runs, db, f, h)
		if err != nil {
			if old {
				errs = append(errs, discardHold(ctx, db, h.Token))
				st.discarded++
				log.printf("%s %s: %v; its held events are dropped", h.GitDir, h.Ref, err)
				continue
			}
			st.failed++
			errs = append(errs, err)
			continue
		}
		landed, err := run.repo.RefContains(h.Ref, h.New)
		switch {
		case err != nil:
			st.failed++
			errs = append(errs, fmt.Errorf("%s %s: %w", h.GitDir, h.Ref, err))
		case landed:
			if _, err := settle(ctx, run, analyzer.Update{Old: h.Old, New: h.New, Ref: h.Ref}); err != nil {
				st.failed++
				errs = append(errs, err)
				continue
			}
			st.released++
		case old:
			if err := discardHold(ctx, db, h.Token); err != nil {
				st.failed++
				errs = append(errs, err)
				continue
			}
			st.discarded++
		default:
			st.waiting++
		}
	}
	return st, errors.Join(errs...)
}

// holdRun returns the run that analyzes the updates of a hold's
// repository, under the name and address its pre-receive hook used.
func holdRun(runs map[string]*hookRun, db *sql.DB, f *hookFlags, h holds.Hold) (*hookRun, error) {
	key := h.GitDir + "\x00" + h.Repository + "\x00" + h.WebURL
	if r, ok := runs[key]; ok {
		return r, nil
	}
	cfg, err := serverConfig(f.configPath, h.GitDir)
	if err != nil {
		return nil, err
	}
	repo, err := git.Open(h.GitDir)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", h.GitDir, err)
	}
	r := newHookRun(&hookSite{gitDir: h.GitDir, cfg: cfg}, repo, db, h.Repository, h.WebURL)
	runs[key] = r
	return r, nil
}

// discardHold drops the held events of token and the hold.
func discardHold(ctx context.Context, db *sql.DB, token string) error {
	if _, err := outbox.Discard(ctx, db, token); err != nil {
		return err
	}
	return holds.Delete(ctx, db, token)
}
