package emitter

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Content types of a subscription's body.
const (
	ContentJSON = "application/json"
	ContentForm = "application/x-www-form-urlencoded"
)

// Formats are the body shapes of receivers that accept nothing but their
// own: Slack and Microsoft Teams incoming webhooks, GitHub's
// repository_dispatch and GitLab's pipeline trigger API. The default, "",
// is the Flagship webhook contract.
const (
	FormatSlack          = "slack"
	FormatTeams          = "teams"
	FormatGitHubDispatch = "github_dispatch"
	FormatGitLabTrigger  = "gitlab_trigger"
)

// Formats returns the preset formats.
func Formats() []string {
	return []string{FormatSlack, FormatTeams, FormatGitHubDispatch, FormatGitLabTrigger}
}

// summary is the one line the chat presets say about an event.
const summary = "{{ .event }} `{{ .flag_key }}` in {{ .repository }} ({{ .branch }}, {{ .environment_name }}), commit {{ .commit.sha }} by {{ .user_id }}"

// preset returns the body shape and the content type of a format.
func preset(format string) (any, string) {
	switch format {
	case FormatSlack:
		return map[string]any{
			"text": summary,
			"blocks": []any{map[string]any{
				"type": "section",
				"text": map[string]any{"type": "mrkdwn", "text": summary},
			}},
		}, ContentJSON
	case FormatTeams:
		fact := func(title, value string) any { return map[string]any{"title": title, "value": value} }
		return map[string]any{
			"type": "message",
			"attachments": []any{map[string]any{
				"contentType": "application/vnd.microsoft.card.adaptive",
				"content": map[string]any{
					"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
					"type":    "AdaptiveCard",
					"version": "1.4",
					"body": []any{
						map[string]any{"type": "TextBlock", "weight": "Bolder", "wrap": true, "text": "{{ .event }}: {{ .flag_key }}"},
						map[string]any{"type": "FactSet", "facts": []any{
							fact("Repository", "{{ .repository }}"), fact("Branch", "{{ .branch }}"),
							fact("Environment", "{{ .environment_name }}"), fact("Commit", "{{ .commit.sha }}"),
							fact("By", "{{ .user_id }}"),
						}},
					},
				},
			}},
		}, ContentJSON
	case FormatGitHubDispatch:
		// GitHub takes at most 10 top-level properties in client_payload.
		return map[string]any{
			"event_type": "{{ .event }}",
			"client_payload": map[string]any{
				"event": "{{ .event }}", "flag_key": "{{ .flag_key }}",
				"environment_id": "{{ .environment_id }}", "environment_name": "{{ .environment_name }}",
				"account_id": "{{ .account_id }}", "repository": "{{ .repository }}", "branch": "{{ .branch }}",
				"commit": "{{ .commit }}", "user_id": "{{ .user_id }}", "references": "{{ .references }}",
			},
		}, ContentJSON
	case FormatGitLabTrigger:
		// The trigger token and the ref come from the payload parameters.
		return map[string]any{"variables": map[string]any{
			"FLAGSCAN_EVENT": "{{ .event }}", "FLAGSCAN_FLAG_KEY": "{{ .flag_key }}",
			"FLAGSCAN_ENVIRONMENT_ID": "{{ .environment_id }}", "FLAGSCAN_ENVIRONMENT_NAME": "{{ .environment_name }}",
			"FLAGSCAN_REPOSITORY": "{{ .repository }}", "FLAGSCAN_BRANCH": "{{ .branch }}",
			"FLAGSCAN_COMMIT_SHA": "{{ .commit.sha }}",
		}}, ContentForm
	}
	return nil, ""
}

// shape returns the subscription's body shape (nil for the Flagship
// contract) and its content type.
func (s *Subscription) shape() (any, string) {
	body, ct := s.Body, ContentJSON
	if s.Format != "" {
		body, ct = preset(s.Format)
	}
	if s.ContentType != "" {
		ct = s.ContentType
	}
	return body, ct
}

