// Package testenv holds what the emitter's tests share: a migrated SQLite
// database in a temporary directory, events with contract bodies, and a
// real HTTP receiver that records every request and verifies its signature
// with the Standard Webhooks reference library.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"

	_ "github.com/mattn/go-sqlite3"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// OpenDB opens (creating it) the store target names, or a new one
// (storetest.Target: SQLite, or PostgreSQL under FLAGSCAN_TEST_STORE) when
// target is "", with store.Open and the outbox's tables. It is closed when
// the test ends.
func OpenDB(tb testing.TB, target string) *sql.DB {
	tb.Helper()
	if target == "" {
		target = storetest.Target(tb)
	}
	db, err := store.Open(context.Background(), target, outbox.Schema{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Contents returns every byte the store of db keeps: SQLite's file and
// its WAL (after a checkpoint), or, in PostgreSQL, every row of every table
// of the store's schema as text. Tests search it for what must never be
// stored.
func Contents(tb testing.TB, db *sql.DB) []byte {
	tb.Helper()
	if store.DialectOf(db) == store.Postgres {
		rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
		if err != nil {
			tb.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				tb.Fatal(err)
			}
			tables = append(tables, t)
		}
		rows.Close()
		var out []byte
		for _, t := range tables {
			rows, err := db.Query(`SELECT r::text FROM ` + t + ` r`)
			if err != nil {
				tb.Fatal(err)
			}
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					tb.Fatal(err)
				}
				out = append(append(out, line...), '\n')
			}
			rows.Close()
		}
		return out
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
	var seq int
	var name, file string
	if err := db.QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		tb.Fatal(err)
	}
	var stored []byte
	for _, p := range []string{file, file + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			tb.Fatal(err)
		}
		stored = append(stored, b...)
	}
	return stored
}

// NewSecret returns a random whsec_ secret.
func NewSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// Sub returns a subscription to both event types.
func Sub(description, url, secret string) emitter.Subscription {
	return emitter.Subscription{
		ID:          emitter.SubscriptionID(description, url),
		Description: description,
		URL:         url,
		Events:      []string{event.FlagNew, event.FlagDeleted},
		Secret:      emitter.Secret(secret),
	}
}

// Event returns an event with a contract body.
func Event(id, typ, key string) outbox.Event {
	body, _ := json.Marshal(map[string]any{
		"event":            typ,
		"user_id":          "u_1",
		"user_email":       "dev@example.com",
		"user_role":        "developer",
		"date":             "2005-08-15T15:52:01+00:00",
		"account_id":       "acc_1",
		"account_name":     "Acme",
		"environment_id":   "env_prod",
		"environment_name": "production",
		"flag_key":         key,
	})
	return outbox.Event{ID: id, Type: typ, FlagKey: key, Body: body}
}

// Enqueue writes events in one transaction, as the analyzer does.
func Enqueue(tb testing.TB, db *sql.DB, subs []emitter.Subscription, events ...outbox.Event) {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	if err := outbox.Enqueue(ctx, tx, subs, events); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// Eventually calls cond until it returns true, failing the test after
// timeout.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Request is a request a Receiver got.
type Request struct {
	N         int // order of arrival, 1 for the first request
	ID        string
	Timestamp string
	Signature string
	Header    http.Header
	Body      []byte
	Arrived   time.Time
	// Verified is the reference library's verdict (nil: valid).
	Verified error
	// Status is what the receiver answered.
	Status int
}

// Reply is a Receiver's answer to a request.
type Reply struct {
	Status int
	Header map[string]string
	Body   string
	// Block, when set, makes the handler wait until it is closed or the
	// request is cancelled before answering.
	Block <-chan struct{}
}

// Receiver is a real HTTP server recording each request.
type Receiver struct {
	*httptest.Server
	wh *standardwebhooks.Webhook

	mu       sync.Mutex
	reqs     []Request
	arrivals int
	inflight map[string]int // webhook-id -> requests in progress
	overlaps []string       // webhook-ids received twice at the same time
	reply    func(r *Request) Reply
}

// NewReceiver starts a receiver whose answers reply gives (nil: 204). With
// secret "", signatures are not verified. It is closed when the test ends.
func NewReceiver(tb testing.TB, secret string, reply func(r *Request) Reply) *Receiver {
	tb.Helper()
	rc := &Receiver{inflight: map[string]int{}, reply: reply}
	if secret != "" {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			tb.Fatal(err)
		}
		rc.wh = wh
	}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	tb.Cleanup(rc.Close)
	return rc
}

func (rc *Receiver) serve(w http.ResponseWriter, hr *http.Request) {
	body, _ := io.ReadAll(hr.Body)
	r := Request{
		ID:        hr.Header.Get("webhook-id"),
		Timestamp: hr.Header.Get("webhook-timestamp"),
		Signature: hr.Header.Get("webhook-signature"),
		Header:    hr.Header.Clone(),
		Body:      body,
		Arrived:   time.Now(),
	}
	if rc.wh != nil {
		r.Verified = rc.wh.Verify(body, hr.Header)
	}
	rc.mu.Lock()
	rc.arrivals++
	r.N = rc.arrivals
	rc.inflight[r.ID]++
	if rc.inflight[r.ID] > 1 {
		rc.overlaps = append(rc.overlaps, r.ID)
	}
	rc.mu.Unlock()
	rep := Reply{Status: http.StatusNoContent}
	if rc.reply != nil {
		rep = rc.reply(&r)
	}
	if rep.Block != nil {
		select {
		case <-rep.Block:
		case <-hr.Context().Done():
		}
	}
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	if rep.Status == 0 {
		rep.Status = http.StatusNoContent
	}
	r.Status = rep.Status
	rc.mu.Lock()
	rc.inflight[r.ID]--
	rc.reqs = append(rc.reqs, r)
	rc.mu.Unlock()
	w.WriteHeader(rep.Status)
	io.WriteString(w, rep.Body)
}

// Requests returns the requests answered so far, in the order of their
// answers.
func (rc *Receiver) Requests() []Request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Request(nil), rc.reqs...)
}

// Overlaps returns the webhook-ids that were being received twice at the
// same time.
func (rc *Receiver) Overlaps() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.overlaps...)
}

// Count returns the number of requests answered.
func (rc *Receiver) Count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.reqs)
}

// Check fails the test for each request whose signature did not verify.
func (rc *Receiver) Check(tb testing.TB) {
	tb.Helper()
	for _, r := range rc.Requests() {
		if r.Verified != nil {
			tb.Errorf("request %d (webhook-id %s): reference library: %v", r.N, r.ID, r.Verified)
		}
	}
}

// States returns the state of each delivery, by event ID (for one
// subscription) or "eventID subscriptionID" when several.
func States(tb testing.TB, db *sql.DB) map[string]string {
	tb.Helper()
	ds, err := outbox.List(context.Background(), db, outbox.ListOptions{Limit: 1 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range ds {
		out[d.EventID] = d.State
	}
	return out
}

// AllIn reports whether every delivery is in state.
func AllIn(tb testing.TB, db *sql.DB, state string) bool {
	tb.Helper()
	ds, err := outbox.List(context.Background(), db, outbox.ListOptions{Limit: 1 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	for _, d := range ds {
		if d.State != state {
			return false
		}
	}
	return len(ds) > 0
}

// IDs returns n event IDs, evt_0001...
func IDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("evt_%04d", i+1)
	}
	return out
}
