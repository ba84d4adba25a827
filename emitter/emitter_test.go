package emitter_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/emitter"
)

func TestSubscriptionID(t *testing.T) {
	a := emitter.SubscriptionID("bot", "https://x.example/hook")
	if a != emitter.SubscriptionID("bot", "https://x.example/hook") || !strings.HasPrefix(a, "sub_") || len(a) != 20 {
		t.Errorf("unstable or malformed ID %q", a)
	}
	for _, other := range []string{
		emitter.SubscriptionID("bot2", "https://x.example/hook"),
		emitter.SubscriptionID("bot", "https://x.example/hook2"),
		emitter.SubscriptionID("bothttps://x.example/hook", ""),
	} {
		if other == a {
			t.Errorf("two subscriptions share the ID %s", a)
		}
	}
}

func TestMergePayload(t *testing.T) {
	body := []byte(`{"event":"Flag.new","flag_key":"k"}` + "\n")
	got, err := emitter.MergePayload(body, map[string]any{
		"source": "flagscan", "flag_key": "other", "ref": "main", "inputs": map[string]any{"n": 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"event":"Flag.new","flag_key":"k","inputs":{"n":1},"ref":"main","source":"flagscan"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got, _ := emitter.MergePayload([]byte(`{}`), map[string]any{"a": true}); string(got) != `{"a":true}` {
		t.Errorf("empty body: %s", got)
	}
	if got, _ := emitter.MergePayload(body, nil); string(got) != string(body) {
		t.Errorf("no payload changed the body: %s", got)
	}
	if _, err := emitter.MergePayload([]byte(`[1]`), map[string]any{"a": 1}); err == nil {
		t.Error("merged into an array")
	}
}

func TestValidate(t *testing.T) {
	s := emitter.Subscription{
		Description: "bot",
		URL:         "ftp://user:pw@x.example/tok",
		Events:      []string{"Flag.new", "Feature.active", "Flag.renamed"},
		Secret:      "whsec_%%%secret",
	}
	err := s.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{`webhook "bot"`, "has no ID", "http:// or https://", "Feature.active is a platform event", `unknown event type "Flag.renamed"`, "secret"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	for _, secret := range []string{"%%%secret", "pw", "/tok"} {
		if strings.Contains(msg, secret) {
			t.Errorf("%q shows %q", msg, secret)
		}
	}
	ok := emitter.Subscription{ID: "sub_1", Description: "bot", URL: "https://x.example/", Events: []string{"Flag.deleted"}}
	if err := ok.Validate(); err != nil {
		t.Error(err)
	}
}

func TestPrintingHidesSecrets(t *testing.T) {
	s := emitter.Subscription{
		ID: "sub_1", Description: "bot", URL: "https://x.example/path/tok1?k=tok2", Events: []string{"Flag.new"},
		Secret:  "whsec_dG9rMw==",
		Headers: []emitter.Header{{Name: "Authorization", Value: "Bearer tok4"}},
		Payload: map[string]any{"token": "tok5"},
	}
	j, _ := json.Marshal(s)
	all := fmt.Sprintf("%v %+v %#v %s", s, s, s, j) + fmt.Sprintf("%v %#v", s.Headers, s.Secret)
	for _, secret := range []string{"dG9rMw", "tok1", "tok2", "tok4", "tok5"} {
		if strings.Contains(all, secret) {
			t.Errorf("printed %q: %s", secret, all)
		}
	}
	if !strings.Contains(all, "https://x.example/REDACTED") {
		t.Errorf("no redacted URL in %s", all)
	}
}
