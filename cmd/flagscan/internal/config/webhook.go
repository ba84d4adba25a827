package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/emitter"

	"go.yaml.in/yaml/v3"
)

// Webhook is a subscription: where to POST which events (docs/spec/events.md).
// URL, Secret, header values and string payload values have had their
// ${NAME} references expanded.
type Webhook struct {
	// Description is plain text, for people.
	Description string
	// Events are the event types delivered: Flag.new, Flag.deleted.
	Events []string
	// URL is the absolute http or https URL the POST goes to.
	URL string
	// Secret is the signing secret, "whsec_" followed by base64, or empty
	// for unsigned requests.
	Secret Secret
	// Headers are extra request headers, in the file's order.
	Headers []Header
	// Payload holds extra body parameters, merged into the JSON body; they
	// never replace a contract field. Values are as YAML decodes them, with
	// mappings as map[string]any and lists as []any.
	Payload map[string]any
	// Format is the body's shape: "" for the Flagship contract, or a
	// preset (slack, teams, github_dispatch, gitlab_trigger).
	Format string
	// Body is the body's own shape, a mapping whose strings may hold
	// placeholders; nil for the Flagship contract or a Format.
	Body map[string]any
	// ContentType is "" (JSON) or application/x-www-form-urlencoded.
	ContentType string
	// Scopes are push (the default), pull_request or both: whether the
	// webhook gets the events of unmerged pull and merge requests.
	Scopes []string
	// Line is the line of the file where the subscription starts.
	Line int
}

// Header is an extra HTTP request header of a webhook.
type Header struct {
	Name  string
	Value Secret
}

func (d *decoder) webhooks(n *yaml.Node, path string) []Webhook {
	var hooks []Webhook
	// The description and the URL identify a subscription (its deliveries
	// are keyed by them): two entries with both the same would share
	// deliveries, so the file is refused here, naming both, rather than
	// by deliver later.
	type entry struct {
		path string
		line int
	}
	seen := map[[2]string]entry{}
	for i, item := range d.items(n, path) {
		p := index(path, i)
		w := Webhook{Line: item.Line}
		// The description names the subscription in messages about
		// variables, whichever key comes first.
		desc := p
		if v := child(item, "description"); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
			desc = v.Value
		}
		x := expander{d: d, webhook: desc}
		if !d.fields(item, p,
			field{"description", func(p string, v *yaml.Node) { w.Description, _ = d.str(v, p) }},
			field{"events", func(p string, v *yaml.Node) { w.Events = dedupe(d.strs(v, p, checkEvent)) }},
			field{"url", func(p string, v *yaml.Node) {
				if u, ok := x.string(v, p); ok {
					if err := checkURL(u); err != nil {
						// Quote the URL as written: its expansion may hold a token.
						d.errorf(v, p, "%q: %v", v.Value, err)
					}
					w.URL = u
				}
			}},
			field{"secret", func(p string, v *yaml.Node) {
				if s, ok := x.string(v, p); ok {
					if err := checkSecret(s); err != nil {
						d.errorf(v, p, "%v", err)
					}
					w.Secret = Secret(s)
				}
			}},
			field{"headers", func(p string, v *yaml.Node) { w.Headers = x.headers(v, p) }},
			field{"payload", func(p string, v *yaml.Node) { w.Payload = x.payload(v, p) }},
			field{"body", func(p string, v *yaml.Node) {
				if v.Kind != yaml.MappingNode {
					d.errorf(v, p, "must be a mapping (the body's fields)")
					return
				}
				w.Body, _ = x.value(v, p).(map[string]any)
			}},
			field{"format", func(p string, v *yaml.Node) {
				if f, ok := d.str(v, p); ok {
					if !slices.Contains(emitter.Formats(), f) {
						d.errorf(v, p, "%q: use %s", f, strings.Join(emitter.Formats(), ", "))
					}
					w.Format = f
				}
			}},
			field{"scopes", func(p string, v *yaml.Node) {
				w.Scopes = dedupe(d.strs(v, p, func(s string) (string, error) {
					if s != emitter.ScopePush && s != emitter.ScopePullRequest {
						return "", fmt.Errorf("%q: use %s or %s", s, emitter.ScopePush, emitter.ScopePullRequest)
					}
					return s, nil
				}))
			}},
			field{"content_type", func(p string, v *yaml.Node) {
				if ct, ok := d.str(v, p); ok {
					if ct != emitter.ContentJSON && ct != emitter.ContentForm {
						d.errorf(v, p, "%q: use %s or %s", ct, emitter.ContentJSON, emitter.ContentForm)
					}
					w.ContentType = ct
				}
			}},
		) {
			continue
		}
		d.required(item, p, "description", w.Description)
		if child(item, "url") == nil {
			d.errorf(item, p+".url", "is required")
		}
		if w.Format != "" && w.Body != nil {
			d.errorf(item, p+".body", "does not go with format %s: give one", w.Format)
		}
		if noItems(child(item, "events")) {
			d.errorf(item, p+".events", "is required: %s, %s or both", event.FlagNew, event.FlagDeleted)
		}
		id := [2]string{w.Description, w.URL}
		if first, ok := seen[id]; ok && w.Description != "" && w.URL != "" {
			// The URL is not shown: its expansion may hold a token.
			d.errorf(item, p, "has the description and url of %s (line %d): one subscription per description and url", first.path, first.line)
			continue
		}
		seen[id] = entry{p, item.Line}
		hooks = append(hooks, w)
	}
	return hooks
}

