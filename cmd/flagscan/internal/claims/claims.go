// Package claims shares a list of repositories among the sync jobs that
// use one store: a job claims a repository before it syncs it, and passes
// over one that another job is syncing or synced a short while ago. With a
// PostgreSQL store, any number of scheduled jobs can each be given the
// whole list: every repository is synced once a round, by whichever job
// gets to it first, and a job that dies leaves its claims to expire. No
// one has to split the list into shards by hand.
//
// A claim saves work, nothing more: two syncs of one repository at once
// (a claim that expired under a slow sync) still store and report each
// transition once, as the snapshots' versions see to it.
package claims

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/flagscan/flagscan/analyzer/store"
)

// Schema is the claims' table, for store.Open: its versions are recorded
// in schema_versions under "sync.claims". Times are Unix milliseconds.
type Schema struct{}

// Component implements store.Schema.
func (Schema) Component() string { return "sync.claims" }

// Migrations implements store.Schema.
func (Schema) Migrations(d store.Dialect) []string {
	return store.InDialect(d, []string{`CREATE TABLE sync_claims (
		repository  TEXT PRIMARY KEY, -- the repository's name in events
		owner       TEXT NOT NULL,    -- the job that claimed it last
		lease_until INTEGER NOT NULL, -- 0: not being synced
		finished_at INTEGER NOT NULL  -- 0: never synced to the end
	)`})
}

// Take claims repository for owner until now+lease, unless another owner
// holds it (its lease not expired) or it was synced to the end less than
// fresh ago. It reports whether owner has the claim, and when the other
// job's claim was taken or its sync finished otherwise.
func Take(ctx context.Context, db *sql.DB, repository, owner string, now time.Time, lease, fresh time.Duration) (bool, error) {
	res, err := db.ExecContext(ctx, `INSERT INTO sync_claims (repository, owner, lease_until, finished_at) VALUES (?, ?, ?, 0)
		ON CONFLICT (repository) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
		WHERE sync_claims.lease_until <= ? AND sync_claims.finished_at <= ?`,
		repository, owner, now.Add(lease).UnixMilli(), now.UnixMilli(), now.Add(-fresh).UnixMilli())
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", repository, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", repository, err)
	}
	return n == 1, nil
}

// Finish ends owner's claim on repository; synced says whether the sync
// went to the end, so that other jobs pass the repository over for a while.
func Finish(ctx context.Context, db *sql.DB, repository, owner string, now time.Time, synced bool) error {
	q := `UPDATE sync_claims SET lease_until = 0 WHERE repository = ? AND owner = ?`
	args := []any{repository, owner}
	if synced {
		q = `UPDATE sync_claims SET lease_until = 0, finished_at = ? WHERE repository = ? AND owner = ?`
		args = []any{now.UnixMilli(), repository, owner}
	}
	if _, err := db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("end the claim on %s: %w", repository, err)
	}
	return nil
}
