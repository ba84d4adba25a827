// Package emitter turns the analyzer's Flag.new and Flag.deleted events into
// signed webhook requests that reach their receivers at least once, in order,
// even across crashes and day-long outages (docs/spec/events.md).
//
// The way through, one sub-package per step:
//
//	analyzer -> outbox.Enqueue   events and one delivery row per subscription,
//	                             in the analyzer's own SQLite transaction
//	         -> deliver          claim due deliveries with a lease, sign
//	                             (signing), POST through a guarded dialer
//	                             (dialguard), record the attempt, retry or
//	                             give up
//
// This package holds what they share: the Subscription, as the
// configuration describes it, and the merging of a subscription's extra
// payload parameters into an event's body.
package emitter

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"net/url"
	"strings"

	"github.com/flagscan/flagscan/emitter/signing"
)

// Secret is a value that must never be shown: a signing secret, a header
// value holding a token. fmt prints it as REDACTED (or nothing when empty);
// Reveal returns it.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns REDACTED, or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// GoString returns String quoted, so that %#v hides the value too.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// MarshalText returns String's text, so that JSON, YAML and slog hide the
// value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Header is an extra request header of a subscription.
type Header struct {
	Name  string
	Value Secret
}

// Subscription is a webhook subscription: which events go where, signed
// with which secret. Subscriptions come from the configuration each time a
// process starts; the database knows them only by ID, with their
// description and a redacted URL for display, never their secret, headers
// or payload.
type Subscription struct {
	// ID identifies the subscription across restarts; SubscriptionID derives
	// it from the description and the URL.
	ID string
	// Description is plain text, for people; it names the subscription in
	// messages and on the command line.
	Description string
	// URL is the absolute http or https URL the POST goes to.
	URL string
	// Events are the event types delivered: Flag.new, Flag.deleted.
	Events []string
	// Secret is the signing secret, "whsec_" followed by base64, or empty
	// for unsigned requests.
	Secret Secret
	// Headers are extra request headers, in order. They never replace
	// Content-Type or the webhook-* signature headers.
	Headers []Header
	// Payload holds extra body parameters, merged into the JSON body at send
	// time; they never replace a field the event's body has. String values
	// may hold placeholders ({{ .flag_key }}), as may header values and the
	// URL's query.
	Payload map[string]any
	// Format is the body's shape: "" for the Flagship contract, or one of
	// Formats for a receiver that accepts nothing else.
	Format string
	// Body, when set, is the body's own shape: a mapping decoded from YAML
	// whose strings may hold placeholders. It does not go with Format.
	Body any
	// ContentType is ContentJSON (the default) or ContentForm.
	ContentType string
	// Scopes are what the events are of: ScopePush (the default, when
	// empty), ScopePullRequest or both.
	Scopes []string
}

// Scopes of events: of what a branch holds, or of a pull or merge request
// that is not merged.
const (
	ScopePush        = "push"
	ScopePullRequest = "pull_request"
)

// WantsScope reports whether the subscription listens to events of scope
// ("" is ScopePush).
func (s *Subscription) WantsScope(scope string) bool {
	if scope == "" {
		scope = ScopePush
	}
	if len(s.Scopes) == 0 {
		return scope == ScopePush
	}
	for _, sc := range s.Scopes {
		if sc == scope {
			return true
		}
	}
	return false
}

// SubscriptionID returns the stable ID of the subscription with that
// description and URL: "sub_" and 16 hex digits of a SHA-256 over both.
// Changing either makes a new subscription; the secret, headers and
// payload may change freely.
func SubscriptionID(description, url string) string {
	h := sha256.New()
	h.Write([]byte("flagscan subscription\x00"))
	h.Write([]byte(description))
	h.Write([]byte{0})
	h.Write([]byte(url))
	return "sub_" + hex.EncodeToString(h.Sum(nil)[:8])
}

// Wants reports whether the subscription listens to events of type t.
func (s *Subscription) Wants(t string) bool {
	for _, e := range s.Events {
		if e == t {
			return true
		}
	}
	return false
}

// Validate checks the subscription. Its errors name the subscription by
// description and never quote the URL, the secret or a header value.
func (s *Subscription) Validate() error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("webhook %q: "+format, append([]any{s.Description}, args...)...))
	}
	if s.ID == "" {
		fail("has no ID (use emitter.SubscriptionID)")
	}
	if strings.TrimSpace(s.Description) == "" {
		fail("has no description")
	}
	if err := CheckURL(s.URL); err != nil {
		fail("url %v", err)
	}
	if len(s.Events) == 0 {
		fail("has no event types: %s, %s or both", event.FlagNew, event.FlagDeleted)
	}
	for _, e := range s.Events {
		if err := event.CheckType(e); err != nil {
			fail("%v", err)
		}
	}
	if s.Secret != "" {
		if _, err := signing.NewKey(s.Secret.Reveal()); err != nil {
			fail("secret: %v", err)
		}
	}
	for _, sc := range s.Scopes {
		if sc != ScopePush && sc != ScopePullRequest {
			fail("scope %q: use %s or %s", sc, ScopePush, ScopePullRequest)
		}
	}
	for _, err := range s.checkShape() {
		fail("%v", err)
	}
	for _, h := range s.Headers {
		if strings.ContainsAny(h.Value.Reveal(), "\r\n\x00") {
			fail("header %s: the value holds a line break or a NUL character (the value is not shown)", h.Name)
		}
	}
	return errors.Join(errs...)
}

// String describes the subscription with its URL's path and query hidden.
func (s Subscription) String() string {
	return fmt.Sprintf("webhook %q %v -> %s", s.Description, s.Events, RedactURL(s.URL))
}

// GoString returns String, so that %#v hides the secret, headers and payload.
func (s Subscription) GoString() string { return s.String() }

// MarshalJSON describes the subscription with its secret, header values,
// payload values and URL path and query replaced by REDACTED.
func (s Subscription) MarshalJSON() ([]byte, error) {
	headers := make([]map[string]string, 0, len(s.Headers))
	for _, h := range s.Headers {
		headers = append(headers, map[string]string{"name": h.Name, "value": h.Value.String()})
	}
	payload := make(map[string]string, len(s.Payload))
	for k := range s.Payload {
		payload[k] = "REDACTED"
	}
	return json.Marshal(struct {
		ID          string              `json:"id"`
		Description string              `json:"description"`
		URL         string              `json:"url"`
		Events      []string            `json:"events"`
		Secret      Secret              `json:"secret,omitempty"`
		Headers     []map[string]string `json:"headers,omitempty"`
		Payload     map[string]string   `json:"payload,omitempty"`
	}{s.ID, s.Description, RedactURL(s.URL), s.Events, s.Secret, headers, payload})
}

// hold a token.
func CheckURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("is not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an absolute http:// or https:// URL")
	case u.Hostname() == "":
		return errors.New("has no host")
	case u.User != nil:
		return errors.New("must not hold a user name or password: use a header")
	}
	return nil
}

// RedactURL returns the scheme and host of u, followed by /REDACTED when u
// has more (a path, a query or a fragment, which may hold tokens).
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "REDACTED"
	}
	s := p.Scheme + "://" + p.Host
	if (p.Path != "" && p.Path != "/") || p.RawQuery != "" || p.Fragment != "" {
		s += "/REDACTED"
	}
	return s
}
