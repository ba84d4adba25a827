// Package deliver sends the outbox's events to their subscriptions: it
// claims due deliveries with a lease, signs each request per Standard
// Webhooks, POSTs it through a dialer that refuses forbidden addresses,
// records the attempt, and schedules a retry or gives up.
//
// A 2xx answer is a success. Anything else is a failed attempt: 3xx (a
// redirect is never followed), any other status, a timeout, a refused
// connection, a TLS or DNS error, an address the allow list does not let
// through. A failed delivery is retried after the waits of the retry
// schedule, each lengthened by a random jitter of up to 20%, and given up
// (kept as failed, replayable) when the schedule is exhausted; a Retry-After
// answer lengthens the wait, up to MaxRetryAfter. A 410 Gone answer disables
// the subscription: its deliveries stay pending until it is enabled again.
//
// Several deliverers, in one process or several, may share a database:
// claims are leased, so an event is never sent by two at the same time, and
// the events of one subscription and flag key go out one after the other,
// in production order.
package deliver

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/dialguard"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/emitter/signing"
)

// DefaultRetrySchedule returns the default waits before each retry: about a day
// from the first attempt to the last of eight.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{
		5 * time.Second, 5 * time.Minute, 30 * time.Minute,
		2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
	}
}

// Defaults of Options.
const (
	DefaultTimeout       = 10 * time.Second
	DefaultMaxRetryAfter = 12 * time.Hour
	DefaultWorkers       = 4
	DefaultPollInterval  = time.Second
	DefaultResponseBytes = 4 << 10
	// DefaultJitter is the largest fraction of a wait added at random.
	DefaultJitter = 0.2
)

// Options tune a Deliverer. The zero value of each field means its default.
type Options struct {
	// Timeout bounds one request, from dialling to the end of the answer.
	Timeout time.Duration
	// RetrySchedule are the waits before each retry; a delivery is given up
	// after len(RetrySchedule)+1 failed attempts. nil means
	// DefaultRetrySchedule; an empty, non-nil slice means no retry.
	RetrySchedule []time.Duration
	// Jitter is the largest fraction of a wait added at random (default
	// 0.2); negative means none.
	Jitter float64
	// MaxRetryAfter bounds the wait a Retry-After answer may ask for.
	MaxRetryAfter time.Duration
	// AllowHosts are the loopback or private host names, addresses and CIDR
	// prefixes that may be called (see package dialguard).
	AllowHosts []string
	// Lease is how long a claim is held; it must outlast the longest
	// attempt. Default and minimum: Timeout + 30s and Timeout + 1s.
	Lease time.Duration
	// Workers is the number of requests in flight at once.
	Workers int
	// PollInterval is how often Watch looks for new events when it knows of
	// none due sooner.
	PollInterval time.Duration
	// ShutdownGrace is how long Watch (and Deliver), once their context is
	// cancelled, let requests in flight finish before cutting them; the cut
	// ones are released, to be sent again with the same id. Default: Timeout.
	ShutdownGrace time.Duration
	// MaxBodySize bounds a request body, payload merged; larger ones fail
	// at once (default emitter.DefaultMaxBodySize).
	MaxBodySize int
	// ResponseBytes is how much of each answer is recorded (default 4 KiB).
	ResponseBytes int
	// Worker names this deliverer in leases and attempts; default
	// host-pid-random.
	Worker string
	// Logger receives a line per attempt; nil means none. Lines never hold
	// a secret, a header value or a URL's path or query.
	Logger *slog.Logger
	// TLSConfig, if set, is used for https requests (e.g. a private CA).
	TLSConfig *tls.Config
	// UserAgent is the User-Agent of the requests unless a subscription's
	// headers set one; default DefaultUserAgent. flagscan sends its
	// version, so that receivers can tell which build sent an event.
	UserAgent string
}

// Deliverer sends the outbox's events to a fixed set of subscriptions.
type Deliverer struct {
	db            *sql.DB
	subs          map[string]*subscription
	subIDs        []string
	client        *http.Client
	timeout       time.Duration
	schedule      []time.Duration
	jitter        float64
	maxRetryAfter time.Duration
	lease         time.Duration
	workers       int
	poll          time.Duration
	grace         time.Duration
	maxBody       int
	responseBytes int
	owner         string
	userAgent     string
	log           *slog.Logger
	wake          chan struct{}
	syncMu        sync.Mutex
	synced        bool
}

