package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestExpand(t *testing.T) {
	vars := env(map[string]string{
		"HOST":  "hooks.example.com",
		"TOKEN": "t0k3n",
		"EMPTY": "",
		"REF":   "main",
	})
	for _, tc := range []struct {
		name string
		yaml string // the subscription's keys past description, events and url
		get  func(w Webhook) any
		want any
	}{
		{"url", "url: https://${HOST}/flags", func(w Webhook) any { return w.URL }, "https://hooks.example.com/flags"},
		{"two references", "url: https://${HOST}/flags?token=${TOKEN}", func(w Webhook) any { return w.URL }, "https://hooks.example.com/flags?token=t0k3n"},
		{"no braces stays", "headers: {X-Home: $HOME/x}", func(w Webhook) any { return w.Headers[0].Value.Reveal() }, "$HOME/x"},
		{"empty variable", "headers: {X-Empty: 'a${EMPTY}b'}", func(w Webhook) any { return w.Headers[0].Value.Reveal() }, "ab"},
		{"header", "headers: {Authorization: 'Bearer ${TOKEN}'}", func(w Webhook) any { return w.Headers[0].Value.Reveal() }, "Bearer t0k3n"},
		{"secret", "secret: ${SECRET}", func(w Webhook) any { return w.Secret.Reveal() }, testSecret},
		{"payload strings", "payload: {ref: '${REF}', inputs: {token: '${TOKEN}', list: ['${REF}', 1]}, n: 2}", func(w Webhook) any { return w.Payload },
			map[string]any{"ref": "main", "inputs": map[string]any{"token": "t0k3n", "list": []any{"main", 1}}, "n": 2}},
		{"description not expanded", "url: https://h/x", func(w Webhook) any { return w.Description }, "hook ${TOKEN}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "webhooks:\n  - description: hook ${TOKEN}\n    events: [Flag.new]\n"
			if !strings.HasPrefix(tc.yaml, "url:") {
				doc += "    url: https://h/x\n"
			}
			doc += "    " + tc.yaml + "\n"
			c, err := ParseWithEnv("x.yml", []byte(doc), func(name string) (string, bool) {
				if name == "SECRET" {
					return testSecret, true
				}
				return vars(name)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(c.Webhooks[0]); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestSecretsNeverShown parses a configuration whose webhook values come from
// the environment and checks that no way of printing it, nor any error
// message, shows a secret, an expanded header value or another expansion.
func TestSecretsNeverShown(t *testing.T) {
	hidden := map[string]string{
		"WEBHOOK_SECRET": "whsec_VG9wU2VjcmV0S2V5VmFsdWUxMjM0NTY=",
		"HOOK_TOKEN":     "hook-token-8f3a",
		"URL_TOKEN":      "url-token-77c1",
		"TRIGGER_PATH":   "trigger-path-5e2d",
		"PAYLOAD_TOKEN":  "payload-token-1b9e",
		"NESTED_TOKEN":   "nested-token-4c0f",
	}
	data := readFile(t, "testdata/secrets.yml")
	c, err := ParseWithEnv("testdata/secrets.yml", data, env(hidden))
	if err != nil {
		t.Fatal(err)
	}
	w := c.Webhooks[0]
	if w.Secret.Reveal() != hidden["WEBHOOK_SECRET"] || w.Headers[0].Value.Reveal() != "Bearer hook-token-8f3a" {
		t.Fatal("values were not expanded")
	}
	yamlOut, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	jsonHeaders, err := json.Marshal(w.Headers)
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "webhook", w, "secret", w.Secret, "headers", w.Headers)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "secret", w.Secret, "headers", w.Headers)
	outputs := map[string]string{
		"String":          c.String(),
		"%v":              fmt.Sprintf("%v", c),
		"%+v":             fmt.Sprintf("%+v", c),
		"%#v":             fmt.Sprintf("%#v", c),
		"%+v of value":    fmt.Sprintf("%+v", *c),
		"%#v of value":    fmt.Sprintf("%#v", *c),
		"webhook %v":      fmt.Sprintf("%v", w),
		"webhook %+v":     fmt.Sprintf("%+v", w),
		"webhook %#v":     fmt.Sprintf("%#v", &w),
		"headers %+v":     fmt.Sprintf("%+v", w.Headers),
		"headers %#v":     fmt.Sprintf("%#v", w.Headers),
		"secret %s %q %v": fmt.Sprintf("%s %q %v", w.Secret, w.Secret, w.Secret),
		"yaml":            string(yamlOut),
		"json headers":    string(jsonHeaders),
		"slog":            logged.String(),
	}

	// Error messages: the same file with problems in every expanded value.
	bad := map[string]string{
		"WEBHOOK_SECRET": "not-a-whsec-b4d5ecret",
		"HOOK_TOKEN":     "line\nbreak-tok3n",
		"URL_TOKEN":      "x",
		"TRIGGER_PATH":   "@@bad-path-9a9a",
		"PAYLOAD_TOKEN":  "payload-token-1b9e",
	} // NESTED_TOKEN unset
	_, err = ParseWithEnv("testdata/secrets.yml", []byte(strings.Replace(string(data), "https://", "ftp://", 1)), env(bad))
	if n := len(errorList(err)); n != 4 {
		t.Errorf("got %d errors, want 4 (url, secret, header, payload):\n%v", n, err)
	}
	outputs["errors"] = fmt.Sprint(err)
	hidden["bad WEBHOOK_SECRET"] = bad["WEBHOOK_SECRET"]
	hidden["bad HOOK_TOKEN"] = "break-tok3n"
	hidden["bad TRIGGER_PATH"] = bad["TRIGGER_PATH"]

	for what, out := range outputs {
		for name, value := range hidden {
			if strings.Contains(out, value) {
				t.Errorf("%s shows %s:\n%s", what, name, out)
			}
		}
	}
	// What is not a secret is still shown.
	for _, want := range []string{"Trigger the pipeline", "ci.example.com", "X-Static", "token", "variables"} {
		if !strings.Contains(c.String(), want) {
			t.Errorf("String() lacks %q:\n%s", want, c.String())
		}
	}
	if !strings.Contains(outputs["errors"], "NESTED_TOKEN is not set") {
		t.Errorf("errors do not name the unset variable:\n%s", outputs["errors"])
	}
}

func TestSecretZero(t *testing.T) {
	var s Secret
	if s.String() != "" || fmt.Sprintf("%#v", s) != `""` {
		t.Errorf("empty secret prints as %q / %#v", s.String(), s)
	}
}

// TestDuplicateWebhooksRefusedAtLoad: two webhooks with the same
// description and URL (so the same subscription) are refused when the file
// is loaded, with its name and both entries' lines, and without the URL's
// expanded token. Before, push wrote their deliveries and deliver then
// refused the configuration with no file or line.
func TestDuplicateWebhooksRefusedAtLoad(t *testing.T) {
	doc := `webhooks:
  - description: hook
    events: [Flag.new]
    url: https://h/x?token=${TOKEN}
  - description: other
    events: [Flag.new]
    url: https://h/x?token=${TOKEN}
  - description: hook
    events: [Flag.new]
    url: https://h/x?token=${TOKEN}
`
	_, err := ParseWithEnv("flagscan.yml", []byte(doc), env(map[string]string{"TOKEN": "t0k3n"}))
	if err == nil {
		t.Fatal("duplicate webhooks accepted")
	}
	msg := err.Error()
	for _, want := range []string{"flagscan.yml:8", "webhooks[2]", "webhooks[0] (line 2)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	if strings.Contains(msg, "t0k3n") {
		t.Errorf("error %q shows the token", msg)
	}
}
