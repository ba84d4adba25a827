package deliver

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/dialguard"
	"github.com/flagscan/flagscan/emitter/signing"
)

// Error classes of failed attempts.
const (
	ClassHTTPStatus   = "http_status" // an answer outside 2xx, 3xx and 410
	ClassRedirect     = "redirect"    // a 3xx answer: redirects are not followed
	ClassGone         = "gone"        // 410 Gone: the subscription is disabled
	ClassTimeout      = "timeout"     // no complete answer within the timeout
	ClassRefused      = "connection_refused"
	ClassDNS          = "dns"            // the host name did not resolve
	ClassTLS          = "tls"            // handshake or certificate error
	ClassConnection   = "connection"     // any other network error
	ClassBlocked      = "blocked"        // the address is not allowed (see dialguard)
	ClassBodyTooLarge = "body_too_large" // the body, payload merged, is over the bound
	ClassPayload      = "payload"        // the payload parameters cannot be merged
	ClassTemplate     = "template"       // a placeholder names no field of the event
	ClassInterrupted  = "interrupted"    // cut short by shutdown or the time budget
)

// DefaultUserAgent is sent unless Options.UserAgent or a subscription's
// headers set one.
const DefaultUserAgent = "flagscan-webhooks/1"

// Report is what one request gave.
type Report struct {
	Started  time.Time
	Duration time.Duration
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// Class is "" for a 2xx answer, else one of the Class constants.
	Class string
	// Error describes a failure; it never holds the URL's path or query, a
	// header value or the secret.
	Error string
	// RetryAfter is the wait the answer's Retry-After header asked for, 0
	// when it had none.
	RetryAfter time.Duration
	// Response holds the first bytes of the answer's body; Truncated is set
	// when there was more.
	Response  []byte
	Truncated bool
}

// OK reports whether the receiver accepted the request.
func (r *Report) OK() bool { return r.Class == "" }

// subscription is a configured subscription, ready to send.
type subscription struct {
	emitter.Subscription
	key signing.Key
}

// send POSTs body, with the subscription's payload parameters merged, to
// the subscription, signed as message id. The request ends at the earlier
// of the timeout and cutoff (zero: none); ending at cutoff, or by ctx being
// cancelled, is an interruption rather than a timeout.
func (d *Deliverer) send(ctx context.Context, s *subscription, id string, body []byte, cutoff time.Time) (r Report) {
	r.Started = time.Now()
	defer func() { r.Duration = time.Since(r.Started) }()
	req0, err := s.Request(body)
	if err != nil {
		r.Class, r.Error = ClassPayload, err.Error()
		if errors.Is(err, emitter.ErrTemplate) {
			r.Class = ClassTemplate
		}
		return r
	}
	merged := req0.Body
	if req0.ContentType == emitter.ContentJSON {
		err = emitter.CheckBody(merged, d.maxBody)
	} else if d.maxBody > 0 && len(merged) > d.maxBody {
		err = fmt.Errorf("%w: %d bytes, over the %d-byte bound", emitter.ErrBodyTooLarge, len(merged), d.maxBody)
	}
	if err != nil {
		r.Class, r.Error = ClassBodyTooLarge, err.Error()
		if !errors.Is(err, emitter.ErrBodyTooLarge) {
			r.Class = ClassPayload
		}
		return r
	}
	deadline := r.Started.Add(d.timeout)
	byCutoff := false
	if !cutoff.IsZero() && cutoff.Before(deadline) {
		deadline, byCutoff = cutoff, true
	}
	rctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, req0.URL, bytes.NewReader(merged))
	if err != nil {
		r.Class, r.Error = ClassConnection, "cannot make a request for this URL"
		return r
	}
	for _, h := range req0.Headers {
		if reserved(h.Name) {
			continue
		}
		req.Header.Add(h.Name, h.Value.Reveal())
	}
	req.Header.Set("Content-Type", req0.ContentType)
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", d.userAgent)
	}
	s.key.SetHeaders(req.Header, id, r.Started, merged)

	resp, err := d.client.Do(req)
	if err != nil {
		r.Class, r.Error = classify(err, ctx, rctx, byCutoff, d.timeout)
		return r
	}
	defer resp.Body.Close()
	r.Status = resp.StatusCode
	buf, rerr := io.ReadAll(io.LimitReader(resp.Body, int64(d.responseBytes)+1))
	if len(buf) > d.responseBytes {
		buf, r.Truncated = buf[:d.responseBytes], true
		// Read a little more so that the connection can be reused.
		io.CopyN(io.Discard, resp.Body, 64<<10)
	}
	r.Response = redactAnswer(buf, req0.Headers, s.Secret)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if rerr != nil && !r.Truncated {
			// The answer was accepted; a broken body afterwards does not
			// undo it.
			r.Error = "reading the answer: " + sanitize(rerr)
		}
		return r
	case resp.StatusCode == http.StatusGone:
		r.Class, r.Error = ClassGone, "410 Gone: the receiver says the subscription is gone; it is disabled"
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		r.Class = ClassRedirect
		r.Error = fmt.Sprintf("%s: redirects are not followed", resp.Status)
		if loc := resp.Header.Get("Location"); loc != "" {
			r.Error += " (Location: " + emitter.RedactURL(resolveLocation(req.URL, loc)) + ")"
		}
	default:
		r.Class, r.Error = ClassHTTPStatus, "answer "+resp.Status
	}
	r.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	return r
}

