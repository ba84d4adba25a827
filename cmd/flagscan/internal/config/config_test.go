package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// env returns a lookup func over vars.
func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// errorList returns the errors joined in err.
func errorList(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestParseSpecExample(t *testing.T) {
	data := readFile(t, "testdata/spec-example.yml")
	got, err := ParseWithEnv(".flagscan.yml", data, env(map[string]string{
		"FLAGSCAN_WEBHOOK_SECRET": testSecret,
		"HOOK_TOKEN":              "t0k3n",
	}))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Config{
		File:    ".flagscan.yml",
		Account: Account{ID: "acc_12345", Name: "Acme"},
		Environments: []Environment{
			{ID: "env_prod", Name: "production", Paths: []string{"**"}},
			{ID: "env_checkout", Name: "checkout-prod", Paths: []string{"services/checkout/**"}},
		},
		Branches: []string{"main", "release/*"},
		Actor:    Actor{Role: "developer"},
		Scan: Scan{
			Exclude:      []string{"vendor/**", "**/*.min.js", "node_modules/**"},
			MaxFileSize:  1 << 20,
			ContextLines: 1,
			BuiltinRules: true,
		},
		Rules: []Rule{
			{
				Name:      "launchdarkly-variation",
				Languages: []string{"javascript", "typescript", "go", "python", "java"},
				Calls:     []string{"variation", "boolVariation", "stringVariation"},
				Line:      25,
			},
			{
				Name:  "openfeature-boolean",
				Calls: []string{"getBooleanValue", "getStringValue"},
				Line:  29,
			},
			{
				Name:      "raw-query",
				Languages: []string{"typescript"},
				Query:     `(call_expression function: (identifier) @fn (#eq? @fn "flag") arguments: (arguments (string (string_fragment) @key)))`,
				Line:      32,
			},
		},
		Webhooks: []Webhook{{
			Description: "Tell the cleanup bot",
			Events:      []string{"Flag.new", "Flag.deleted"},
			URL:         "https://hooks.example.com/flags",
			Secret:      testSecret,
			Headers:     []Header{{Name: "Authorization", Value: "Bearer t0k3n"}},
			Payload:     map[string]any{"source": "flagscan"},
			Line:        37,
		}},
		Delivery: Delivery{
			Timeout:       10 * time.Second,
			InlineBudget:  2 * time.Second,
			RetrySchedule: Default().Delivery.RetrySchedule,
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\n got %#v\nwant %#v", got, want)
		// %#v hides secrets and header values: compare those apart.
		for i := range min(len(got.Webhooks), len(want.Webhooks)) {
			g, w := got.Webhooks[i], want.Webhooks[i]
			if g.Secret != w.Secret || !reflect.DeepEqual(g.Headers, w.Headers) || g.URL != w.URL || !reflect.DeepEqual(g.Payload, w.Payload) {
				t.Errorf("webhooks[%d] differ in URL, secret, headers or payload", i)
			}
		}
	}
}

func TestDefault(t *testing.T) {
	c := Default()
	want := &Config{
		Environments: []Environment{{ID: "default", Name: "default", Paths: []string{"**"}}},
		Actor:        Actor{Role: "developer"},
		Scan:         Scan{MaxFileSize: 1 << 20, ContextLines: 1, BuiltinRules: true},
		Delivery: Delivery{
			Timeout:      10 * time.Second,
			InlineBudget: 2 * time.Second,
			RetrySchedule: []time.Duration{
				5 * time.Second, 5 * time.Minute, 30 * time.Minute,
				2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
			},
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Default() = %#v\nwant %#v", c, want)
	}
	// Each call returns its own value.
	c.Environments[0].Paths[0] = "changed"
	c.Delivery.RetrySchedule[0] = 0
	if d := Default(); d.Environments[0].Paths[0] != "**" || d.Delivery.RetrySchedule[0] != 5*time.Second {
		t.Error("Default shares state between calls")
	}
}

// TestParseKeepsDefaults checks that what a file leaves out keeps its
// default, and that empty or null sections are no error.
func TestParseKeepsDefaults(t *testing.T) {
	for _, tc := range []struct{ name, yaml string }{
		{"empty file", ""},
		{"comment only", "# nothing yet\n"},
		{"null document", "~\n"},
		{"null sections", "account:\nenvironments:\nscan:\nrules:\nwebhooks:\ndelivery:\n"},
		{"empty lists", "environments: []\nbranches: []\nrules: []\nwebhooks: []\n"},
		{"empty mappings", "account: {}\nactor: {}\nscan: {}\ndelivery: {}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseWithEnv("x.yml", []byte(tc.yaml), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			want.File = "x.yml"
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	one, two := 1, 2
	for _, tc := range []struct {
		name string
		yaml string
		get  func(*Config) any
		want any
	}{
		{"size in bytes", "scan: {max_file_size: 1000000}", func(c *Config) any { return c.Scan.MaxFileSize }, Size(1000000)},
		{"size in KB", "scan: {max_file_size: 512kb}", func(c *Config) any { return c.Scan.MaxFileSize }, Size(512000)},
		{"size with a space", "scan: {max_file_size: 2 GiB}", func(c *Config) any { return c.Scan.MaxFileSize }, Size(2 << 30)},
		{"context lines 0", "scan: {context_lines: 0}", func(c *Config) any { return c.Scan.ContextLines }, 0},
		{"builtin rules off", "scan: {builtin_rules: false}", func(c *Config) any { return c.Scan.BuiltinRules }, false},
		{"timeout in days", "delivery: {timeout: 1d}", func(c *Config) any { return c.Delivery.Timeout }, 24 * time.Hour},
		{"lease", "delivery: {lease: 90s}", func(c *Config) any { return c.Delivery.Lease }, 90 * time.Second},
		{"inline budget 0", "delivery: {inline_budget: 0s}", func(c *Config) any { return c.Delivery.InlineBudget }, time.Duration(0)},
		{"retry schedule", "delivery: {retry_schedule: [1m, 1d12h]}", func(c *Config) any { return c.Delivery.RetrySchedule },
			[]time.Duration{time.Minute, 36 * time.Hour}},
		{"allow hosts", "delivery: {allow_hosts: [LocalHost, 127.0.0.1, 10.0.0.0/8, '::1', fd00::/8]}", func(c *Config) any { return c.Delivery.AllowHosts },
			[]string{"localhost", "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"}},
		{"numeric account id", "account: {id: 12345}", func(c *Config) any { return c.Account.ID }, "12345"},
		{"language aliases", "rules: [{name: r, calls: [f], languages: [JS, jsx, ts, TSX, golang, 'c#', cs, objective-c, 'F#', visualbasic]}]",
			func(c *Config) any { return c.Rules[0].Languages },
			[]string{"javascript", "typescript", "tsx", "go", "csharp", "objc", "fsharp", "vb"}},
		{"arguments", "rules: [{name: r, calls: [f], key_argument: 1, default_argument: 2}]",
			func(c *Config) any { return []*int{&c.Rules[0].KeyArgument, c.Rules[0].DefaultArgument} }, []*int{&one, &two}},
		{"yaml aliases", "scan:\n  exclude: &dirs ['vendor/**']\nenvironments:\n  - {id: p, name: prod, paths: *dirs}\n",
			func(c *Config) any { return c.Environments }, []Environment{{ID: "p", Name: "prod", Paths: []string{"vendor/**"}}}},
		{"headers in order", "webhooks: [{description: d, events: [Flag.new], url: 'http://h', headers: {Z-One: a, A-Two: b, M-Three: c}}]",
			func(c *Config) any {
				var names []string
				for _, h := range c.Webhooks[0].Headers {
					names = append(names, h.Name)
				}
				return names
			}, []string{"Z-One", "A-Two", "M-Three"}},
		{"payload types", "webhooks: [{description: d, events: [Flag.new], url: 'http://h', payload: {ref: main, n: 3, f: 1.5, ok: true, none: null, inputs: {a: [1, x]}}}]",
			func(c *Config) any { return c.Webhooks[0].Payload },
			map[string]any{"ref": "main", "n": 3, "f": 1.5, "ok": true, "none": nil, "inputs": map[string]any{"a": []any{1, "x"}}}},
		{"repeated events", "webhooks: [{description: d, events: [Flag.new, Flag.new], url: 'http://h'}]",
			func(c *Config) any { return c.Webhooks[0].Events }, []string{"Flag.new"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseWithEnv("x.yml", []byte(tc.yaml), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const hook = "webhooks:\n  - description: d\n    events: [Flag.new]\n    url: https://h.example/x\n"
	for _, tc := range []struct {
		name string
		yaml string
		line int
		path string // "" for none
		msg  string
	}{
		// YAML itself
		{"syntax", "scan:\n  context_lines: 1\n   exclude: [a]\n", 3, "", "invalid YAML: mapping values are not allowed"},
		{"not a mapping", "- a\n- b\n", 1, "", "the file must be a mapping"},
		{"two documents", "account: {}\n---\naccount: {}\n", 2, "", "a second YAML document"},
		{"repeated key", "branches: [a]\nbranches: [b]\n", 2, "branches", "repeated key (first at line 1)"},
		{"unknown key", "acount:\n  id: x\n", 1, "acount", "unknown key (known: account, environments,"},
		{"unknown nested key", "scan:\n  max_size: 1\n", 2, "scan.max_size", "unknown key (known: exclude, max_file_size, context_lines, builtin_rules)"},
		{"merge key", "account:\n  <<: {id: 1}\n", 2, "account.<<", "merge keys are not supported"},
		{"section not a mapping", "scan: [a]\n", 1, "scan", "must be a mapping (key: value), not a list"},
		{"list not a list", "branches: main\n", 1, "branches", `must be a list, not "main"`},
		{"string not a string", "account:\n  id: [a]\n", 2, "account.id", "must be a string, not a list"},

		// account, actor, branches
		{"empty role", "actor:\n  role: ''\n", 2, "actor.role", "must not be empty"},
		{"empty branch", "branches:\n  - main\n  - ''\n", 3, "branches[1]", "pattern is empty"},
		{"null branch", "branches:\n  - main\n  -\n", 3, "branches[1]", "empty item"},
		{"bad branch glob", "branches: ['release/[1-2']\n", 1, "branches[0]", "is malformed"},

		// scan
		{"bad size", "scan:\n  max_file_size: 1XB\n", 2, "scan.max_file_size", `"1XB" is not a size (examples: 1MiB, 512KiB, 1000000)`},
		{"zero size", "scan:\n  max_file_size: 0\n", 2, "scan.max_file_size", "must be more than 0"},
		{"fractional size", "scan:\n  max_file_size: 1.5MiB\n", 2, "scan.max_file_size", "is not a size"},
		{"context lines range", "scan:\n  context_lines: 21\n", 2, "scan.context_lines", "21 is out of range: 0 to 20"},
		{"negative context lines", "scan:\n  context_lines: -1\n", 2, "scan.context_lines", "out of range"},
		{"context lines not int", "scan:\n  context_lines: abc\n", 2, "scan.context_lines", `"abc" is not an integer`},
		{"builtin rules not bool", "scan:\n  builtin_rules: sometimes\n", 2, "scan.builtin_rules", "is not true or false"},
		{"absolute exclude", "scan:\n  exclude:\n    - /vendor/**\n", 3, "scan.exclude[0]", "remove the leading /"},
		{"directory exclude", "scan:\n  exclude: [vendor/]\n", 2, "scan.exclude[0]", `write "vendor/**"`},
		{"partial doublestar", "scan:\n  exclude: ['src/**.js']\n", 2, "scan.exclude[0]", "** must be a whole path segment"},

		// environments
		{"env without id", "environments:\n  - name: prod\n    paths: ['**']\n", 2, "environments[0].id", "is required"},
		{"env empty name", "environments:\n  - id: p\n    name: ''\n    paths: ['**']\n", 3, "environments[0].name", "must not be empty"},
		{"env without paths", "environments:\n  - id: p\n    name: prod\n", 2, "environments[0].paths", "is required"},
		{"env empty paths", "environments:\n  - id: p\n    name: prod\n    paths: []\n", 2, "environments[0].paths", "is required"},
		{"env repeated id", "environments:\n  - {id: p, name: a, paths: ['**']}\n  - {id: p, name: b, paths: ['**']}\n", 3, "environments[1].id", `"p" is already the id of environments[0]`},
		{"env bad glob", "environments:\n  - id: p\n    name: prod\n    paths:\n      - 'a/[b'\n", 5, "environments[0].paths[0]", "is malformed"},
		{"env negated class", "environments:\n  - {id: p, name: a, paths: ['[!a]*']}\n", 2, "environments[0].paths[0]", "[^...]"},
		{"env unknown key", "environments:\n  - {id: p, name: a, paths: ['**'], path: x}\n", 2, "environments[0].path", "unknown key"},

		// rules
		{"rule without name", "rules:\n  - calls: [f]\n", 2, "rules[0].name", "is required"},
		{"rule repeated name", "rules:\n  - {name: r, calls: [f]}\n  - name: r\n    calls: [g]\n", 3, "rules[1].name", `"r" is already the name of rules[0]`},
		{"rule calls and query", "rules:\n  - name: r\n    languages: [go]\n    calls: [f]\n    query: '(x) @key'\n", 2, "rules[0]", "has both calls and query"},
		{"rule neither", "rules:\n  - name: r\n", 2, "rules[0]", "needs calls"},
		{"rule empty calls", "rules:\n  - name: r\n    calls: []\n", 3, "rules[0].calls", "is empty"},
		{"rule bad call name", "rules:\n  - name: r\n    calls: ['getFlag()']\n", 3, "rules[0].calls[0]", "is not a function or method name"},
		{"rule negative key", "rules:\n  - {name: a, calls: [f]}\n  - name: b\n    calls: [f]\n    key_argument: -1\n", 5, "rules[1].key_argument", "-1 is negative"},
		{"rule key not int", "rules:\n  - name: b\n    calls: [f]\n    key_argument: first\n", 4, "rules[0].key_argument", "is not an integer"},
		{"rule default is key", "rules:\n  - name: b\n    calls: [f]\n    key_argument: 1\n    default_argument: 1\n", 5, "rules[0].default_argument", "is the key argument too"},
		{"rule unknown language", "rules:\n  - name: r\n    calls: [f]\n    languages: [go, rust]\n", 4, "rules[0].languages[1]", `unknown language "rust" (known: javascript,`},
		{"query without key", "rules:\n  - name: r\n    languages: [go]\n    query: '(call_expression) @keyword'\n", 4, "rules[0].query", "must capture the flag key as @key"},
		{"query empty", "rules:\n  - name: r\n    languages: [go]\n    query: ' '\n", 4, "rules[0].query", "must not be empty"},
		{"query without languages", "rules:\n  - name: r\n    query: '(x) @key'\n", 2, "rules[0].languages", "a query rule must name its languages"},
		{"query on dart", "rules:\n  - name: r\n    languages: [go, dart]\n    query: '(x) @key'\n", 3, "rules[0].languages[1]", "no tree-sitter grammar"},
		{"query on vb alias", "rules:\n  - name: r\n    languages:\n      - visualbasic\n    query: '(x) @key'\n", 4, "rules[0].languages[0]", "a query rule cannot apply to vb"},
		{"query with key_argument", "rules:\n  - name: r\n    languages: [go]\n    query: '(x) @key'\n    key_argument: 1\n", 5, "rules[0].key_argument", "applies to calls rules only"},
		{"rule not a mapping", "rules:\n  - launchdarkly\n", 2, "rules[0]", "must be a mapping"},

		// webhooks
		{"platform event", "webhooks:\n  - description: d\n    url: https://h.example/x\n    events: [Flag.new, Feature.active]\n", 4, "webhooks[0].events[1]", "Feature.active is a platform event, which flagscan does not emit"},
		{"platform event sync", "webhooks:\n  - description: d\n    url: https://h.example/x\n    events:\n      - Environment.sync\n", 5, "webhooks[0].events[0]", "platform event"},
		{"unknown event", "webhooks:\n  - description: d\n    url: https://h.example/x\n    events: [Flag.renamed]\n", 4, "webhooks[0].events[0]", `unknown event type "Flag.renamed"`},
		{"event case", "webhooks:\n  - description: d\n    url: https://h.example/x\n    events: [flag.new]\n", 4, "webhooks[0].events[0]", "did you mean Flag.new?"},
		{"no events", "webhooks:\n  - description: d\n    url: https://h.example/x\n", 2, "webhooks[0].events", "is required"},
		{"no description", "webhooks:\n  - events: [Flag.new]\n    url: https://h.example/x\n", 2, "webhooks[0].description", "is required"},
		{"no url", "webhooks:\n  - description: d\n    events: [Flag.new]\n", 2, "webhooks[0].url", "is required"},
		{"ftp url", hook + "    secret: " + testSecret + "\n  - description: e\n    events: [Flag.new]\n    url: ftp://h.example/x\n", 8, "webhooks[1].url", `"ftp://h.example/x": must be an absolute http:// or https:// URL`},
		{"relative url", hook[:len(hook)-len("https://h.example/x\n")] + "/hooks\n", 4, "webhooks[0].url", "must be an absolute"},
		{"url without host", hook[:len(hook)-len("https://h.example/x\n")] + "'http:///x'\n", 4, "webhooks[0].url", "has no host"},
		{"secret not whsec", hook + "    secret: s3cr3t\n", 5, "webhooks[0].secret", "must look like whsec_<base64>"},
		{"secret not base64", hook + "    secret: whsec_%%%\n", 5, "webhooks[0].secret", "is not base64"},
		{"header content-type", hook + "    headers:\n      content-type: text/plain\n", 6, "webhooks[0].headers.content-type", "is set by flagscan and cannot be overridden"},
		{"header webhook-signature", hook + "    headers:\n      Webhook-Signature: v1,x\n", 6, "webhooks[0].headers.Webhook-Signature", "is set by flagscan"},
		{"header webhook-id", hook + "    headers:\n      WEBHOOK-ID: x\n", 6, "webhooks[0].headers.WEBHOOK-ID", "is set by flagscan"},
		{"header webhook-timestamp", hook + "    headers:\n      webhook-timestamp: x\n", 6, "webhooks[0].headers.webhook-timestamp", "is set by flagscan"},
		{"header repeated", hook + "    headers:\n      X-Token: a\n      x-token: b\n", 7, "webhooks[0].headers.x-token", "repeats header X-Token"},
		{"header bad name", hook + "    headers:\n      'X Token': a\n", 6, "webhooks[0].headers.X Token", "is not a valid header name"},
		{"header no value", hook + "    headers:\n      X-Token:\n", 6, "webhooks[0].headers.X-Token", "needs a value"},
		{"payload contract field", hook + "    payload:\n      flag_key: x\n", 6, "webhooks[0].payload.flag_key", "is a field of the webhook contract"},
		{"payload addition field", hook + "    payload:\n      repository: x\n", 6, "webhooks[0].payload.repository", "is a field of the webhook contract"},
		{"payload field case", hook + "    payload:\n      Event: x\n", 6, "webhooks[0].payload.Event", "is a field of the webhook contract"},
		{"payload infinity", hook + "    payload:\n      n: .inf\n", 6, "webhooks[0].payload.n", "not a number JSON can carry"},
		{"missing variable", "webhooks:\n  - url: https://h.example/x\n    events: [Flag.new]\n    payload:\n      token: ${CI_TOKEN}\n    description: Trigger the pipeline\n", 5, "webhooks[0].payload.token", `environment variable CI_TOKEN is not set (webhook "Trigger the pipeline")`},
		{"bad variable", hook + "    secret: ${1SECRET}\n", 5, "webhooks[0].secret", "${1SECRET} is not a variable reference"},
		{"unterminated variable", hook + "    headers:\n      X-Token: ${TOKEN\n", 6, "webhooks[0].headers.X-Token", "unterminated ${"},

		{"bad placeholder", hook + "    headers:\n      X-Flag: '{{ flag_key }}'\n", 6, "webhooks[0].headers.X-Flag", `placeholder {{ flag_key }}: want a field of the event`},
		{"unclosed placeholder", hook + "    payload:\n      note: 'key {{ .flag_key'\n", 6, "webhooks[0].payload.note", "a placeholder {{ is not closed"},
		{"unknown format", hook + "    format: discord\n", 5, "webhooks[0].format", `"discord": use slack, teams, github_dispatch, gitlab_trigger`},
		{"format and body", hook + "    format: slack\n    body: {text: hi}\n", 2, "webhooks[0].body", "does not go with format slack"},
		{"body not a mapping", hook + "    body: [a]\n", 5, "webhooks[0].body", "must be a mapping"},
		{"content type", hook + "    content_type: text/xml\n", 5, "webhooks[0].content_type", `"text/xml": use application/json or application/x-www-form-urlencoded`},
		// delivery
		{"zero timeout", "delivery:\n  timeout: 0s\n", 2, "delivery.timeout", "must be more than 0"},
		{"zero lease", "delivery:\n  lease: 0s\n", 2, "delivery.lease", "must be more than 0"},
		{"timeout without unit", "delivery:\n  timeout: 10\n", 2, "delivery.timeout", `"10" is not a duration: add a unit, e.g. 10s`},
		{"negative budget", "delivery:\n  inline_budget: -1s\n", 2, "delivery.inline_budget", "is negative"},
		{"bad retry", "delivery:\n  retry_schedule:\n    - 5s\n    - 5m\n    - soon\n", 5, "delivery.retry_schedule[2]", `"soon" is not a duration (examples: 10s, 5m, 2h, 1d)`},
		{"url host", "delivery:\n  allow_hosts: ['http://10.0.0.1']\n", 2, "delivery.allow_hosts[0]", "is a URL"},
		{"bad cidr", "delivery:\n  allow_hosts: [10.0.0.0/33]\n", 2, "delivery.allow_hosts[0]", "is not a CIDR prefix"},
		{"bad host", "delivery:\n  allow_hosts: ['a b']\n", 2, "delivery.allow_hosts[0]", "is not a host name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWithEnv(".flagscan.yml", []byte(tc.yaml), nil)
			errs := errorList(err)
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1:\n%v", len(errs), err)
			}
			var e *Error
			if !errors.As(errs[0], &e) {
				t.Fatalf("error %T is not an *Error: %v", errs[0], errs[0])
			}
			if e.File != ".flagscan.yml" || e.Line != tc.line || e.Path != tc.path || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got  %v\nwant .flagscan.yml:%d: %s: ...%s...", e, tc.line, tc.path, tc.msg)
			}
			prefix := ".flagscan.yml:" + strconv.Itoa(tc.line) + ": "
			if tc.path != "" {
				prefix += tc.path + ": "
			}
			if !strings.HasPrefix(e.Error(), prefix) {
				t.Errorf("message %q does not start with %q", e.Error(), prefix)
			}
		})
	}
}

// TestParseCollectsAllErrors checks that every problem of a file is
// reported, in file order, one per line.
func TestParseCollectsAllErrors(t *testing.T) {
	_, err := ParseWithEnv("testdata/invalid.yml", readFile(t, "testdata/invalid.yml"), env(map[string]string{"HOOK_TOKEN": "t"}))
	if err == nil {
		t.Fatal("no error")
	}
	got := err.Error() + "\n"
	const golden = "testdata/invalid.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := string(readFile(t, golden)); got != want {
		t.Errorf("errors:\n%s\nwant (%s):\n%s", got, golden, want)
	}
	for _, e := range errorList(err) {
		if strings.Contains(e.Error(), "\n") {
			t.Errorf("error spans lines: %q", e)
		}
	}
}

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string // created; a trailing / makes a directory
		want  string
	}{
		{"none", nil, ""},
		{"yml", []string{".flagscan.yml"}, ".flagscan.yml"},
		{"yaml", []string{".flagscan.yaml"}, ".flagscan.yaml"},
		{"both", []string{".flagscan.yaml", ".flagscan.yml"}, ".flagscan.yml"},
		{"directory", []string{".flagscan.yml/", ".flagscan.yaml"}, ".flagscan.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				p := filepath.Join(dir, f)
				var err error
				if strings.HasSuffix(f, "/") {
					err = os.Mkdir(p, 0o755)
				} else {
					err = os.WriteFile(p, nil, 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			got, ok := Find(dir)
			if want := filepath.Join(dir, tc.want); ok != (tc.want != "") || (ok && got != want) {
				t.Errorf("Find = %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".flagscan.yml")
	if err := os.WriteFile(p, []byte("account: {id: a}\nscan: {context_lines: 99}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.HasPrefix(err.Error(), p+":2: scan.context_lines: ") {
		t.Errorf("Load = %v, want an error at %s:2", err, p)
	}

	if err := os.WriteFile(p, []byte("account: {id: a}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil || c.Account.ID != "a" || c.File != p {
		t.Errorf("Load = %+v, %v", c, err)
	}

	_, err = Load(filepath.Join(dir, "missing.yml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
}

// TestDocsExample checks that docs/config.md shows the example this package
// is tested with.
func TestDocsExample(t *testing.T) {
	doc := string(readFile(t, "../../../../docs/config.md"))
	_, block, ok := strings.Cut(doc, "## Full example\n\n```yaml\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatal("docs/config.md has no full example")
	}
	if want := string(readFile(t, "testdata/spec-example.yml")); block != want {
		t.Errorf("the example of docs/config.md differs from testdata/spec-example.yml:\n%s", block)
	}
}

// TestVariableHoldingPlaceholderRefused: a variable's value is never read
// as a placeholder the file's author did not write.
func TestVariableHoldingPlaceholderRefused(t *testing.T) {
	data := "webhooks:\n  - description: d\n    events: [Flag.new]\n    url: https://h.example/x\n    headers:\n      Authorization: Bearer ${TOKEN}\n"
	_, err := ParseWithEnv(".flagscan.yml", []byte(data), env(map[string]string{"TOKEN": "a{{ .flag_key }}"}))
	if err == nil || !strings.Contains(err.Error(), "environment variable TOKEN holds {{") || strings.Contains(err.Error(), "a{{") {
		t.Fatalf("err = %v", err)
	}
	w, err := ParseWithEnv(".flagscan.yml", []byte(strings.Replace(data, "${TOKEN}", "${TOKEN} {{ .flag_key }}", 1)), env(map[string]string{"TOKEN": "t0k"}))
	if err != nil || w.Webhooks[0].Headers[0].Value.Reveal() != "Bearer t0k {{ .flag_key }}" {
		t.Fatalf("a placeholder beside a variable: %v, %v", w, err)
	}
}

// TestAliasBombRefused: nested aliases that would expand to billions of
// values are refused at once, not decoded for minutes.
func TestAliasBombRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	data := "webhooks:\n  - description: d\n    events: [Flag.new]\n    url: https://h.example/x\n    payload:\n      bomb: *a9\n"
	_, err := ParseWithEnv(".flagscan.yml", []byte(b.String()+data), nil)
	if err == nil || !strings.Contains(err.Error(), "aliases expand to more than") {
		t.Fatalf("err = %v", err)
	}
}

// TestConfigMustBeARegularFileOfBoundedSize: a FIFO would block and
// /dev/zero would fill the memory.
func TestConfigMustBeARegularFileOfBoundedSize(t *testing.T) {
	if _, err := ReadFile(os.DevNull); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("%s: %v", os.DevNull, err)
	}
	big := filepath.Join(t.TempDir(), "big.yml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#\n"), MaxFileSize), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Errorf("a 2 MiB file: %v", err)
	}
}

func TestWebhookScopes(t *testing.T) {
	c, err := ParseWithEnv(".flagscan.yml", []byte("webhooks:\n  - description: d\n    events: [Flag.new]\n    url: https://h.example/x\n    scopes: [push, pull_request]\n"), nil)
	if err != nil || !slices.Equal(c.Webhooks[0].Scopes, []string{"push", "pull_request"}) {
		t.Fatalf("%v, %v", c, err)
	}
	_, err = ParseWithEnv(".flagscan.yml", []byte("webhooks:\n  - description: d\n    events: [Flag.new]\n    url: https://h.example/x\n    scopes: [merge]\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `webhooks[0].scopes[0]: "merge": use push or pull_request`) {
		t.Errorf("err = %v", err)
	}
}
