package emitter_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/emitter"
)

var update = flag.Bool("update", false, "rewrite testdata/default-body.json")

// sampleEvent is an event whose fields hold what a value from pushed code
// may: quotes, a line break, characters a URL must escape.
func sampleEvent() event.Event {
	e := event.Event{ID: "flg_1", Body: event.Body{
		Contract: event.Contract{
			Event: event.FlagNew, UserID: "ada", UserEmail: "ada@example.com", UserRole: "dev",
			Date: "2026-03-01T10:00:00+00:00", AccountID: "acc_1", AccountName: "Acme",
			EnvironmentID: "env_web", EnvironmentName: "web", FlagKey: `new "checkout" & co`,
		},
		Repository: "acme/app", Branch: "main",
		Commit: event.Commit{SHA: "1111111111111111111111111111111111111111", AuthorName: "Ada", AuthorEmail: "ada@example.com",
			Time: "2026-03-01T10:00:00+00:00", Message: "two\nlines"},
	}}
	e.Body.SetReferences([]event.Reference{{Path: "web/a.ts", Line: 3, Code: `getFlag("x")`}})
	return e
}

func sub(mod func(*emitter.Subscription)) emitter.Subscription {
	s := emitter.Subscription{ID: emitter.SubscriptionID("t", "https://x.example/h"), Description: "t",
		URL: "https://x.example/h", Events: []string{event.FlagNew}}
	if mod != nil {
		mod(&s)
	}
	return s
}

// TestRequestDefaultBodyUnchanged is the golden test of today's body: a
// subscription without format, body or placeholders sends the event's
// bytes exactly, its payload parameters after them.
func TestRequestDefaultBodyUnchanged(t *testing.T) {
	body := sampleEvent().Encode()
	golden := filepath.Join("testdata", "default-body.json")
	if *update {
		os.WriteFile(golden, body, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, want) {
		t.Fatalf("the contract's encoding changed:\n got %s\nwant %s", body, want)
	}
	s := sub(nil)
	r, err := s.Request(body)
	if err != nil || !bytes.Equal(r.Body, body) || r.ContentType != emitter.ContentJSON || r.URL != s.URL {
		t.Fatalf("Request = %+v, %v; want the body as it is", r, err)
	}
	s.Payload = map[string]any{"source": "ci"}
	r, err = s.Request(body)
	merged, _ := emitter.MergePayload(body, s.Payload)
	if err != nil || !bytes.Equal(r.Body, merged) {
		t.Fatalf("with a payload: %s, %v; want %s", r.Body, err, merged)
	}
}

// TestRequestEscapesWhereValuesLand: JSON-escaped in bodies, query-escaped
// in the URL, one line in headers; a lone placeholder keeps its type.
func TestRequestEscapesWhereValuesLand(t *testing.T) {
	s := sub(func(s *emitter.Subscription) {
		s.URL = "https://x.example/h?flag={{ .flag_key }}&env={{.environment_id}}"
		s.Headers = []emitter.Header{{Name: "X-Commit", Value: "{{ .commit.message }}"}}
		s.Body = map[string]any{"text": "flag {{ .flag_key }}!", "refs": "{{ .references }}", "n": 3}
	})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	r, err := s.Request(sampleEvent().Encode())
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://x.example/h?flag=new+%22checkout%22+%26+co&env=env_web"; r.URL != want {
		t.Errorf("URL %s, want %s", r.URL, want)
	}
	if v := r.Headers[0].Value.Reveal(); v != "two lines" {
		t.Errorf("header %q, want one line", v)
	}
	if want := `{"n":3,"refs":[{"code":"getFlag(\"x\")","line":3,"path":"web/a.ts"}],"text":"flag new \"checkout\" \u0026 co!"}`; string(r.Body) != want {
		t.Errorf("body %s\nwant %s", r.Body, want)
	}
}

// TestValidateRefusesBadShapes: errors name the webhook and the key.
func TestValidateRefusesBadShapes(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*emitter.Subscription)
		want string
	}{
		{func(s *emitter.Subscription) { s.Payload = map[string]any{"k": "{{ flag_key }}"} }, `webhook "t": payload k: placeholder {{ flag_key }}`},
		{func(s *emitter.Subscription) { s.Headers = []emitter.Header{{Name: "X", Value: "{{ .a"}} }, `webhook "t": header X: a placeholder {{ is not closed`},
		{func(s *emitter.Subscription) { s.URL = "https://x.example/{{ .flag_key }}" }, "placeholders may only be in the query"},
		{func(s *emitter.Subscription) { s.Format = "discord" }, `format "discord"`},
		{func(s *emitter.Subscription) { s.Format = emitter.FormatSlack; s.Body = map[string]any{} }, "both format and body"},
		{func(s *emitter.Subscription) { s.Format = emitter.FormatGitLabTrigger }, "needs the payload parameter token"},
		{func(s *emitter.Subscription) { s.ContentType = "text/xml" }, `content_type "text/xml"`},
	} {
		s := sub(tc.mod)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want %q", err, tc.want)
		}
	}
}

// TestRequestMissingFieldIsATemplateError: a placeholder that names no
// field fails the delivery with ErrTemplate, naming the placeholder.
func TestRequestMissingFieldIsATemplateError(t *testing.T) {
	s := sub(func(s *emitter.Subscription) { s.Payload = map[string]any{"k": "{{ .nope }}"} })
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err := s.Request(sampleEvent().Encode())
	if !errors.Is(err, emitter.ErrTemplate) || !strings.Contains(err.Error(), "{{ .nope }}: the event has no such field") {
		t.Fatalf("err = %v", err)
	}
}
