package emitter

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// A template is text with placeholders, {{ .flag_key }} or
// {{ .commit.sha }}, that name a field of the event's body (docs/events.md)
// by its JSON name, dotted into objects. It is deliberately smaller than
// text/template: a receiver's shape needs values put in place, and each
// value is escaped for where it lands (a JSON value, a URL query, a header,
// a form field), which a template language with logic and functions could
// not promise; nor can a template run loops or read the environment.
type template struct {
	parts []templatePart
}

type templatePart struct {
	text string   // literal text, when path is nil
	path []string // the field a placeholder names
}

// ErrTemplate is wrapped by the errors of placeholders that name no field
// of an event: the delivery fails and is retried like any other, so that
// a configuration fixed meanwhile sends it.
var ErrTemplate = errors.New("placeholder")

// parseTemplate parses s. An unterminated placeholder, or one that is not
// a dotted field name, is an error that quotes the placeholder only.
func parseTemplate(s string) (template, error) {
	var t template
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if s != "" {
				t.parts = append(t.parts, templatePart{text: s})
			}
			return t, nil
		}
		if i > 0 {
			t.parts = append(t.parts, templatePart{text: s[:i]})
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return template{}, errors.New("a placeholder {{ is not closed with }}")
		}
		expr := strings.TrimSpace(s[i+2 : i+j])
		path, err := fieldPath(expr)
		if err != nil {
			return template{}, err
		}
		t.parts = append(t.parts, templatePart{path: path})
		s = s[i+j+2:]
	}
}

// fieldPath parses ".a.b" into its names.
func fieldPath(expr string) ([]string, error) {
	if !strings.HasPrefix(expr, ".") || len(expr) < 2 {
		return nil, fmt.Errorf("placeholder {{ %s }}: want a field of the event such as {{ .flag_key }} or {{ .commit.sha }}", expr)
	}
	path := strings.Split(expr[1:], ".")
	for _, p := range path {
		if p == "" || strings.IndexFunc(p, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) >= 0 {
			return nil, fmt.Errorf("placeholder {{ %s }}: want a field of the event such as {{ .flag_key }} or {{ .commit.sha }}", expr)
		}
	}
	return path, nil
}

// CheckTemplate checks the placeholders of s, as the configuration is
// loaded.
func CheckTemplate(s string) error {
	_, err := parseTemplate(s)
	return err
}

// lookup returns the value a path names in data, the event's body decoded
// from JSON. A missing field is an error naming the path.
func lookup(data map[string]any, path []string) (any, error) {
	var v any = data
	for i, name := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w {{ .%s }}: %s is not an object", ErrTemplate, strings.Join(path, "."), strings.Join(path[:i], "."))
		}
		if v, ok = m[name]; !ok {
			return nil, fmt.Errorf("%w {{ .%s }}: the event has no such field", ErrTemplate, strings.Join(path, "."))
		}
	}
	return v, nil
}

// text returns a value as text: strings as they are, numbers and booleans
// as JSON writes them, objects and lists as JSON.
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// render fills the placeholders of t from data, each value escaped by esc
// (nil: as it is).
func (t template) render(data map[string]any, esc func(string) string) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.path == nil {
			b.WriteString(p.text)
			continue
		}
		v, err := lookup(data, p.path)
		if err != nil {
			return "", err
		}
		s := text(v)
		if esc != nil {
			s = esc(s)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// value renders a YAML-decoded value whose strings are templates into the
// value sent: a string that is one placeholder and nothing else becomes
// the field's value itself, of whatever JSON type (a list of references
// stays a list); other strings are rendered as text; maps and lists are
// rendered member by member.
func renderValue(v any, data map[string]any) (any, error) {
	switch x := v.(type) {
	case string:
		t, err := parseTemplate(x)
		if err != nil {
			return nil, err
		}
		if len(t.parts) == 1 && t.parts[0].path != nil {
			return lookup(data, t.parts[0].path)
		}
		return t.render(data, nil)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := renderValue(e, data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := renderValue(e, data)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// checkValue parses every template of a YAML-decoded value.
func checkValue(v any) error {
	switch x := v.(type) {
	case string:
		_, err := parseTemplate(x)
		return err
	case map[string]any:
		for k, e := range x {
			if err := checkValue(e); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	case []any:
		for i, e := range x {
			if err := checkValue(e); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
	}
	return nil
}

// hasPlaceholders reports whether a YAML-decoded value holds a template.
func hasPlaceholders(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, "{{")
	case map[string]any:
		for _, e := range x {
			if hasPlaceholders(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasPlaceholders(e) {
				return true
			}
		}
	}
	return false
}