// checkShape checks the format, the body, the content type and every
// template of the subscription.
func (s *Subscription) checkShape() []error {
	var errs []error
	if s.Format != "" {
		if b, _ := preset(s.Format); b == nil {
			errs = append(errs, fmt.Errorf("format %q: use %s", s.Format, strings.Join(Formats(), ", ")))
		}
		if s.Body != nil {
			errs = append(errs, errors.New("has both format and body: give one"))
		}
	}
	switch s.ContentType {
	case "", ContentJSON, ContentForm:
	default:
		errs = append(errs, fmt.Errorf("content_type %q: use %s or %s", s.ContentType, ContentJSON, ContentForm))
	}
	if body, ct := s.shape(); ct == ContentForm {
		if _, ok := body.(map[string]any); !ok && body != nil {
			errs = append(errs, errors.New("a form-encoded body must be a mapping"))
		}
		if body == nil {
			errs = append(errs, fmt.Errorf("content_type %s needs a body or a format", ContentForm))
		}
	} else if body != nil {
		if _, ok := body.(map[string]any); !ok {
			errs = append(errs, errors.New("body must be a mapping (a JSON object)"))
		}
	}
	if s.Format == FormatGitLabTrigger {
		for _, p := range []string{"token", "ref"} {
			if _, ok := s.Payload[p]; !ok {
				errs = append(errs, fmt.Errorf("format %s needs the payload parameter %s (the trigger token, the ref to run)", FormatGitLabTrigger, p))
			}
		}
	}
	if err := checkValue(s.Body); err != nil {
		errs = append(errs, fmt.Errorf("body: %w", err))
	}
	for k, v := range s.Payload {
		if err := checkValue(v); err != nil {
			errs = append(errs, fmt.Errorf("payload %s: %w", k, err))
		}
	}
	for _, h := range s.Headers {
		if _, err := parseTemplate(h.Value.Reveal()); err != nil {
			errs = append(errs, fmt.Errorf("header %s: %w", h.Name, err))
		}
	}
	if base, query, _ := strings.Cut(s.URL, "?"); strings.Contains(base, "{{") {
		errs = append(errs, errors.New("url: placeholders may only be in the query"))
	} else if _, err := parseTemplate(query); err != nil {
		errs = append(errs, fmt.Errorf("url query: %w", err))
	}
	return errs
}

// Request is what a delivery sends: the subscription's URL, headers and
// body for one event.
type Request struct {
	URL         string
	Headers     []Header
	Body        []byte
	ContentType string
}

// Request returns the request that delivers the event whose JSON body is
// body: its placeholders filled from the event, the body in the
// subscription's shape with its payload parameters merged. For the
// Flagship contract the event's bytes are kept as they are, parameters
// after them. An error names the template at fault, never a value.
func (s *Subscription) Request(body []byte) (Request, error) {
	r := Request{URL: s.URL, ContentType: ContentJSON}
	var data map[string]any
	needData := strings.Contains(s.URL, "{{") || s.Format != "" || hasPlaceholders(s.Body) || hasPlaceholders(s.Payload)
	for _, h := range s.Headers {
		needData = needData || strings.Contains(h.Value.Reveal(), "{{")
	}
	if needData {
		if err := json.Unmarshal(body, &data); err != nil || data == nil {
			return r, errors.New("the event's body is not a JSON object")
		}
	}
	if base, query, ok := strings.Cut(s.URL, "?"); ok && strings.Contains(query, "{{") {
		t, err := parseTemplate(query)
		if err != nil {
			return r, fmt.Errorf("url query: %w", err)
		}
		q, err := t.render(data, url.QueryEscape)
		if err != nil {
			return r, fmt.Errorf("url query: %w", err)
		}
		r.URL = base + "?" + q
	}
	for _, h := range s.Headers {
		v := h.Value.Reveal()
		if strings.Contains(v, "{{") {
			t, err := parseTemplate(v)
			if err != nil {
				return r, fmt.Errorf("header %s: %w", h.Name, err)
			}
			// A value from the event must not end the header: line
			// breaks become spaces.
			if v, err = t.render(data, oneHeaderLine); err != nil {
				return r, fmt.Errorf("header %s: %w", h.Name, err)
			}
		}
		r.Headers = append(r.Headers, Header{Name: h.Name, Value: Secret(v)})
	}
	payload := s.Payload
	if hasPlaceholders(payload) {
		rendered, err := renderValue(map[string]any(payload), data)
		if err != nil {
			return r, fmt.Errorf("payload %w", err)
		}
		payload = rendered.(map[string]any)
	}
	shape, ct := s.shape()
	r.ContentType = ct
	if shape == nil {
		merged, err := MergePayload(body, payload)
		r.Body = merged
		return r, err
	}
	rendered, err := renderValue(shape, data)
	if err != nil {
		return r, fmt.Errorf("body: %w", err)
	}
	obj := rendered.(map[string]any)
	for k, v := range payload {
		if _, taken := obj[k]; !taken {
			obj[k] = v
		}
	}
	if ct == ContentForm {
		r.Body = []byte(formEncode(obj))
		return r, nil
	}
	r.Body, err = json.Marshal(obj)
	if err != nil {
		return r, errors.New("the body cannot be encoded as JSON")
	}
	return r, nil
}

func oneHeaderLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return ' '
		}
		return r
	}, s)
}

// formEncode encodes an object as form fields, nested objects as
// key[sub], as Rails and GitLab's API read them (variables[NAME]=value);
// lists and other values that are not text are JSON.
func formEncode(obj map[string]any) string {
	vals := url.Values{}
	var add func(prefix string, v any)
	add = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, e := range m {
				add(prefix+"["+k+"]", e)
			}
			return
		}
		vals.Add(prefix, text(v))
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(k, obj[k])
	}
	return vals.Encode()
}
