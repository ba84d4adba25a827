package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseHook(t *testing.T) {
	for _, tc := range []struct {
		name    string
		yaml    string
		budget  time.Duration // HookBudget()
		reject  bool          // RejectOnError()
		allowed []string      // keys MatchKey accepts
		refused []string      // keys it refuses
	}{
		{"default", "", DefaultHookBudget, false, []string{"anything goes", ""}, nil},
		{"null section", "hook:\n", DefaultHookBudget, false, []string{"x"}, nil},
		{"budget", "hook:\n  budget: 1500ms\n", 1500 * time.Millisecond, false, nil, nil},
		{"tiny budget", "hook:\n  budget: 1ms\n", time.Millisecond, false, nil, nil},
		{
			"key pattern, anchored", "hook:\n  policy:\n    key_pattern: '[a-z][a-z0-9_.-]*'\n", DefaultHookBudget, false,
			[]string{"checkout.new-flow", "a"}, []string{"Checkout", "new flow", "x!", "", "ok\nBAD"},
		},
		{
			"alternation is anchored as a whole", "hook:\n  policy:\n    key_pattern: 'ff_.*|exp_.*'\n", DefaultHookBudget, false,
			[]string{"ff_a", "exp_b"}, []string{"xff_a", "a_exp_b"},
		},
		{"reject on error", "hook:\n  budget: 2s\n  policy:\n    on_error: reject\n", 2 * time.Second, true, nil, nil},
		{"accept on error", "hook:\n  policy:\n    on_error: accept\n", DefaultHookBudget, false, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseWithEnv("f.yml", []byte(tc.yaml), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Hook.HookBudget(); got != tc.budget {
				t.Errorf("HookBudget() = %v, want %v", got, tc.budget)
			}
			if got := c.Hook.Policy.RejectOnError(); got != tc.reject {
				t.Errorf("RejectOnError() = %v, want %v", got, tc.reject)
			}
			for _, k := range tc.allowed {
				if !c.Hook.Policy.MatchKey(k) {
					t.Errorf("MatchKey(%q) = false, want true", k)
				}
			}
			for _, k := range tc.refused {
				if c.Hook.Policy.MatchKey(k) {
					t.Errorf("MatchKey(%q) = true, want false", k)
				}
			}
		})
	}
}

func TestParseHookErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		line       int
		path, msg  string
	}{
		{"zero budget", "hook:\n  budget: 0s\n", 2, "hook.budget", "must be more than 0"},
		{"bare number", "hook:\n  budget: 4\n", 2, "hook.budget", "is not a duration"},
		{"unknown key", "hook:\n  timeout: 4s\n", 2, "hook.timeout", "unknown key (known: budget, policy)"},
		{"bad pattern", "hook:\n  policy:\n    key_pattern: '[a-z'\n", 3, "hook.policy.key_pattern", `"[a-z" is not a regular expression`},
		{"bad on_error", "hook:\n  policy:\n    on_error: block\n", 3, "hook.policy.on_error", `"block": use accept (the push goes through) or reject`},
		{"unknown policy key", "hook:\n  policy:\n    pattern: x\n", 3, "hook.policy.pattern", "unknown key (known: key_pattern, on_error)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWithEnv("f.yml", []byte(tc.yaml), nil)
			errs := errorList(err)
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1: %v", len(errs), err)
			}
			var e *Error
			if !errors.As(errs[0], &e) || e.Line != tc.line || e.Path != tc.path || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %v, want f.yml:%d: %s: ...%s...", errs[0], tc.line, tc.path, tc.msg)
			}
		})
	}
}

