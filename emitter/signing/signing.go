// Package signing signs and verifies webhook requests per the Standard
// Webhooks specification: the headers webhook-id, webhook-timestamp (Unix
// seconds) and webhook-signature ("v1," and the base64 HMAC-SHA256, keyed
// with the secret's bytes, of "id.timestamp.body"). Secrets are written
// "whsec_" followed by the key in base64.
package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks request headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every secret.
const SecretPrefix = "whsec_"

// DefaultTolerance is how far a request's timestamp may be from the
// receiver's clock, either way, before Verify refuses it as a replay.
const DefaultTolerance = 5 * time.Minute

// Key is a signing key. It never prints its bytes.
type Key struct{ k []byte }

// NewKey decodes a secret, "whsec_<base64>". Its errors never quote the
// secret.
func NewKey(secret string) (Key, error) {
	b64, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return Key{}, errors.New("must look like whsec_<base64> (the value is not shown)")
	}
	k, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(k) == 0 {
		return Key{}, errors.New("the part after whsec_ is not base64 (the value is not shown)")
	}
	return Key{k}, nil
}

// NewSecret returns the secret for the key bytes random, e.g. 24 bytes from
// crypto/rand, for people setting up a receiver.
func NewSecret(random []byte) string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(random)
}

// String hides the key.
func (k Key) String() string { return "REDACTED" }

// GoString hides the key.
func (k Key) GoString() string { return "signing.Key(REDACTED)" }

// IsZero reports whether k is the zero Key, which signs nothing.
func (k Key) IsZero() bool { return len(k.k) == 0 }

// Sign returns the webhook-signature value for the message id sent at ts
// with body: "v1," and the base64 HMAC-SHA256 of "id.timestamp.body".
func (k Key) Sign(id string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(k.mac(id, ts.Unix(), body))
}

func (k Key) mac(id string, unix int64, body []byte) []byte {
	m := hmac.New(sha256.New, k.k)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(strconv.FormatInt(unix, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// SetHeaders sets the three webhook-* headers of a request carrying body as
// message id at ts. With the zero Key, webhook-signature is left out.
func (k Key) SetHeaders(h http.Header, id string, ts time.Time, body []byte) {
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	if !k.IsZero() {
		h.Set(HeaderSignature, k.Sign(id, ts, body))
	}
}

// Errors of Verify.
var (
	ErrMissingHeaders = errors.New("missing webhook-id, webhook-timestamp or webhook-signature header")
	ErrBadTimestamp   = errors.New("webhook-timestamp is not a Unix time in seconds")
	ErrTooOld         = errors.New("webhook-timestamp is too old")
	ErrTooNew         = errors.New("webhook-timestamp is too far in the future")
	ErrNoMatch        = errors.New("no signature matches")
)

// Verify checks a received request's headers and body against the key, as a
// receiver does: one of the space-separated v1 signatures must match, and
// the timestamp must be within tolerance of now (tolerance <= 0 skips that
// check).
func (k Key) Verify(h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return ErrMissingHeaders
	}
	unix, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if tolerance > 0 {
		ts := time.Unix(unix, 0)
		if now.Sub(ts) > tolerance {
			return ErrTooOld
		}
		if ts.Sub(now) > tolerance {
			return ErrTooNew
		}
	}
	want := k.mac(id, unix, body)
	for _, s := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("%w for webhook-id %s", ErrNoMatch, id)
}
