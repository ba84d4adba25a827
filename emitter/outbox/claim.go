package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flagscan/flagscan/analyzer/store"
)

// Error classes recorded by the outbox itself; the deliverer records its own
// (see package deliver).
const (
	// ClassLeaseExpired is recorded when a claim is taken over from a
	// worker that stopped (was killed) before recording its attempt.
	ClassLeaseExpired = "lease_expired"
)

// Claim is a delivery claimed by a worker: until LeaseUntil, no other
// worker may claim it.
type Claim struct {
	EventSeq       int64
	EventID        string
	Type           string
	FlagKey        string
	Body           []byte
	Created        time.Time
	SubscriptionID string
	// Tries counts the failed attempts since the delivery was queued or
	// replayed; Attempt is the number this attempt will be recorded under.
	Tries   int
	Attempt int
	// Owner is the worker holding the lease, until LeaseUntil.
	Owner      string
	LeaseUntil time.Time
}

// dueCondition selects the pending deliveries of the subscriptions listed
// (placeholders inserted with %s) that no hold, disabled subscription or
// earlier pending event of the same subscription and order keeps back.
//
// LIMIT 1 OFFSET 0 keeps PostgreSQL from turning the NOT EXISTS into
// anti-joins, which it estimates to leave one row: it would then join and
// sort every pending delivery for each claim (66 ms with 4,000 pending)
// instead of walking them in order and stopping at the claim's limit
// (0.3 ms). SQLite plans both forms alike.
const dueCondition = `d.state = 'pending'
	AND e.hold IS NULL
	AND d.subscription_id IN (%s)
	AND NOT EXISTS (SELECT 1 FROM outbox_subscriptions s WHERE s.id = d.subscription_id AND s.disabled_at IS NOT NULL LIMIT 1 OFFSET 0)
	AND NOT EXISTS (SELECT 1 FROM outbox_deliveries p
		WHERE p.subscription_id = d.subscription_id AND p.flag_key = d.flag_key
		AND p.state = 'pending' AND p.event_seq < d.event_seq LIMIT 1 OFFSET 0)`

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// ClaimDue claims for owner at most limit deliveries, of the subscriptions
// listed, that are due at now, in production order, leasing them until
// now+lease. The lease must outlast the longest attempt: an attempt still
// running when it ends may be repeated, at the same time, by another worker.
//
// A delivery whose previous owner's lease expired without a recorded
// attempt (the worker died while sending) is taken over, and an attempt of
// class lease_expired is recorded for the lost one.
func ClaimDue(ctx context.Context, db *sql.DB, owner string, subIDs []string, now time.Time, lease time.Duration, limit int) ([]Claim, error) {
	if len(subIDs) == 0 || limit <= 0 {
		return nil, nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	defer tx.Rollback()
	q := fmt.Sprintf(`SELECT d.event_seq, e.id, e.type, e.flag_key, e.body, e.created_at, d.subscription_id,
			d.tries, d.attempts, d.lease_owner, d.updated_at
		FROM outbox_deliveries d JOIN outbox_events e ON e.seq = d.event_seq
		WHERE `+dueCondition+`
		AND d.next_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
		ORDER BY d.event_seq, d.subscription_id
		LIMIT ?`, placeholders(len(subIDs)))
	if store.DialectOf(db) == store.Postgres {
		// SQLite's immediate transaction keeps other workers out; in
		// PostgreSQL each row is locked, and rows another worker is
		// claiming are passed over rather than waited for. Its lease is
		// checked again on the row as that worker left it.
		q += ` FOR UPDATE OF d SKIP LOCKED`
		// Walk the pending deliveries in order and stop at the limit: on
		// tables the statistics have not caught up with (a burst of
		// events), the planner would sort them all instead, 1 s for 2,000.
		if _, err := tx.ExecContext(ctx, `SET LOCAL enable_sort = off`); err != nil {
			return nil, fmt.Errorf("outbox: claim: %w", err)
		}
	}
	args := append(anys(subIDs), ms(now), ms(now), limit)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	type lost struct {
		seq     int64
		sub     string
		owner   string
		started int64
		n       int
	}
	var (
		claims []Claim
		losts  []lost
	)
	until := now.Add(lease)
	for rows.Next() {
		var (
			c         Claim
			created   int64
			prevOwner sql.NullString
			updated   int64
			attempts  int
		)
		if err := rows.Scan(&c.EventSeq, &c.EventID, &c.Type, &c.FlagKey, &c.Body, &created, &c.SubscriptionID,
			&c.Tries, &attempts, &prevOwner, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("outbox: claim: %w", err)
		}
		c.Created = time.UnixMilli(created)
		if prevOwner.Valid {
			// The lost attempt was counted when its owner claimed it.
			losts = append(losts, lost{c.EventSeq, c.SubscriptionID, prevOwner.String, updated, attempts})
		}
		c.Attempt = attempts + 1
		c.Owner = owner
		c.LeaseUntil = until
		claims = append(claims, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	rows.Close()
	for _, l := range losts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_attempts
			(event_seq, subscription_id, n, worker, started_at, duration_ms, error_class, error)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
			l.seq, l.sub, l.n, l.owner, l.started, ClassLeaseExpired,
			"the worker stopped before recording this attempt; its lease expired and the event is sent again with the same id"); err != nil {
			return nil, fmt.Errorf("outbox: claim: %w", err)
		}
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE outbox_deliveries
		SET lease_owner = ?, lease_until = ?, attempts = ?, updated_at = ?
		WHERE event_seq = ? AND subscription_id = ?`)
	if err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	defer upd.Close()
	for _, c := range claims {
		if _, err := upd.ExecContext(ctx, owner, ms(until), c.Attempt, ms(now), c.EventSeq, c.SubscriptionID); err != nil {
			return nil, fmt.Errorf("outbox: claim: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	return claims, nil
}

// NextDue returns when the earliest delivery of the subscriptions listed
// that is not held back (by a hold, a disabled subscription or an earlier
// pending event of its key) becomes due, its lease considered; ok is false
// when there is none.
func NextDue(ctx context.Context, db *sql.DB, subIDs []string) (t time.Time, ok bool, err error) {
	if len(subIDs) == 0 {
		return time.Time{}, false, nil
	}
	// Only the first pending delivery of each subscription and flag key can
	// be due: the rest wait behind it.
	q := fmt.Sprintf(`SELECT MIN(CASE WHEN d.next_at > COALESCE(d.lease_until, 0) THEN d.next_at ELSE d.lease_until END)
		FROM (SELECT subscription_id, flag_key, MIN(event_seq) AS seq FROM outbox_deliveries
			WHERE state = 'pending' AND subscription_id IN (%s) GROUP BY subscription_id, flag_key) h
		JOIN outbox_deliveries d ON d.event_seq = h.seq AND d.subscription_id = h.subscription_id
		JOIN outbox_events e ON e.seq = d.event_seq
		WHERE e.hold IS NULL
		AND NOT EXISTS (SELECT 1 FROM outbox_subscriptions s WHERE s.id = d.subscription_id AND s.disabled_at IS NOT NULL)`,
		placeholders(len(subIDs)))
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, q, anys(subIDs)...).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("outbox: next due: %w", err)
	}
	return fromMS(v), v.Valid, nil
}

// Outcome is what became of an attempt.
type Outcome int

const (
	// Delivered: the receiver accepted the event.
	Delivered Outcome = iota + 1
	// Retry: the attempt failed; the delivery is due again at NextAt.
	Retry
	// Fail: the attempt failed and the delivery is given up (kept as failed,
	// replayable).
	Fail
	// Interrupted: the attempt was cut short by the worker stopping or its
	// time budget ending; the delivery is due again at once and the attempt
	// does not count against its retries.
	Interrupted
)

// Attempt is the record of one attempt.
type Attempt struct {
	EventID        string
	SubscriptionID string
	N              int
	Worker         string
	Started        time.Time
	Duration       time.Duration
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// ErrorClass is "" on success, else a short class such as timeout,
	// http_status, redirect, gone, connection, tls, blocked.
	ErrorClass string
	Error      string
	// Response holds the first bytes of the answer's body.
	Response  []byte
	Truncated bool
}

// Result is the outcome of the attempt made on a claim.
type Result struct {
	Claim   Claim
	Outcome Outcome
	// NextAt is when a Retry is due.
	NextAt  time.Time
	Attempt Attempt
	// DisableSubscription, when not "", disables the claim's subscription
	// with that reason (the receiver answered 410 Gone): its deliveries stay
	// pending until it is enabled again.
	DisableSubscription string
}

// ErrLeaseLost is returned by Complete, joined with nothing else, when some
// results could not update their delivery because another worker had taken
// it over; their attempts are recorded all the same.
var ErrLeaseLost = errors.New("outbox: lease lost: another worker took the delivery over")

// Complete records the results of attempts in one transaction: the attempt
// rows, and the deliveries' new states where the claim's owner still holds
// them.
func Complete(ctx context.Context, db *sql.DB, results []Result) error {
	if len(results) == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outbox: complete: %w", err)
	}
	defer tx.Rollback()
	insAttempt, err := tx.PrepareContext(ctx, `INSERT INTO outbox_attempts
		(event_seq, subscription_id, n, worker, started_at, duration_ms, status, error_class, error, response, response_truncated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("outbox: complete: %w", err)
	}
	defer insAttempt.Close()
	lostLease := false
	now := time.Now()
	for _, r := range results {
		c, a := r.Claim, r.Attempt
		if _, err := insAttempt.ExecContext(ctx, c.EventSeq, c.SubscriptionID, c.Attempt, c.Owner,
			ms(a.Started), a.Duration.Milliseconds(), nullInt(a.Status), nullStr(a.ErrorClass), nullStr(a.Error),
			a.Response, boolInt(a.Truncated)); err != nil {
			return fmt.Errorf("outbox: complete: %w", err)
		}
		var (
			q    string
			args []any
		)
		const where = ` WHERE event_seq = ? AND subscription_id = ? AND lease_owner = ? AND state = 'pending'`
		switch r.Outcome {
		case Delivered:
			q = `UPDATE outbox_deliveries SET state = 'delivered', delivered_at = ?, last_status = ?, last_error_class = NULL, last_error = NULL,
				lease_owner = NULL, lease_until = NULL, updated_at = ?` + where
			args = []any{ms(now), nullInt(a.Status), ms(now)}
		case Retry:
			q = `UPDATE outbox_deliveries SET tries = tries + 1, next_at = ?, last_status = ?, last_error_class = ?, last_error = ?,
				lease_owner = NULL, lease_until = NULL, updated_at = ?` + where
			args = []any{ms(r.NextAt), nullInt(a.Status), nullStr(a.ErrorClass), nullStr(a.Error), ms(now)}
		case Fail:
			q = `UPDATE outbox_deliveries SET state = 'failed', tries = tries + 1, last_status = ?, last_error_class = ?, last_error = ?,
				lease_owner = NULL, lease_until = NULL, updated_at = ?` + where
			args = []any{nullInt(a.Status), nullStr(a.ErrorClass), nullStr(a.Error), ms(now)}
		case Interrupted:
			q = `UPDATE outbox_deliveries SET lease_owner = NULL, lease_until = NULL, updated_at = ?` + where
			args = []any{ms(now)}
		default:
			return fmt.Errorf("outbox: complete: unknown outcome %d", r.Outcome)
		}
		res, err := tx.ExecContext(ctx, q, append(args, c.EventSeq, c.SubscriptionID, c.Owner)...)
		if err != nil {
			return fmt.Errorf("outbox: complete: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			lostLease = true
		}
		if r.DisableSubscription != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox_subscriptions SET disabled_at = ?, disabled_reason = ?
				WHERE id = ? AND disabled_at IS NULL`, ms(now), r.DisableSubscription, c.SubscriptionID); err != nil {
				return fmt.Errorf("outbox: complete: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("outbox: complete: %w", err)
	}
	if lostLease {
		return ErrLeaseLost
	}
	return nil
}

func nullInt(v int) any {
	if v == 0 {
		return nil
	}
	return v
}

// boolInt is b as the 0 or 1 of an INTEGER column: PostgreSQL does not
// take a bool for one.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}
