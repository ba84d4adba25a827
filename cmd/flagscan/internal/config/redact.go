package config

import (
	"fmt"
	"maps"
	"net/url"
	"slices"

	"go.yaml.in/yaml/v3"
)

const redacted = "REDACTED"

// Secret is a string that must not be shown, such as a webhook's signing
// secret or a header value holding a token. fmt (String, GoString), YAML,
// JSON and slog (MarshalText) print it as REDACTED, or as nothing when it is
// empty; Reveal returns the value.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns REDACTED, or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns String quoted.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// MarshalText returns String's text.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// String describes the subscription on one line with what may hold a token
// hidden, as Config.String does.
func (w Webhook) String() string {
	return fmt.Sprintf("webhook %q %v -> %s", w.Description, w.Events, redactURL(w.URL))
}

// GoString returns String, so that %#v hides what may hold a token too.
func (w Webhook) GoString() string { return w.String() }

// MarshalYAML describes the subscription with its secret, header values,
// payload values and URL path and query replaced by REDACTED.
func (w Webhook) MarshalYAML() (any, error) {
	var headers, payload *yaml.Node
	if len(w.Headers) > 0 {
		headers = &yaml.Node{Kind: yaml.MappingNode}
	}
	for _, h := range w.Headers {
		headers.Content = append(headers.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: h.Name},
			&yaml.Node{Kind: yaml.ScalarNode, Value: h.Value.String()})
	}
	keys := slices.Sorted(maps.Keys(w.Payload))
	if len(keys) > 0 {
		payload = &yaml.Node{Kind: yaml.MappingNode}
	}
	for _, k := range keys {
		payload.Content = append(payload.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: k},
			&yaml.Node{Kind: yaml.ScalarNode, Value: redacted})
	}
	return struct {
		Description string     `yaml:"description"`
		Events      []string   `yaml:"events"`
		URL         string     `yaml:"url"`
		Secret      Secret     `yaml:"secret,omitempty"`
		Headers     *yaml.Node `yaml:"headers,omitempty"`
		Payload     *yaml.Node `yaml:"payload,omitempty"`
	}{w.Description, w.Events, redactURL(w.URL), w.Secret, headers, payload}, nil
}

// redactURL returns the scheme and host of the URL u, followed by /REDACTED
// when u has more (a path, a query or a fragment, which may hold tokens).
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return redacted
	}
	s := p.Scheme + "://" + p.Host
	if (p.Path != "" && p.Path != "/") || p.RawQuery != "" || p.Fragment != "" {
		s += "/" + redacted
	}
	return s
}
