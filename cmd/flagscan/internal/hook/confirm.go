package hook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/holds"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner/git"
)

// Confirm settles the holds of the store: it releases the held events of
// pushes that landed and drops those of pushes that did not after maxAge.
func Confirm(ctx context.Context, f *Flags, maxAge time.Duration, std cli.IO) error {
	site, err := f.site()
	if err != nil {
		return err
	}
	path := f.storePath(site.gitDir)
	db, err := workspace.OpenStore(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := settleHolds(ctx, db, f, "", maxAge, true, time.Now(), hookLog{std.Err})
	fmt.Fprintf(std.Out, "%d holds released, %d discarded, %d waiting, %d failed\n", st.released, st.discarded, st.waiting, st.failed)
	return err
}

// settleStats counts what settleHolds did with the holds.
type settleStats struct{ released, discarded, waiting, failed int }

// settleHolds goes through the holds of the store (only those of the
// repository at gitDir when it is not ""): a hold whose commit the ref now
// contains is settled (its update analyzed, which releases its events, and
// the rest dropped) if it is older than maxAge or landedAnyAge; one whose
// commit has not landed is discarded once older than maxAge, else left
// waiting.
func settleHolds(ctx context.Context, db *sql.DB, f *Flags, gitDir string, maxAge time.Duration, landedAnyAge bool, now time.Time, log hookLog) (settleStats, error) {
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
func holdRun(runs map[string]*hookRun, db *sql.DB, f *Flags, h holds.Hold) (*hookRun, error) {
	key := h.GitDir + "\x00" + h.Repository + "\x00" + h.WebURL
	if r, ok := runs[key]; ok {
		return r, nil
	}
	cfg, err := ServerConfig(f.Config, h.GitDir)
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