// redactAnswer replaces, in the first bytes of an answer, the values of
// the request's configured headers and the signing secret: a receiver that
// echoes its request would otherwise have a bearer token stored in the
// outbox and shown by `flagscan deliveries show`.
func redactAnswer(buf []byte, headers []emitter.Header, secret emitter.Secret) []byte {
	values := []string{secret.Reveal()}
	for _, h := range headers {
		values = append(values, h.Value.Reveal())
		// "Bearer TOKEN": the token alone may be echoed too.
		if _, tok, ok := strings.Cut(h.Value.Reveal(), " "); ok {
			values = append(values, tok)
		}
	}
	for _, v := range values {
		if len(v) >= 4 {
			buf = bytes.ReplaceAll(buf, []byte(v), []byte("REDACTED"))
		}
	}
	return buf
}

func resolveLocation(base *url.URL, loc string) string {
	u, err := base.Parse(loc)
	if err != nil {
		return ""
	}
	return u.String()
}

// reserved reports whether a header is one flagscan sets itself.
func reserved(name string) bool {
	switch strings.ToLower(name) {
	case "content-type", "content-length", "host", "transfer-encoding",
		signing.HeaderID, signing.HeaderTimestamp, signing.HeaderSignature:
		return true
	}
	return false
}

// retryAfter parses a Retry-After value, seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if strings.Trim(v, "0123456789") == "" && len(v) > 18 {
		// More seconds than int64 holds: the longest wait there is.
		return 365 * 24 * time.Hour
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(365*24*time.Hour/time.Second) {
			n = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// classify returns the class of a request error and a description free of
// the URL (which may hold a token).
func classify(err error, parent, rctx context.Context, byCutoff bool, timeout time.Duration) (string, string) {
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		uaErr   x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
		netErr  net.Error
	)
	switch {
	case errors.Is(err, dialguard.ErrBlocked):
		return ClassBlocked, sanitize(err)
	case parent.Err() != nil:
		return ClassInterrupted, "stopped while sending: the event will be sent again with the same id"
	case errors.Is(rctx.Err(), context.DeadlineExceeded) && byCutoff:
		return ClassInterrupted, "the time budget ended while sending: the event will be sent again with the same id"
	case errors.Is(rctx.Err(), context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return ClassTimeout, fmt.Sprintf("no complete answer within %s", timeout)
	case errors.As(err, &dnsErr):
		return ClassDNS, sanitize(err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused, sanitize(err)
	case errors.As(err, &certErr), errors.As(err, &uaErr), errors.As(err, &hostErr), errors.As(err, &invErr),
		errors.As(err, &recErr), errors.As(err, &alert):
		return ClassTLS, sanitize(err)
	}
	return ClassConnection, sanitize(err)
}

// sanitize returns an error's text without the URL that *url.Error adds.
func sanitize(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