// checkEvent checks an event type of a subscription.
func checkEvent(s string) (string, error) {
	if err := event.CheckType(s); err != nil {
		return "", err
	}
	return s, nil
}

// checkURL checks a webhook URL; its error does not quote it.
func checkURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("is not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an absolute http:// or https:// URL")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("has no host")
	}
	return nil
}

// checkSecret checks a signing secret; its error does not quote it.
func checkSecret(s string) error {
	b64, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return errors.New("must look like whsec_<base64> (the value is not shown)")
	}
	if key, err := base64.StdEncoding.DecodeString(b64); err != nil || len(key) == 0 {
		return errors.New("must look like whsec_<base64>: the part after whsec_ is not base64 (the value is not shown)")
	}
	return nil
}

// reservedHeader reports whether name is a request header flagscan sets
// itself.
func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "content-type", "content-length", "host", "webhook-id", "webhook-timestamp", "webhook-signature":
		return true
	}
	return false
}

// contractField reports whether a payload key is, or might be taken for, a
// field of the webhook contract or one of flagscan's additions to it.
func contractField(key string) bool {
	switch strings.ToLower(key) {
	case "event", "user_id", "user_email", "user_role", "date",
		"account_id", "account_name", "environment_id", "environment_name", "flag_key",
		"repository", "branch", "commit", "references":
		return true
	}
	return false
}

// An expander decodes the values of a webhook that may reference
// environment variables.
type expander struct {
	d       *decoder
	webhook string // the subscription's description, for messages
}

// string decodes the string n and expands it.
func (x expander) string(n *yaml.Node, path string) (string, bool) {
	s, ok := x.d.str(n, path)
	if !ok {
		return "", false
	}
	return x.expand(n, path, s)
}

// expand returns s with each ${NAME} replaced by the variable's value. A
// malformed reference or an unset variable is an error, and ok is false.
// Messages name variables, never their values.
func (x expander) expand(n *yaml.Node, path, s string) (string, bool) {
	var b strings.Builder
	ok := true
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			x.d.errorf(n, path, "unterminated ${ (webhook %q)", x.webhook)
			return "", false
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if !validVarName(name) {
			x.d.errorf(n, path, "${%s} is not a variable reference: names are letters, digits and _ (webhook %q)", name, x.webhook)
			ok = false
			continue
		}
		v, set := x.d.lookup(name)
		if !set {
			x.d.errorf(n, path, "environment variable %s is not set (webhook %q)", name, x.webhook)
			ok = false
			continue
		}
		if strings.Contains(v, "{{") {
			// It would be read as a placeholder, which the file's author
			// did not write.
			x.d.errorf(n, path, "environment variable %s holds {{, which would be read as a placeholder (webhook %q)", name, x.webhook)
			ok = false
			continue
		}
		b.WriteString(v)
	}
	if out := b.String(); ok && strings.Contains(out, "{{") {
		if err := emitter.CheckTemplate(out); err != nil {
			x.d.errorf(n, path, "%v (webhook %q)", err, x.webhook)
			return "", false
		}
	}
	return b.String(), ok
}

func validVarName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '_' && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func (x expander) headers(n *yaml.Node, path string) []Header {
	var hs []Header
	first := make(map[string]string) // lower-cased name -> name
	x.d.pairs(n, path, func(name string, k, v *yaml.Node) {
		p := join(path, name)
		lower := strings.ToLower(name)
		switch other, dup := first[lower]; {
		case !validHeaderName(name):
			x.d.errorf(k, p, "%q is not a valid header name", name)
			return
		case reservedHeader(name):
			x.d.errorf(k, p, "%s is set by flagscan and cannot be overridden", name)
			return
		case dup:
			x.d.errorf(k, p, "repeats header %s (header names are case-insensitive)", other)
			return
		}
		first[lower] = name
		if isNull(v) {
			x.d.errorf(v, p, "needs a value")
			return
		}
		val, ok := x.string(v, p)
		if !ok {
			return
		}
		if strings.ContainsAny(val, "\r\n\x00") {
			x.d.errorf(v, p, "the value holds a line break or a NUL character (the value is not shown)")
			return
		}
		hs = append(hs, Header{Name: name, Value: Secret(val)})
	})
	return hs
}

// validHeaderName reports whether s is an HTTP token (RFC 9110).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func (x expander) payload(n *yaml.Node, path string) map[string]any {
	m := make(map[string]any)
	x.d.pairs(n, path, func(key string, k, v *yaml.Node) {
		if contractField(key) {
			x.d.errorf(k, join(path, key), "%s is a field of the webhook contract: payload parameters never replace one", key)
			return
		}
		m[key] = x.value(v, join(path, key))
	})
	return m
}

// value converts the payload value n to what encoding/json encodes the same.
func (x expander) value(n *yaml.Node, path string) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any)
		x.d.pairs(n, path, func(key string, _, v *yaml.Node) { m[key] = x.value(v, join(path, key)) })
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			s[i] = x.value(resolve(item), index(path, i))
		}
		return s
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			x.d.errorf(n, path, "%s: %v", show(n), err)
			return nil
		}
		if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
			x.d.errorf(n, path, "%s is not a number JSON can carry", show(n))
			return nil
		}
		return v
	}
	s, _ := x.expand(n, path, n.Value)
	return s
}
