// Package holds records what the events a pre-receive hook held in the
// outbox wait for: the ref update git had not accepted yet, the repository
// it was pushed to and who pushed it. The post-receive hook, once git
// accepted the update, analyzes it again (which releases the held events
// with the same ids) and drops the hold; on a server with no post-receive
// hook, `flagscan hook confirm` reads the holds back, checks each ref, and
// does the same, or discards the holds of pushes that never landed.
//
// The table lives in the store's SQLite database, next to the outbox, and
// a hold is written in the transaction that writes its events.
package holds

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/flagscan/flagscan/analyzer/store"
)

// Schema is the holds' table, for store.Open: its versions are recorded in
// schema_versions under "hook.holds". Times are Unix milliseconds.
type Schema struct{}

// Component implements store.Schema.
func (Schema) Component() string { return "hook.holds" }

// Migrations implements store.Schema: step i brings the table from version
// i to i+1. Steps are only ever appended.
func (Schema) Migrations(d store.Dialect) []string {
	return store.InDialect(d, []string{holdsTable})
}

// holdsTable is the first step.
const holdsTable = `CREATE TABLE hook_holds (
	token       TEXT PRIMARY KEY, -- the outbox hold token
	git_dir     TEXT NOT NULL,    -- absolute
	repository  TEXT NOT NULL,    -- the repository's name in events
	web_url     TEXT NOT NULL,
	old_sha     TEXT NOT NULL,
	new_sha     TEXT NOT NULL,
	ref         TEXT NOT NULL,
	actor_id    TEXT NOT NULL,
	actor_email TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE INDEX hook_holds_created ON hook_holds (created_at);`

// Hold is one ref update whose events wait in the outbox under Token.
type Hold struct {
	Token      string
	GitDir     string // the repository's git directory, absolute
	Repository string // its name in events (and in the snapshot store)
	WebURL     string // its web address for links, or ""
	Old, New   string // the update's old and new commit ids
	Ref        string
	// ActorID and ActorEmail are who pushed, as the hook's environment
	// said; "" when it did not.
	ActorID, ActorEmail string
	Created             time.Time
}

// Token returns the hold token of a ref update to the repository whose
// git directory is gitDir: "push:" and a SHA-256 of both. The pre-receive
// and post-receive hooks of one push compute the same token from the same
// line; one token per ref update, because post-receive is told only about
// the refs git did update.
func Token(gitDir, old, new, ref string) string {
	sum := sha256.Sum256([]byte(gitDir + "\x00" + old + " " + new + " " + ref))
	return "push:" + hex.EncodeToString(sum[:])
}

// Save records h in the caller's transaction, the one that writes its
// events. A hold of the same token (the same update pushed again while
// the first push waited) is replaced, so that its age counts from the
// latest push.
func Save(ctx context.Context, tx *sql.Tx, h Hold) error {
	if h.Token == "" || h.GitDir == "" || h.New == "" || h.Ref == "" {
		return fmt.Errorf("holds: save: token, git dir, new commit and ref are required (%q, %q, %q, %q)", h.Token, h.GitDir, h.New, h.Ref)
	}
	created := h.Created
	if created.IsZero() {
		created = time.Now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO hook_holds
		(token, git_dir, repository, web_url, old_sha, new_sha, ref, actor_id, actor_email, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET created_at = excluded.created_at,
			actor_id = excluded.actor_id, actor_email = excluded.actor_email`,
		h.Token, h.GitDir, h.Repository, h.WebURL, h.Old, h.New, h.Ref, h.ActorID, h.ActorEmail, created.UnixMilli())
	if err != nil {
		return fmt.Errorf("holds: save %s: %w", h.Token, err)
	}
	return nil
}

// List returns every hold, oldest first.
func List(ctx context.Context, db *sql.DB) ([]Hold, error) {
	rows, err := db.QueryContext(ctx, `SELECT token, git_dir, repository, web_url, old_sha, new_sha, ref,
		actor_id, actor_email, created_at FROM hook_holds ORDER BY created_at, token`)
	if err != nil {
		return nil, fmt.Errorf("holds: list: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		var (
			h       Hold
			created int64
		)
		if err := rows.Scan(&h.Token, &h.GitDir, &h.Repository, &h.WebURL, &h.Old, &h.New, &h.Ref,
			&h.ActorID, &h.ActorEmail, &created); err != nil {
			return nil, fmt.Errorf("holds: list: %w", err)
		}
		h.Created = time.UnixMilli(created)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("holds: list: %w", err)
	}
	return out, nil
}

// Delete drops the hold of token, if there is one.
func Delete(ctx context.Context, db *sql.DB, token string) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM hook_holds WHERE token = ?`, token); err != nil {
		return fmt.Errorf("holds: delete %s: %w", token, err)
	}
	return nil
}
