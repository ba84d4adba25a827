// Package event is the contract of flag reference events: the event types,
// the body with the Flagship webhook contract's fields and flagscan's
// additions (docs/events.md), the event id, and the encoding of a body.
// The analyzer produces events, the emitter queues and sends them, the
// configuration checks the types a webhook names: all through this
// package, which knows nothing of git, stores or HTTP.
package event

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The event types of the Flagship webhook contract that flagscan emits.
const (
	FlagNew     = "Flag.new"
	FlagDeleted = "Flag.deleted"
)

// platformTypes are the Flagship platform's own event types: a
// subscription may name only flagscan's.
var platformTypes = []string{"Feature.active", "Feature.paused", "Feature.state", "Environment.sync"}

// Types returns the event types flagscan emits.
func Types() []string { return []string{FlagNew, FlagDeleted} }

// CheckType checks an event type a subscription names: Flag.new or
// Flag.deleted, with a word for a platform type or a case slip.
func CheckType(t string) error {
	switch t {
	case FlagNew, FlagDeleted:
		return nil
	}
	for _, p := range platformTypes {
		if t == p {
			return fmt.Errorf("%s is a platform event, which flagscan does not emit (it emits %s and %s)", t, FlagNew, FlagDeleted)
		}
	}
	for _, e := range Types() {
		if strings.EqualFold(t, e) {
			return fmt.Errorf("unknown event type %q: did you mean %s?", t, e)
		}
	}
	return fmt.Errorf("unknown event type %q (flagscan emits %s and %s)", t, FlagNew, FlagDeleted)
}

// DateLayout is the layout of an event's date: ISO-8601 with a numeric
// offset, never "Z", as the contract's example has it:
// 2005-08-15T15:52:01+00:00.
const DateLayout = "2006-01-02T15:04:05-07:00"

// Contract is the fields of the Flagship webhook contract's event body, in
// the contract's order.
type Contract struct {
	Event           string `json:"event"`
	UserID          string `json:"user_id"`
	UserEmail       string `json:"user_email"`
	UserRole        string `json:"user_role"`
	Date            string `json:"date"` // formatted with DateLayout
	AccountID       string `json:"account_id"`
	AccountName     string `json:"account_name"`
	EnvironmentID   string `json:"environment_id"`
	EnvironmentName string `json:"environment_name"`
	FlagKey         string `json:"flag_key"`
}

// Body is the JSON body of a Flag.new or Flag.deleted event: the contract's
// fields, then the documented additions (docs/events.md).
type Body struct {
	Contract

	Repository string      `json:"repository"`
	Branch     string      `json:"branch"`
	Commit     Commit      `json:"commit"`
	References []Reference `json:"references"`
	// ReferencesCount is how many references the key has (had), of which
	// References holds the first MaxReferences, or fewer if they would make
	// the body too large (ReferencesTruncated). A key referenced 30,000
	// times must not make an event that can never be sent.
	ReferencesCount     int  `json:"references_count"`
	ReferencesTruncated bool `json:"references_truncated,omitempty"`
	// Request, for the events of a pull or merge request that is not
	// merged (a subscription's pull_request scope), says which.
	Request *Request `json:"request,omitempty"`
}

// Bounds of a body's variable parts, well under the emitter's 1 MiB bound
// of a request (payload parameters are added to the body).
const (
	// MaxReferences is the most references a body lists.
	MaxReferences = 100
	// MaxReferenceBytes bounds the encoded size of the references listed.
	MaxReferenceBytes = 256 << 10
	// MaxMessageBytes bounds the commit message a body carries.
	MaxMessageBytes = 16 << 10
)

// SetReferences sets the references of b: the first of refs within
// MaxReferences and MaxReferenceBytes, and how many there are.
func (b *Body) SetReferences(refs []Reference) {
	b.ReferencesCount = len(refs)
	b.References = make([]Reference, 0, min(len(refs), MaxReferences))
	size := 0
	for _, r := range refs {
		// The size of its JSON encoding, near enough: the fields and
		// their escapes.
		n := 48 + 2*(len(r.Path)+len(r.Code)+len(r.URL))
		if len(b.References) == MaxReferences || size+n > MaxReferenceBytes {
			b.ReferencesTruncated = true
			return
		}
		size += n
		b.References = append(b.References, r)
	}
}

// ClipMessage returns a commit message cut to MaxMessageBytes (at a
// character boundary), marked with an ellipsis when cut.
func ClipMessage(m string) string {
	if len(m) <= MaxMessageBytes {
		return m
	}
	cut := MaxMessageBytes
	for cut > 0 && !utf8.RuneStart(m[cut]) {
		cut--
	}
	return m[:cut] + "…"
}

// Commit is the commit that introduced or removed a key.
type Commit struct {
	SHA         string `json:"sha"`
	AuthorName  string `json:"author_name"`
	AuthorEmail string `json:"author_email"`
	Time        string `json:"time"`
	Message     string `json:"message"`
	URL         string `json:"url,omitempty"`
}

// Reference is where a key is referenced: for Flag.new its references, for
// Flag.deleted the last ones it had.
type Reference struct {
	Path string `json:"path"`
	Line int    `json:"line"`
	Code string `json:"code"`
	URL  string `json:"url,omitempty"`
}

// Event is one event: its id and its body.
type Event struct {
	ID   string // stable: the same transition analyzed twice has the same id
	Body Body
}

// Encode returns the event's body as it is sent, before a subscription's
// payload parameters are merged in.
func (e Event) Encode() []byte {
	b, err := json.Marshal(e.Body)
	if err != nil {
		panic(err) // Body has only strings, ints and slices of them
	}
	return b
}

// ID derives an event's id from what identifies the transition, so that
// analyzing the same push twice, or again after losing the database, names
// the same event: the webhook-id receivers deduplicate by.
func ID(repo, branch, env, typ, key, commit string) string {
	h := sha256.New()
	for _, part := range []string{repo, branch, env, typ, key, commit} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "flg_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Request is the pull or merge request the events of an unmerged change
// are of.
type Request struct {
	Kind   string `json:"kind"` // pull_request or merge_request
	Number int    `json:"number"`
	URL    string `json:"url,omitempty"`
	Base   string `json:"base"` // the merge base the change is measured from
	Head   string `json:"head"`
}