// New returns a Deliverer for the subscriptions, which come from the
// configuration: deliveries of subscriptions not given here are left alone.
func New(db *sql.DB, subs []emitter.Subscription, o Options) (*Deliverer, error) {
	d := &Deliverer{
		db:            db,
		subs:          make(map[string]*subscription, len(subs)),
		timeout:       o.Timeout,
		schedule:      o.RetrySchedule,
		jitter:        o.Jitter,
		maxRetryAfter: o.MaxRetryAfter,
		lease:         o.Lease,
		workers:       o.Workers,
		poll:          o.PollInterval,
		grace:         o.ShutdownGrace,
		maxBody:       o.MaxBodySize,
		responseBytes: o.ResponseBytes,
		owner:         o.Worker,
		log:           o.Logger,
		userAgent:     o.UserAgent,
		wake:          make(chan struct{}, 1),
	}
	if d.timeout <= 0 {
		d.timeout = DefaultTimeout
	}
	if d.userAgent == "" {
		d.userAgent = DefaultUserAgent
	}
	if d.schedule == nil {
		d.schedule = DefaultRetrySchedule()
	}
	switch {
	case d.jitter == 0:
		d.jitter = DefaultJitter
	case d.jitter < 0:
		d.jitter = 0
	}
	if d.maxRetryAfter <= 0 {
		d.maxRetryAfter = DefaultMaxRetryAfter
	}
	if d.lease <= 0 {
		d.lease = d.timeout + 30*time.Second
	}
	if min := d.timeout + time.Second; d.lease < min {
		d.lease = min
	}
	if d.workers <= 0 {
		d.workers = DefaultWorkers
	}
	if d.poll <= 0 {
		d.poll = DefaultPollInterval
	}
	if d.grace <= 0 {
		d.grace = d.timeout
	}
	if d.maxBody <= 0 {
		d.maxBody = emitter.DefaultMaxBodySize
	}
	if d.responseBytes <= 0 {
		d.responseBytes = DefaultResponseBytes
	}
	if d.owner == "" {
		d.owner = workerName()
	}
	if d.log == nil {
		d.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var errs []error
	for i := range subs {
		s := subs[i]
		if err := s.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := d.subs[s.ID]; dup {
			errs = append(errs, fmt.Errorf("webhooks %q and %q have the same ID %s", other.Description, s.Description, s.ID))
			continue
		}
		sub := &subscription{Subscription: s}
		if s.Secret != "" {
			sub.key, _ = signing.NewKey(s.Secret.Reveal()) // checked by Validate
		}
		d.subs[s.ID] = sub
		d.subIDs = append(d.subIDs, s.ID)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	policy, err := dialguard.NewPolicy(o.AllowHosts)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{
		Proxy:               nil, // a proxy would dial in our stead, past the guard
		DialContext:         policy.DialContext(d.timeout),
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: d.workers,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: d.timeout,
		TLSClientConfig:     o.TLSConfig,
	}
	d.client = &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return d, nil
}

func workerName() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Worker returns the name this deliverer claims under.
func (d *Deliverer) Worker() string { return d.owner }

// Close releases idle connections.
func (d *Deliverer) Close() { d.client.CloseIdleConnections() }

// Wake makes a running Watch look for due events now, e.g. right after new
// ones were enqueued in this process.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Stats counts what a Deliver or Watch did.
type Stats struct {
	// Claimed counts attempts started.
	Claimed int
	// Delivered counts deliveries accepted by their receiver.
	Delivered int
	// Retrying counts failed attempts that will be retried.
	Retrying int
	// Failed counts deliveries given up.
	Failed int
	// Interrupted counts attempts cut short, to be made again.
	Interrupted int
	// Disabled counts subscriptions disabled by a 410 Gone answer.
	Disabled int
}

func (s *Stats) add(r *outbox.Result) {
	switch r.Outcome {
	case outbox.Delivered:
		s.Delivered++
	case outbox.Retry:
		s.Retrying++
	case outbox.Fail:
		s.Failed++
	case outbox.Interrupted:
		s.Interrupted++
	}
	if r.DisableSubscription != "" {
		s.Disabled++
	}
}

// Deliver makes one pass: it sends what is due, retries that fall due
// during the pass included, until nothing is due or budget has passed.
// Requests still running when the budget ends are cut and released, to be
// sent again, with the same id, by a later pass; so a pass lasts about
// budget at most. Budget <= 0 means no bound.
func (d *Deliverer) Deliver(ctx context.Context, budget time.Duration) (Stats, error) {
	var cutoff time.Time
	if budget > 0 {
		cutoff = time.Now().Add(budget)
	}
	return d.run(ctx, false, cutoff)
}

// Watch delivers until ctx is cancelled, looking for due events every
// PollInterval (sooner when it knows one falls due sooner, or when Wake is
// called). When ctx is cancelled it stops claiming, lets requests in flight
// finish for ShutdownGrace, cuts and releases the rest, records every
// attempt, and returns nil. Database errors are logged and retried.
func (d *Deliverer) Watch(ctx context.Context) error {
	// Once per long-running deliverer, not in the passes a push or a hook
	// makes: counting the outbox takes a moment on a big one.
	if err := outbox.RefreshStatistics(context.WithoutCancel(ctx), d.db); err != nil {
		d.log.Warn("webhook delivery: outbox statistics not refreshed", "err", err)
	}
	_, err := d.run(ctx, true, time.Time{})
	return err
}

// run is Deliver (watch false) and Watch.
func (d *Deliverer) run(ctx context.Context, watch bool, cutoff time.Time) (Stats, error) {
	var stats Stats
	if len(d.subs) == 0 {
		if watch {
			<-ctx.Done()
		}
		return stats, nil
	}
	dbCtx := context.WithoutCancel(ctx)
	if err := d.sync(dbCtx); err != nil {
		return stats, err
	}
	sendCtx, cancelSends := context.WithCancel(dbCtx)
	defer cancelSends()
	results := make(chan outbox.Result, d.workers)
	var (
		inflight int
		stopping bool
		grace    <-chan time.Time
		canClaim = true // a claim may find something
		errs     []error
		dbFails  int // consecutive database errors, in Watch
	)
	dbError := func(err error) {
		if !watch {
			errs = append(errs, err)
			stopping = true
			return
		}
		dbFails++
		d.log.Error("webhook delivery: database", "err", err)
	}
	for {
		if !stopping {
			if ctx.Err() != nil {
				stopping = true
				if inflight > 0 {
					grace = time.After(d.grace)
				}
			} else if !cutoff.IsZero() && !time.Now().Before(cutoff) {
				stopping = true
			}
		}
		if !stopping && canClaim && inflight < d.workers {
			want := d.workers - inflight
			claims, err := outbox.ClaimDue(dbCtx, d.db, d.owner, d.subIDs, time.Now(), d.lease, want)
			if err != nil {
				dbError(err)
			} else {
				dbFails = 0
			}
			for _, c := range claims {
				inflight++
				stats.Claimed++
				go func(c outbox.Claim) { results <- d.attempt(sendCtx, c, cutoff) }(c)
			}
			canClaim = err == nil && len(claims) == want
		}
		if inflight == 0 {
			switch {
			case stopping:
				return stats, errors.Join(errs...)
			case canClaim:
				continue
			case !watch:
				return stats, errors.Join(errs...) // nothing more is due
			}
			d.idle(ctx, dbCtx, dbFails)
			canClaim = true
			continue
		}
		var (
			poll  <-chan time.Time
			timer *time.Timer
			done  <-chan struct{}
			wake  <-chan struct{}
		)
		if !stopping {
			done = ctx.Done()
			if watch && inflight < d.workers {
				wake = d.wake
				if !canClaim {
					timer = time.NewTimer(d.poll)
					poll = timer.C
				}
			}
		}
		select {
		case r := <-results:
			batch := []outbox.Result{r}
		drain:
			for {
				select {
				case r := <-results:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			inflight -= len(batch)
			for i := range batch {
				stats.add(&batch[i])
				d.logResult(&batch[i])
			}
			if err := outbox.Complete(dbCtx, d.db, batch); errors.Is(err, outbox.ErrLeaseLost) {
				d.log.Warn("webhook delivery: a lease expired during an attempt; raise the lease above the timeout", "worker", d.owner)
			} else if err != nil {
				// The leases expire and the events go out again.
				dbError(err)
			}
			canClaim = true
		case <-poll:
			canClaim = true
		case <-wake:
			canClaim = true
		case <-done:
		case <-grace:
			cancelSends()
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// sync records the subscriptions in the database once.
func (d *Deliverer) sync(ctx context.Context) error {
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	if d.synced {
		return nil
	}
	if err := outbox.SyncSubscriptions(ctx, d.db, d.subscriptions()); err != nil {
		return err
	}
	d.synced = true
	return nil
}

// idle waits, in Watch, until a delivery may be due, ctx is cancelled or
// Wake is called.
func (d *Deliverer) idle(ctx, dbCtx context.Context, dbFails int) {
	wait := d.poll
	if dbFails > 0 {
		wait = min(d.poll*time.Duration(1<<min(dbFails, 6)), time.Minute)
	} else if t, ok, err := outbox.NextDue(dbCtx, d.db, d.subIDs); err == nil && ok {
		wait = min(max(time.Until(t), 5*time.Millisecond), d.poll)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	case <-d.wake:
	}
}

func (d *Deliverer) subscriptions() []emitter.Subscription {
	out := make([]emitter.Subscription, 0, len(d.subIDs))
	for _, id := range d.subIDs {
		out = append(out, d.subs[id].Subscription)
	}
	return out
}

// attempt sends a claimed delivery and decides what follows.
func (d *Deliverer) attempt(ctx context.Context, c outbox.Claim, cutoff time.Time) outbox.Result {
	s := d.subs[c.SubscriptionID]
	rep := d.send(ctx, s, c.EventID, c.Body, cutoff)
	res := outbox.Result{
		Claim: c,
		Attempt: outbox.Attempt{
			Started: rep.Started, Duration: rep.Duration, Status: rep.Status,
			ErrorClass: rep.Class, Error: rep.Error, Response: rep.Response, Truncated: rep.Truncated,
		},
	}
	switch rep.Class {
	case "":
		res.Outcome = outbox.Delivered
		return res
	case ClassInterrupted:
		res.Outcome = outbox.Interrupted
		return res
	case ClassBodyTooLarge, ClassPayload:
		// Sending again cannot help; replay once the configuration is fixed.
		res.Outcome = outbox.Fail
		return res
	case ClassGone:
		res.DisableSubscription = "the receiver answered 410 Gone"
	}
	tries := c.Tries + 1
	if tries > len(d.schedule) {
		res.Outcome = outbox.Fail
		return res
	}
	wait := d.schedule[tries-1]
	if d.jitter > 0 && wait > 0 {
		wait += time.Duration(mrand.Float64() * d.jitter * float64(wait))
	}
	if rep.RetryAfter > wait {
		wait = min(rep.RetryAfter, max(d.maxRetryAfter, wait))
	}
	res.Outcome, res.NextAt = outbox.Retry, time.Now().Add(wait)
	return res
}

func (d *Deliverer) logResult(r *outbox.Result) {
	s := d.subs[r.Claim.SubscriptionID]
	a := &r.Attempt
	args := []any{
		"event", r.Claim.EventID, "type", r.Claim.Type, "flag", r.Claim.FlagKey,
		"webhook", s.Description, "attempt", r.Claim.Attempt,
		"status", a.Status, "duration", a.Duration.Round(time.Millisecond),
	}
	if a.ErrorClass != "" {
		args = append(args, "class", a.ErrorClass, "err", a.Error)
	}
	switch {
	case r.DisableSubscription != "":
		// Its deliveries wait for `flagscan webhook enable`, not for a
		// retry: saying "will retry" beside "disabled" misleads.
		d.log.Error("webhook disabled: the receiver answered 410 Gone; its events wait until `flagscan webhook enable`", args...)
		return
	}
	switch r.Outcome {
	case outbox.Delivered:
		d.log.Info("webhook delivered", args...)
	case outbox.Retry:
		d.log.Warn("webhook attempt failed; will retry", append(args, "next", r.NextAt.Format(time.RFC3339))...)
	case outbox.Fail:
		d.log.Error("webhook delivery given up; replay it with `flagscan deliveries replay`", args...)
	case outbox.Interrupted:
		d.log.Info("webhook attempt interrupted; it will be sent again", args...)
	}
}

// Send sends body as the event id to the subscription with ID subID,
// signed, outside the outbox: nothing is recorded or retried. It is for
// `flagscan webhook test`.
func (d *Deliverer) Send(ctx context.Context, subID, id string, body []byte) (Report, error) {
	s, ok := d.subs[subID]
	if !ok {
		return Report{}, fmt.Errorf("no webhook with ID %s", subID)
	}
	return d.send(ctx, s, id, body, time.Time{}), nil
}
