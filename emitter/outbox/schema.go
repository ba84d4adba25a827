package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// component names the outbox's row in schema_versions; the analyzer keeps
// its own row in the same table.
const component = "emitter.outbox"

// migrations are the outbox's schema steps: migration i brings the schema
// from version i to i+1. Steps are only ever appended.
//
// Times are Unix milliseconds. Nothing here holds a secret, a header value,
// a payload parameter or a full URL: subscriptions are matched by ID against
// the configuration at delivery time.
var migrations = []string{
	`CREATE TABLE outbox_events (
		seq        INTEGER PRIMARY KEY AUTOINCREMENT, -- production order
		id         TEXT NOT NULL UNIQUE,              -- the webhook-id
		type       TEXT NOT NULL,
		flag_key   TEXT NOT NULL,
		body       BLOB NOT NULL,                     -- without payload parameters
		created_at INTEGER NOT NULL,
		hold       TEXT                               -- NULL: deliverable
	);
	CREATE INDEX outbox_events_hold ON outbox_events (hold) WHERE hold IS NOT NULL;
	CREATE INDEX outbox_events_created ON outbox_events (created_at);

	CREATE TABLE outbox_subscriptions (
		id              TEXT PRIMARY KEY,
		description     TEXT NOT NULL,
		url             TEXT NOT NULL,                -- scheme://host[/REDACTED]
		disabled_at     INTEGER,                      -- NULL: enabled
		disabled_reason TEXT
	);

	CREATE TABLE outbox_deliveries (
		event_seq        INTEGER NOT NULL REFERENCES outbox_events (seq) ON DELETE CASCADE,
		subscription_id  TEXT NOT NULL,
		flag_key         TEXT NOT NULL,               -- copied from the event, for ordering
		state            TEXT NOT NULL,               -- pending, delivered, failed
		tries            INTEGER NOT NULL DEFAULT 0,  -- failed attempts since (re)queued
		attempts         INTEGER NOT NULL DEFAULT 0,  -- attempts ever
		next_at          INTEGER NOT NULL,
		lease_owner      TEXT,
		lease_until      INTEGER,
		last_status      INTEGER,
		last_error_class TEXT,
		last_error       TEXT,
		updated_at       INTEGER NOT NULL,
		delivered_at     INTEGER,
		PRIMARY KEY (event_seq, subscription_id)
	);
	CREATE INDEX outbox_deliveries_due ON outbox_deliveries (next_at) WHERE state = 'pending';
	CREATE INDEX outbox_deliveries_order ON outbox_deliveries (subscription_id, flag_key, event_seq) WHERE state = 'pending';
	CREATE INDEX outbox_deliveries_state ON outbox_deliveries (state, event_seq);

	CREATE TABLE outbox_attempts (
		id                 INTEGER PRIMARY KEY,
		event_seq          INTEGER NOT NULL REFERENCES outbox_events (seq) ON DELETE CASCADE,
		subscription_id    TEXT NOT NULL,
		n                  INTEGER NOT NULL,          -- 1 for the first attempt
		worker             TEXT NOT NULL,
		started_at         INTEGER NOT NULL,
		duration_ms        INTEGER NOT NULL,
		status             INTEGER,                   -- HTTP status, NULL when no answer
		error_class        TEXT,                      -- NULL on success
		error              TEXT,
		response           BLOB,                      -- the first bytes of the answer
		response_truncated INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX outbox_attempts_delivery ON outbox_attempts (event_seq, subscription_id, n);`,
}

// Migrate creates or upgrades the outbox tables, recording their version in
// schema_versions under "emitter.outbox". It is idempotent, and several
// processes may call it at once: the version is read and bumped in one
// immediate transaction (the database must be opened with
// _txlock=immediate).
func Migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outbox: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("outbox: migrate: %w", err)
	}
	var version int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_versions WHERE component = ?`, component).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("outbox: migrate: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("outbox: schema version %d is newer than this flagscan knows (%d): upgrade flagscan", version, len(migrations))
	}
	if version == len(migrations) {
		return nil
	}
	for ; version < len(migrations); version++ {
		if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
			return fmt.Errorf("outbox: migration %d: %w", version+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_versions (component, version) VALUES (?, ?)
		ON CONFLICT (component) DO UPDATE SET version = excluded.version`, component, version); err != nil {
		return fmt.Errorf("outbox: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("outbox: migrate: %w", err)
	}
	return nil
}
