// Package outbox keeps the events waiting to be delivered in SQLite, in the
// same database as the analyzer's snapshots, so that an event is written in
// the same transaction as the snapshot that produced it: a crash loses
// neither, or both.
//
// Each event has one delivery per subscription that listens to its type. A
// delivery is pending until it is delivered or, its retries exhausted,
// failed; failed and delivered ones can be replayed, with the same event id.
// Deliverers claim due deliveries with a lease (Claim), so that several
// processes sharing the database never send the same event at the same
// time, and record each attempt (Complete). A delivery is due only when no
// earlier event of the same subscription and flag key is still pending, so
// that events of a key go out in the order they were produced.
//
// The database must be opened with _txlock=immediate (and should be with
// _journal_mode=WAL and a _busy_timeout): every write transaction here reads
// before it writes.
package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"

	"github.com/flagscan/flagscan/emitter"
)

// Delivery states.
const (
	StatePending   = "pending"
	StateDelivered = "delivered"
	StateFailed    = "failed"
)

// Event is one event produced by the analyzer.
type Event struct {
	// ID is the event's stable idempotency key, sent as webhook-id: the same
	// push analyzed twice gives the same ID.
	ID string
	// Type is Flag.new or Flag.deleted.
	Type string
	// FlagKey is the event's flag key.
	FlagKey string
	// Order orders delivery: the events of one subscription with the same
	// Order go out one at a time, in the order they were enqueued. ""
	// means FlagKey.
	Order string
	// Body is the JSON object sent, without any subscription's extra
	// payload parameters (merged at send time).
	Body []byte
	// Created is when the event was produced; zero means now.
	Created time.Time
	// Hold is "" for an event deliverable at once, else a token naming the
	// push it waits for: Release makes it deliverable, Discard drops it, and
	// so does enqueueing it again with an empty Hold (the push's analysis
	// once git accepted it).
	Hold string
	// Scope is what the event is of: "" (a push) or
	// emitter.ScopePullRequest; only subscriptions that want it get it.
	Scope string
}

// OrderOf is the Order of the events of a repository's flag key: a
// Flag.deleted must not overtake the Flag.new of the same key in the same
// repository, but the events of other repositories are other facts, and a
// fleet sharing one store must not send them one at a time.
//
// The repository's length comes first, so that no two pairs give one
// string (PostgreSQL's text holds no NUL to separate them with).
func OrderOf(repository, flagKey string) string {
	return strconv.Itoa(len(repository)) + ":" + repository + flagKey
}

// FromEvents encodes events for Enqueue, held under hold ("" for
// deliverable ones).
func FromEvents(events []event.Event, hold string) []Event {
	out := make([]Event, 0, len(events))
	for _, e := range events {
		out = append(out, Event{ID: e.ID, Type: e.Body.Event, FlagKey: e.Body.FlagKey, Order: OrderOf(e.Body.Repository, e.Body.FlagKey),
			Body: e.Encode(), Hold: hold})
	}
	return out
}

// MaxBodySize bounds an event's body; Enqueue refuses larger ones.
const MaxBodySize = emitter.DefaultMaxBodySize

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}

