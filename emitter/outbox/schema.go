package outbox

import "github.com/flagscan/flagscan/analyzer/store"

// Schema is the outbox's tables, for store.Open: their versions are
// recorded in schema_versions under "emitter.outbox".
//
// Times are Unix milliseconds. Nothing here holds a secret, a header value,
// a payload parameter or a full URL: subscriptions are matched by ID against
// the configuration at delivery time.
type Schema struct{}

// Component implements store.Schema.
func (Schema) Component() string { return "emitter.outbox" }

// Migrations implements store.Schema: step i brings the tables from
// version i to i+1. Steps are only ever appended.
func (Schema) Migrations(d store.Dialect) []string {
	if d == store.Postgres {
		return postgresMigrations
	}
	return []string{
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
		flag_key         TEXT NOT NULL,               -- the event's Order: repository and flag key
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
}

// postgresMigrations are the steps of Migrations in PostgreSQL: the same
// tables with PostgreSQL's types (BIGINT for the Unix milliseconds, BYTEA
// for bytes, identity columns for the sequences), without SQLite's index
// on next_at: PostgreSQL's planner took it for the claim's "earlier
// pending event of the same key" probe, a scan of every pending delivery,
// where the order index answers it at once.
var postgresMigrations = []string{
	`CREATE TABLE outbox_events (
		seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		id         TEXT NOT NULL UNIQUE,
		type       TEXT NOT NULL,
		flag_key   TEXT NOT NULL,
		body       BYTEA NOT NULL,
		created_at BIGINT NOT NULL,
		hold       TEXT
	);
	CREATE INDEX outbox_events_hold ON outbox_events (hold) WHERE hold IS NOT NULL;
	CREATE INDEX outbox_events_created ON outbox_events (created_at);

	CREATE TABLE outbox_subscriptions (
		id              TEXT PRIMARY KEY,
		description     TEXT NOT NULL,
		url             TEXT NOT NULL,
		disabled_at     BIGINT,
		disabled_reason TEXT
	);

	CREATE TABLE outbox_deliveries (
		event_seq        BIGINT NOT NULL REFERENCES outbox_events (seq) ON DELETE CASCADE,
		subscription_id  TEXT NOT NULL,
		flag_key         TEXT NOT NULL,
		state            TEXT NOT NULL,
		tries            BIGINT NOT NULL DEFAULT 0,
		attempts         BIGINT NOT NULL DEFAULT 0,
		next_at          BIGINT NOT NULL,
		lease_owner      TEXT,
		lease_until      BIGINT,
		last_status      BIGINT,
		last_error_class TEXT,
		last_error       TEXT,
		updated_at       BIGINT NOT NULL,
		delivered_at     BIGINT,
		PRIMARY KEY (event_seq, subscription_id)
	);
	CREATE INDEX outbox_deliveries_order ON outbox_deliveries (subscription_id, flag_key, event_seq) WHERE state = 'pending';
	CREATE INDEX outbox_deliveries_state ON outbox_deliveries (state, event_seq);

	CREATE TABLE outbox_attempts (
		id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		event_seq          BIGINT NOT NULL REFERENCES outbox_events (seq) ON DELETE CASCADE,
		subscription_id    TEXT NOT NULL,
		n                  BIGINT NOT NULL,
		worker             TEXT NOT NULL,
		started_at         BIGINT NOT NULL,
		duration_ms        BIGINT NOT NULL,
		status             BIGINT,
		error_class        TEXT,
		error              TEXT,
		response           BYTEA,
		response_truncated BIGINT NOT NULL DEFAULT 0
	);
	CREATE INDEX outbox_attempts_delivery ON outbox_attempts (event_seq, subscription_id, n);`,
}
