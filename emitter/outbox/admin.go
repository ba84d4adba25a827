package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/emitter"
)

// SubscriptionState is what the database knows of a subscription.
type SubscriptionState struct {
	ID          string
	Description string
	// URL is the scheme and host, followed by /REDACTED when the URL has
	// more.
	URL            string
	Disabled       bool
	DisabledAt     time.Time
	DisabledReason string
}

// SyncSubscriptions records the subscriptions' descriptions and redacted
// URLs, so that deliveries can be shown with them and a subscription can be
// disabled. It never records a secret, a header or a payload.
func SyncSubscriptions(ctx context.Context, db *sql.DB, subs []emitter.Subscription) error {
	if len(subs) == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outbox: subscriptions: %w", err)
	}
	defer tx.Rollback()
	for i := range subs {
		s := &subs[i]
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_subscriptions (id, description, url) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET description = excluded.description, url = excluded.url
			WHERE outbox_subscriptions.description <> excluded.description OR outbox_subscriptions.url <> excluded.url`,
			s.ID, s.Description, emitter.RedactURL(s.URL)); err != nil {
			return fmt.Errorf("outbox: subscriptions: %w", err)
		}
	}
	return tx.Commit()
}

// Subscriptions returns every subscription the database knows, by
// description.
func Subscriptions(ctx context.Context, db *sql.DB) ([]SubscriptionState, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, description, url, disabled_at, COALESCE(disabled_reason, '')
		FROM outbox_subscriptions ORDER BY description, id`)
	if err != nil {
		return nil, fmt.Errorf("outbox: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []SubscriptionState
	for rows.Next() {
		var (
			s  SubscriptionState
			at sql.NullInt64
		)
		if err := rows.Scan(&s.ID, &s.Description, &s.URL, &at, &s.DisabledReason); err != nil {
			return nil, fmt.Errorf("outbox: subscriptions: %w", err)
		}
		s.Disabled, s.DisabledAt = at.Valid, fromMS(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// EnableSubscription enables a subscription disabled by a 410 Gone answer;
// its pending deliveries go out again. It reports whether the subscription
// was disabled.
func EnableSubscription(ctx context.Context, db *sql.DB, id string) (bool, error) {
	res, err := db.ExecContext(ctx, `UPDATE outbox_subscriptions SET disabled_at = NULL, disabled_reason = NULL
		WHERE id = ? AND disabled_at IS NOT NULL`, id)
	if err != nil {
		return false, fmt.Errorf("outbox: enable: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Delivery is a delivery, as listed.
type Delivery struct {
	EventID        string
	Type           string
	FlagKey        string
	Created        time.Time
	Held           bool
	SubscriptionID string
	// Description and URL (redacted) of the subscription, "" when the
	// database has not seen it.
	Description string
	URL         string
	// SubscriptionDisabled is set while the subscription is disabled.
	SubscriptionDisabled bool
	State                string
	Tries                int
	Attempts             int
	NextAt               time.Time
	LeaseOwner           string
	LeaseUntil           time.Time
	LastStatus           int
	LastErrorClass       string
	LastError            string
	DeliveredAt          time.Time
	UpdatedAt            time.Time
}

// ListOptions selects deliveries.
type ListOptions struct {
	// State is pending, delivered, failed, held (pending and held), or ""
	// for all.
	State string
	// Since, when set, keeps the events created at or after it.
	Since time.Time
	// EventID, when set, keeps that event's deliveries.
	EventID string
	// Limit bounds the number listed, the latest first kept; 0 means 1000.
	Limit int
}

const deliveryColumns = `e.id, e.type, e.flag_key, e.created_at, e.hold IS NOT NULL, d.subscription_id,
	COALESCE(s.description, ''), COALESCE(s.url, ''), s.disabled_at IS NOT NULL,
	d.state, d.tries, d.attempts, d.next_at, COALESCE(d.lease_owner, ''), d.lease_until,
	d.last_status, COALESCE(d.last_error_class, ''), COALESCE(d.last_error, ''), d.delivered_at, d.updated_at`

const deliveryFrom = ` FROM outbox_deliveries d
	JOIN outbox_events e ON e.seq = d.event_seq
	LEFT JOIN outbox_subscriptions s ON s.id = d.subscription_id`

// List returns deliveries in production order.
func List(ctx context.Context, db *sql.DB, o ListOptions) ([]Delivery, error) {
	var (
		where []string
		args  []any
	)
	switch o.State {
	case "":
	case StatePending, StateDelivered, StateFailed:
		where = append(where, "d.state = ?")
		args = append(args, o.State)
	case "held":
		where = append(where, "d.state = 'pending' AND e.hold IS NOT NULL")
	default:
		return nil, fmt.Errorf("outbox: list: unknown state %q (pending, held, delivered, failed)", o.State)
	}
	if !o.Since.IsZero() {
		where = append(where, "e.created_at >= ?")
		args = append(args, ms(o.Since))
	}
	if o.EventID != "" {
		where = append(where, "e.id = ?")
		args = append(args, o.EventID)
	}
	limit := o.Limit
	if limit <= 0 {
		limit = 1000
	}
	q := `SELECT * FROM (SELECT d.event_seq AS seq_, ` + deliveryColumns + deliveryFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY d.event_seq DESC, d.subscription_id DESC LIMIT ?) AS latest ORDER BY seq_, subscription_id`
	args = append(args, limit)
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("outbox: list: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var seq int64
		d, err := scanDeliveryWithSeq(rows, &seq)
		if err != nil {
			return nil, fmt.Errorf("outbox: list: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func scanDeliveryWithSeq(rows *sql.Rows, seq *int64) (Delivery, error) {
	var (
		d                               Delivery
		created, next, updated          int64
		leaseUntil, status, deliveredAt sql.NullInt64
	)
	err := rows.Scan(seq, &d.EventID, &d.Type, &d.FlagKey, &created, &d.Held, &d.SubscriptionID,
		&d.Description, &d.URL, &d.SubscriptionDisabled,
		&d.State, &d.Tries, &d.Attempts, &next, &d.LeaseOwner, &leaseUntil,
		&status, &d.LastErrorClass, &d.LastError, &deliveredAt, &updated)
	d.Created, d.NextAt, d.UpdatedAt = time.UnixMilli(created), time.UnixMilli(next), time.UnixMilli(updated)
	d.LeaseUntil, d.DeliveredAt = fromMS(leaseUntil), fromMS(deliveredAt)
	d.LastStatus = int(status.Int64)
	return d, err
}

// Counts returns the number of deliveries in each state, held ones counted
// under "held" rather than "pending".
func Counts(ctx context.Context, db *sql.DB) (map[string]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT CASE WHEN d.state = 'pending' AND e.hold IS NOT NULL THEN 'held' ELSE d.state END, COUNT(*)
		FROM outbox_deliveries d JOIN outbox_events e ON e.seq = d.event_seq GROUP BY 1`)
	if err != nil {
		return nil, fmt.Errorf("outbox: counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			s string
			n int
		)
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// EventDetail is an event with its deliveries and their attempts.
type EventDetail struct {
	ID         string
	Type       string
	FlagKey    string
	Body       []byte
	Created    time.Time
	Hold       string
	Deliveries []Delivery
	Attempts   []Attempt
}

// ErrNotFound is returned for an event ID the outbox does not hold.
var ErrNotFound = errors.New("no such event")

// Show returns the event with that ID, its deliveries and their attempts in
// order.
func Show(ctx context.Context, db *sql.DB, id string) (*EventDetail, error) {
	var (
		ev      EventDetail
		seq     int64
		created int64
		hold    sql.NullString
	)
	err := db.QueryRowContext(ctx, `SELECT seq, id, type, flag_key, body, created_at, hold FROM outbox_events WHERE id = ?`, id).
		Scan(&seq, &ev.ID, &ev.Type, &ev.FlagKey, &ev.Body, &created, &hold)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("event %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: show: %w", err)
	}
	ev.Created, ev.Hold = time.UnixMilli(created), hold.String
	ds, err := List(ctx, db, ListOptions{EventID: id, Limit: 1 << 20})
	if err != nil {
		return nil, err
	}
	ev.Deliveries = ds
	ev.Attempts, err = attempts(ctx, db, seq, id)
	if err != nil {
		return nil, err
	}
	return &ev, nil
}

func attempts(ctx context.Context, db *sql.DB, seq int64, eventID string) ([]Attempt, error) {
	rows, err := db.QueryContext(ctx, `SELECT subscription_id, n, worker, started_at, duration_ms, status,
			COALESCE(error_class, ''), COALESCE(error, ''), response, response_truncated
		FROM outbox_attempts WHERE event_seq = ? ORDER BY subscription_id, n, id`, seq)
	if err != nil {
		return nil, fmt.Errorf("outbox: attempts: %w", err)
	}
	defer rows.Close()
	var out []Attempt
	for rows.Next() {
		var (
			a        Attempt
			started  int64
			duration int64
			status   sql.NullInt64
		)
		if err := rows.Scan(&a.SubscriptionID, &a.N, &a.Worker, &started, &duration, &status,
			&a.ErrorClass, &a.Error, &a.Response, &a.Truncated); err != nil {
			return nil, fmt.Errorf("outbox: attempts: %w", err)
		}
		a.EventID = eventID
		a.Started, a.Duration, a.Status = time.UnixMilli(started), time.Duration(duration)*time.Millisecond, int(status.Int64)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ReplayOptions selects the deliveries Replay puts back in the queue. The
// criteria combine: each one set narrows the selection. At least one of
// EventIDs, Failed and Since must be set.
type ReplayOptions struct {
	// EventIDs selects those events' deliveries.
	EventIDs []string
	// Failed selects failed deliveries only.
	Failed bool
	// Since selects the events created at or after it.
	Since time.Time
	// SubscriptionID, when set, selects that subscription's deliveries only.
	SubscriptionID string
}

// Replay puts delivered and failed deliveries back in the queue, due at
// once with their retries counted from zero; they go out with their event's
// id. Pending deliveries are left as they are. It returns the number of
// deliveries queued again; an event ID the outbox does not hold is an error
// wrapping ErrNotFound, and nothing is replayed.
func Replay(ctx context.Context, db *sql.DB, o ReplayOptions) (int, error) {
	if len(o.EventIDs) == 0 && !o.Failed && o.Since.IsZero() {
		return 0, errors.New("outbox: replay: name events, or select failed ones or a time")
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("outbox: replay: %w", err)
	}
	defer tx.Rollback()
	where := []string{"state IN ('delivered', 'failed')"}
	var args []any
	if len(o.EventIDs) > 0 {
		for _, id := range o.EventIDs {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM outbox_events WHERE id = ?`, id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return 0, fmt.Errorf("event %s: %w", id, ErrNotFound)
			}
			if err != nil {
				return 0, fmt.Errorf("outbox: replay: %w", err)
			}
		}
		where = append(where, fmt.Sprintf("event_seq IN (SELECT seq FROM outbox_events WHERE id IN (%s))", placeholders(len(o.EventIDs))))
		args = append(args, anys(o.EventIDs)...)
	}
	if o.Failed {
		where = append(where, "state = 'failed'")
	}
	if !o.Since.IsZero() {
		where = append(where, "event_seq IN (SELECT seq FROM outbox_events WHERE created_at >= ?)")
		args = append(args, ms(o.Since))
	}
	if o.SubscriptionID != "" {
		where = append(where, "subscription_id = ?")
		args = append(args, o.SubscriptionID)
	}
	now := ms(time.Now())
	res, err := tx.ExecContext(ctx, `UPDATE outbox_deliveries SET state = 'pending', tries = 0, next_at = ?, updated_at = ?,
		delivered_at = NULL, lease_owner = NULL, lease_until = NULL WHERE `+strings.Join(where, " AND "),
		append([]any{now, now}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("outbox: replay: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), tx.Commit()
}

// RefreshStatistics has PostgreSQL count the outbox's tables again, as its
// autovacuum does within a minute or so, so that a deliverer starting on a
// burst of new events is planned for them. SQLite keeps no statistics.
func RefreshStatistics(ctx context.Context, db *sql.DB) error {
	if store.DialectOf(db) != store.Postgres {
		return nil
	}
	if _, err := db.ExecContext(ctx, `ANALYZE outbox_deliveries, outbox_events`); err != nil {
		return fmt.Errorf("outbox: statistics: %w", err)
	}
	return nil
}
