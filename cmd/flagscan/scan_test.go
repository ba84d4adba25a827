package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/scanner/git/gittest"

	"github.com/flagscan/flagscan/scanner"
)

// flagscan runs the command line in-process and returns its exit status
// and output.
func flagscan(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func decodeResult(t *testing.T, out string) scanner.Result {
	t.Helper()
	var res scanner.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output is not one JSON document: %v\n%s", err, out)
	}
	return res
}

// TestScanSDKSamples runs `flagscan scan --format json` over the SDK
// samples and checks that it reports exactly the references the .want
// files list: every key at its line, nothing in comments or strings.
func TestScanSDKSamples(t *testing.T) {
	const samples = "../../testdata/sdk"
	code, out, errOut := flagscan(t, "", "scan", "--format", "json", samples)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	res := decodeResult(t, out)
	var got []string
	for _, r := range res.References {
		got = append(got, fmt.Sprintf("%s:%d %s", filepath.Base(r.Path), r.Line, r.FlagKey))
		if !strings.HasPrefix(r.Path, "testdata/sdk/") {
			t.Errorf("path %q is not relative to the repository root", r.Path)
		}
	}
	wants, _ := filepath.Glob(filepath.Join(samples, "*", "*.want"))
	var want []string
	for _, w := range wants {
		f, err := os.Open(w)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 2 || strings.HasPrefix(fields[0], "#") || fields[0] == "unresolved" {
				continue
			}
			want = append(want, fmt.Sprintf("%s:%s %s", strings.TrimSuffix(filepath.Base(w), ".want"), fields[0], fields[1]))
		}
		f.Close()
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) < 100 {
		t.Fatalf("only %d expected references: the samples are missing", len(want))
	}
	if !slices.Equal(got, want) {
		for _, g := range got {
			if !slices.Contains(want, g) {
				t.Errorf("reported but not expected: %s", g)
			}
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("expected but not reported: %s", w)
			}
		}
	}
	if res.Stats.References != len(res.References) || res.Stats.Files == 0 || res.Stats.RulesFingerprint == "" {
		t.Errorf("stats = %+v", res.Stats)
	}
}

// TestScanRevBare scans older revisions of a bare repository.
func TestScanRevBare(t *testing.T) {
	work := t.TempDir()
	gittest.Run(t, work, "init", "-q", "-b", "main")
	for i := 0; i < 4; i++ {
		gittest.WriteFile(t, filepath.Join(work, "src", "app.ts"), fmt.Sprintf("visitor.getFlag(\"flag-%d\", %d);\n", i, i))
		gittest.Run(t, work, "add", "-A")
		gittest.Run(t, work, "commit", "-qm", fmt.Sprint("commit ", i))
	}
	gittest.Run(t, work, "tag", "v0", "HEAD~2")
	bare := filepath.Join(t.TempDir(), "some.git")
	gittest.Run(t, t.TempDir(), "clone", "-q", "--bare", work, bare)

	for _, tc := range []struct {
		args []string
		key  string
	}{
		{[]string{"--rev", "HEAD~3", "--repo", bare}, "flag-0"},
		{[]string{"--rev", "v0", "-C", bare}, "flag-1"},
		{[]string{"--rev", "main", bare}, "flag-3"},
	} {
		code, out, errOut := flagscan(t, "", append([]string{"scan", "--format", "json"}, tc.args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		res := decodeResult(t, out)
		if len(res.References) != 1 || res.References[0].FlagKey != tc.key || res.References[0].Path != "src/app.ts" || res.References[0].Line != 1 {
			t.Errorf("%v: references %+v, want %s at src/app.ts:1", tc.args, res.References, tc.key)
		}
	}
}

// TestScanErrors checks exit statuses and messages for bad input.
func TestScanErrors(t *testing.T) {
	dir := t.TempDir()
	gittest.WriteFile(t, filepath.Join(dir, "bad.yml"), "scan:\n  context_lines: many\n")
	gittest.WriteFile(t, filepath.Join(dir, "badquery.yml"), "rules:\n  - name: broken\n    languages: [typescript]\n    query: '(call_expression @key'\n")
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing path", []string{"scan", filepath.Join(dir, "nope")}, exitError, "no such file"},
		{"bad format", []string{"scan", "--format", "xml", dir}, exitUsage, `--format "xml"`},
		{"two paths", []string{"scan", dir, dir}, exitUsage, "at most one PATH"},
		{"unknown flag", []string{"scan", "--frobnicate", dir}, exitUsage, "frobnicate"},
		{"not a repository", []string{"scan", "--rev", "HEAD", dir}, exitError, "open repository"},
		{"bad config", []string{"scan", "--config", filepath.Join(dir, "bad.yml"), dir}, exitUsage, "bad.yml:2: scan.context_lines"},
		{"bad query", []string{"scan", "--config", filepath.Join(dir, "badquery.yml"), dir}, exitUsage, `badquery.yml:2: rules[0].query: rule "broken"`},
		{"no rules", []string{"scan", "--no-builtin", dir}, exitUsage, "no rules"},
		{"unknown command", []string{"frob"}, exitUsage, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := flagscan(t, "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.msg)
			}
		})
	}
}