// TestParseDetection checks that a pushed file yields its rules and scan
// settings only: server-side sections are listed, never decoded, so a
// ${NAME} reference in them is never expanded and their mistakes do not
// matter.
func TestParseDetection(t *testing.T) {
	t.Setenv("FLAGSCAN_TEST_SERVER_SECRET", "whsec_c2VydmVyIHNlY3JldA==")
	data := readFile(t, "testdata/pushed.yml")
	det, err := ParseDetection("pushed/.flagscan.yml", data)
	if err != nil {
		t.Fatal(err)
	}
	want := &Detection{
		File: "pushed/.flagscan.yml",
		Rules: []Rule{
			{Name: "team-flags", Calls: []string{"teamFlag"}, Line: 21},
			{Name: "ld", Languages: []string{"javascript"}, Calls: []string{"variation"}, KeyArgument: 1, Line: 23},
		},
		Scan:     Scan{Exclude: []string{"generated/**"}, MaxFileSize: 1 << 20, ContextLines: 3, BuiltinRules: true},
		ScanKeys: []string{"exclude", "context_lines"},
		Ignored:  []string{"account", "webhooks", "delivery", "hook", "branches"},
	}
	if !reflect.DeepEqual(det, want) {
		t.Errorf("ParseDetection:\n got %#v\nwant %#v", det, want)
	}
	if dump := fmt.Sprintf("%#v", det); strings.Contains(dump, "c2VydmVy") || strings.Contains(dump, "attacker") {
		t.Errorf("a server-side section of the pushed file was decoded: %s", dump)
	}
}

func TestParseDetectionErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		line       int
		path, msg  string
	}{
		{"unknown section", "rulez: []\n", 1, "rulez", "unknown key (known: rules, scan, account,"},
		{"bad rule", "rules:\n  - name: r\n", 2, "rules[0]", "needs calls"},
		{"bad scan", "scan:\n  context_lines: 99\n", 2, "scan.context_lines", "out of range"},
		{"not a mapping", "- a\n", 1, "", "must be a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDetection("p.yml", []byte(tc.yaml))
			errs := errorList(err)
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1: %v", len(errs), err)
			}
			var e *Error
			if !errors.As(errs[0], &e) || e.File != "p.yml" || e.Line != tc.line || e.Path != tc.path || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %v, want p.yml:%d: %s: ...%s...", errs[0], tc.line, tc.path, tc.msg)
			}
		})
	}
	// Mistakes in server-side sections are not even looked at.
	if _, err := ParseDetection("p.yml", []byte("webhooks:\n  - url: ${UNSET_VARIABLE}\n    events: [Feature.active]\ndelivery: 7\n")); err != nil {
		t.Errorf("server-side sections were decoded: %v", err)
	}
}

func TestWithDetection(t *testing.T) {
	server, err := ParseWithEnv("/srv/flagscan.yml", []byte(`
scan:
  exclude: [vendor/**]
  max_file_size: 2MiB
rules:
  - name: server-rule
    calls: [serverFlag]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		pushed   string
		rules    []string
		scan     Scan
		errMatch string
	}{
		{"nothing pushed", "", []string{"server-rule"}, Scan{Exclude: []string{"vendor/**"}, MaxFileSize: 2 << 20, ContextLines: 1, BuiltinRules: true}, ""},
		{
			"rules and excludes are added, other keys replace", "rules:\n  - {name: team, calls: [teamFlag]}\nscan:\n  exclude: [gen/**]\n  builtin_rules: false\n  context_lines: 0\n",
			[]string{"server-rule", "team"}, Scan{Exclude: []string{"vendor/**", "gen/**"}, MaxFileSize: 2 << 20, ContextLines: 0, BuiltinRules: false}, "",
		},
		{"a rule name of the server", "rules:\n  - {name: x, calls: [a]}\n  - {name: server-rule, calls: [b]}\n", nil, Scan{}, `.flagscan.yml:3: rules[1].name: "server-rule" is already the name of a rule of /srv/flagscan.yml`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			det, err := ParseDetection(".flagscan.yml", []byte(tc.pushed))
			if err != nil {
				t.Fatal(err)
			}
			got, err := server.WithDetection(det)
			if tc.errMatch != "" {
				if err == nil || err.Error() != tc.errMatch {
					t.Fatalf("err = %v, want %s", err, tc.errMatch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range got.Rules {
				names = append(names, r.Name)
			}
			if !slices.Equal(names, tc.rules) {
				t.Errorf("rules %q, want %q", names, tc.rules)
			}
			if !reflect.DeepEqual(got.Scan, tc.scan) {
				t.Errorf("scan %#v, want %#v", got.Scan, tc.scan)
			}
			// The server's configuration is not changed.
			if len(server.Rules) != 1 || len(server.Scan.Exclude) != 1 || !server.Scan.BuiltinRules {
				t.Errorf("WithDetection changed the server's configuration: %#v", server)
			}
		})
	}
}