// Enqueue writes events in the caller's transaction: each event once (an ID
// already present is left as it is, except that a held one enqueued again
// with an empty Hold is released), and a pending delivery for each
// subscription whose event types include the event's type, in the order
// given. Subscriptions' descriptions and redacted URLs are recorded for
// display; nothing secret is.
func Enqueue(ctx context.Context, tx *sql.Tx, subs []emitter.Subscription, events []Event) error {
	for i := range events {
		e := &events[i]
		switch {
		case e.ID == "":
			return fmt.Errorf("outbox: event %d (flag %q) has no ID", i, e.FlagKey)
		case e.Type != event.FlagNew && e.Type != event.FlagDeleted:
			return fmt.Errorf("outbox: event %s: type %q is not %s or %s", e.ID, e.Type, event.FlagNew, event.FlagDeleted)
		case e.FlagKey == "":
			return fmt.Errorf("outbox: event %s has no flag key", e.ID)
		}
		if err := emitter.CheckBody(e.Body, MaxBodySize); err != nil {
			return fmt.Errorf("outbox: event %s (flag %q): %w", e.ID, e.FlagKey, err)
		}
	}
	for i := range subs {
		if subs[i].ID == "" {
			return fmt.Errorf("outbox: webhook %q has no ID", subs[i].Description)
		}
	}
	if len(events) == 0 {
		return nil
	}
	now := time.Now()
	for i := range subs {
		s := &subs[i]
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_subscriptions (id, description, url) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET description = excluded.description, url = excluded.url`,
			s.ID, s.Description, emitter.RedactURL(s.URL)); err != nil {
			return fmt.Errorf("outbox: enqueue: %w", err)
		}
	}
	insEvent, err := tx.PrepareContext(ctx, `INSERT INTO outbox_events (id, type, flag_key, body, created_at, hold)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET hold = NULL WHERE excluded.hold IS NULL AND outbox_events.hold IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("outbox: enqueue: %w", err)
	}
	defer insEvent.Close()
	getSeq, err := tx.PrepareContext(ctx, `SELECT seq FROM outbox_events WHERE id = ?`)
	if err != nil {
		return fmt.Errorf("outbox: enqueue: %w", err)
	}
	defer getSeq.Close()
	insDelivery, err := tx.PrepareContext(ctx, `INSERT INTO outbox_deliveries (event_seq, subscription_id, flag_key, state, next_at, updated_at)
		VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return fmt.Errorf("outbox: enqueue: %w", err)
	}
	defer insDelivery.Close()
	for i := range events {
		e := &events[i]
		created := e.Created
		if created.IsZero() {
			created = now
		}
		var hold any
		if e.Hold != "" {
			hold = e.Hold
		}
		if _, err := insEvent.ExecContext(ctx, e.ID, e.Type, e.FlagKey, e.Body, ms(created), hold); err != nil {
			return fmt.Errorf("outbox: enqueue event %s: %w", e.ID, err)
		}
		var seq int64
		if err := getSeq.QueryRowContext(ctx, e.ID).Scan(&seq); err != nil {
			return fmt.Errorf("outbox: enqueue event %s: %w", e.ID, err)
		}
		for j := range subs {
			if !subs[j].Wants(e.Type) || !subs[j].WantsScope(e.Scope) {
				continue
			}
			order := e.Order
			if order == "" {
				order = e.FlagKey
			}
			if _, err := insDelivery.ExecContext(ctx, seq, subs[j].ID, order, ms(now), ms(now)); err != nil {
				return fmt.Errorf("outbox: enqueue event %s: %w", e.ID, err)
			}
		}
	}
	return nil
}

// Release makes the events held with the token hold deliverable, and
// returns how many there were.
func Release(ctx context.Context, db *sql.DB, hold string) (int, error) {
	if hold == "" {
		return 0, errors.New("outbox: release: empty hold token")
	}
	res, err := db.ExecContext(ctx, `UPDATE outbox_events SET hold = NULL WHERE hold = ?`, hold)
	if err != nil {
		return 0, fmt.Errorf("outbox: release: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Discard deletes the events held with the token hold (their push was
// rejected) with their deliveries, and returns how many there were.
func Discard(ctx context.Context, db *sql.DB, hold string) (int, error) {
	if hold == "" {
		return 0, errors.New("outbox: discard: empty hold token")
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("outbox: discard: %w", err)
	}
	defer tx.Rollback()
	// Deleted explicitly, not only by ON DELETE CASCADE, for a connection
	// opened without _foreign_keys.
	for _, q := range []string{
		`DELETE FROM outbox_attempts WHERE event_seq IN (SELECT seq FROM outbox_events WHERE hold = ?)`,
		`DELETE FROM outbox_deliveries WHERE event_seq IN (SELECT seq FROM outbox_events WHERE hold = ?)`,
	} {
		if _, err := tx.ExecContext(ctx, q, hold); err != nil {
			return 0, fmt.Errorf("outbox: discard: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM outbox_events WHERE hold = ?`, hold)
	if err != nil {
		return 0, fmt.Errorf("outbox: discard: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), tx.Commit()
}