// TestScanCustomRules: LaunchDarkly, OpenFeature and Unleash through call
// rules, a raw query rule, and --no-builtin.
func TestScanCustomRules(t *testing.T) {
	dir := t.TempDir()
	gittest.WriteFile(t, filepath.Join(dir, ".flagscan.yml"), `
webhooks: # not read by scan: the variable need not be set on a developer's machine
  - description: CI only
    events: [Flag.new]
    url: https://hooks.example.com/flags
    secret: ${FLAGSCAN_TEST_UNSET_SECRET}
scan:
  context_lines: 0
  exclude: ["vendor/**"]
rules:
  - name: launchdarkly-variation
    languages: [javascript, typescript, go]
    calls: [variation, boolVariation]
    key_argument: 0
    default_argument: 2
  - name: openfeature-boolean
    calls: [getBooleanValue]
    key_argument: 0
    default_argument: 1
  - name: unleash
    languages: [python]
    calls: [is_enabled]
    key_argument: 0
  - name: raw-query
    languages: [typescript]
    query: '(call_expression function: (identifier) @fn (#eq? @fn "flag") arguments: (arguments (string (string_fragment) @key)))'
`)
	gittest.WriteFile(t, filepath.Join(dir, "ld.ts"), "const v = ldclient.variation(\"ld-key\", user, false);\nflag(\"raw-key\"); other(\"not-raw\");\nclient.getBooleanValue(\"of-key\", true);\nvisitor.getFlag(\"fs-key\");\n")
	gittest.WriteFile(t, filepath.Join(dir, "u.py"), "if unleash.is_enabled(\"unleash-key\"):\n    pass\n")
	gittest.WriteFile(t, filepath.Join(dir, "vendor", "x.ts"), "client.getBooleanValue(\"vendored\", true);\n")

	keys := func(args ...string) []string {
		code, out, errOut := flagscan(t, "", append([]string{"scan", "--format", "json"}, args...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var ks []string
		for _, r := range decodeResult(t, out).References {
			def := "-"
			if r.DefaultValue != nil {
				def = *r.DefaultValue
			}
			ks = append(ks, fmt.Sprintf("%s %s %s %s", r.FlagKey, r.Rule, def, r.Code))
		}
		return ks
	}
	got := keys(dir)
	want := []string{
		`ld-key launchdarkly-variation false const v = ldclient.variation("ld-key", user, false);`,
		`raw-key raw-query - flag("raw-key"); other("not-raw");`,
		`of-key openfeature-boolean true client.getBooleanValue("of-key", true);`,
		`fs-key flagship.getFlag - visitor.getFlag("fs-key");`,
		`unleash-key unleash - if unleash.is_enabled("unleash-key"):`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("custom rules:\n got %q\nwant %q", got, want)
	}
	noBuiltin := keys("--no-builtin", dir)
	if slices.ContainsFunc(noBuiltin, func(s string) bool { return strings.HasPrefix(s, "fs-key") }) || len(noBuiltin) != 4 {
		t.Errorf("--no-builtin: %q", noBuiltin)
	}
}

// TestScanRobust: binary, oversize, minified and invalid UTF-8 files are
// skipped or reported, and the rest of the scan goes on.
func TestScanRobust(t *testing.T) {
	dir := t.TempDir()
	gittest.WriteFile(t, filepath.Join(dir, "ok.js"), "visitor.getFlag(\"ok\");\n")
	gittest.WriteFile(t, filepath.Join(dir, "binary.js"), "visitor.getFlag(\"bin\");\x00\x01\x02")
	gittest.WriteFile(t, filepath.Join(dir, "big.js"), strings.Repeat("visitor.getFlag(\"big\");\n", 50000))
	gittest.WriteFile(t, filepath.Join(dir, "app.min.js"), "visitor.getFlag(\"min\");")
	gittest.WriteFile(t, filepath.Join(dir, "bundle.js"), strings.Repeat("var a=1;", 1000)+"visitor.getFlag(\"bundled\");")
	gittest.WriteFile(t, filepath.Join(dir, "latin1.js"), "// caf\xe9\nvisitor.getFlag(\"latin\");\n")
	gittest.WriteFile(t, filepath.Join(dir, "client.gen.ts"), "// Code generated by flaggen. DO NOT EDIT.\nvisitor.getFlag(\"generated\");\n")
	gittest.WriteFile(t, filepath.Join(dir, "deep.js"), strings.Repeat("(\n", 30000)+"visitor.getFlag(\"deep\")"+strings.Repeat(")\n", 30000))

	code, out, errOut := flagscan(t, "", "scan", "--format", "json", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	res := decodeResult(t, out)
	var keys []string
	for _, r := range res.References {
		keys = append(keys, r.FlagKey)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"deep", "latin", "ok"}) {
		t.Errorf("keys %q, want deep, latin and ok", keys)
	}
	st := res.Stats
	if st.SkippedBinary != 1 || st.SkippedOversize != 1 || st.SkippedMinified != 1 || st.SkippedGenerated != 1 || st.Files != 7 {
		t.Errorf("stats %+v: want 1 binary, 1 oversize, 1 minified, 1 generated among 7 files (app.min.js is not even offered)", st)
	}
	if len(res.Errors) != 1 || res.Errors[0].Path != "latin1.js" || res.Errors[0].Kind != "encoding" {
		t.Errorf("errors %+v, want latin1.js: encoding", res.Errors)
	}
}

// TestTablesEscapeControlCharacters: keys and paths from pushed code are
// printed escaped in tables (a terminal would act on them), exact in JSON.
func TestTablesEscapeControlCharacters(t *testing.T) {
	dir := t.TempDir()
	gittest.WriteFile(t, filepath.Join(dir, "web", "x\x1b[2J.js"), "visitor.getFlag(\"escape-\\u001b[31m\", 1);\n")
	code, out, errOut := flagscan(t, "", "scan", dir, "--format", "table")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.ContainsAny(out+errOut, "\x1b") || !strings.Contains(out, `escape-\x1b[31m`) || !strings.Contains(out, `web/x\x1b[2J.js`) {
		t.Errorf("table:\n%q", out)
	}
	code, out, _ = flagscan(t, "", "scan", dir, "--format", "json")
	res := decodeResult(t, out)
	if code != exitOK || len(res.References) != 1 || res.References[0].FlagKey != "escape-\x1b[31m" || res.References[0].Path != "web/x\x1b[2J.js" {
		t.Errorf("JSON must stay exact: %+v", res.References)
	}
}

// TestBadQueryNamesItsLineAndCreatesNoStore: a rule whose tree-sitter query
// does not compile is a usage error at the rule's line, found before a
// store is made.
func TestBadQueryNamesItsLineAndCreatesNoStore(t *testing.T) {
	dir := gittest.New(t).Dir
	gittest.WriteFile(t, filepath.Join(dir, ".flagscan.yml"), "scan:\n  context_lines: 1\nrules:\n  - name: r\n    languages: [go]\n    query: '(call_expression function: (nope) @key)'\n")
	db := storetest.Target(t)
	code, _, errOut := flagscan(t, "", "log", "-C", dir, "--db", db)
	if code != exitUsage || !strings.Contains(errOut, ".flagscan.yml:4: rules[0].query: ") || !strings.Contains(errOut, "invalid node type") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a store was made for a configuration that cannot run: %v", err)
	}
}
