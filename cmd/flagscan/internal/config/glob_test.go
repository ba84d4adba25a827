package config

import (
	"strings"
	"testing"
)

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"**", "a.go", true},
		{"**", "a/b/c.go", true},
		{"**", "", true},
		{"*", "a.go", true},
		{"*", "a/b.go", false},
		{"*.go", "main.go", true},
		{"*.go", "cmd/main.go", false},
		{"**/*.go", "main.go", true},
		{"**/*.go", "cmd/flagscan/main.go", true},
		{"**/*.go", "cmd/flagscan/main.go.txt", false},
		{"**/*.min.js", "static/js/app.min.js", true},
		{"**/*.min.js", "static/js/app.js", false},
		{"vendor/**", "vendor", true},
		{"vendor/**", "vendor/x/y.go", true},
		{"vendor/**", "vendors/x.go", false},
		{"vendor/**", "src/vendor/x.go", false},
		{"services/checkout/**", "services/checkout/api/main.go", true},
		{"services/checkout/**", "services/checkout-v2/main.go", false},
		{"services/*/main.go", "services/checkout/main.go", true},
		{"services/*/main.go", "services/a/b/main.go", false},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/b", true},
		{"a/**/b", "a/x/y/z/b", true},
		{"a/**/b", "a/x/y/z/c", false},
		{"a/**/b/**/c", "a/1/b/2/b/3/c", true},
		{"a/**/b/**/c", "a/1/b/2/c/3", false},
		{"**/test/**", "pkg/test/data/x.json", true},
		{"**/test/**", "pkg/tests/x.json", false},
		{"?.go", "a.go", true},
		{"?.go", "ab.go", false},
		{"a?b", "a/b", false},
		{"[abc].go", "b.go", true},
		{"[abc].go", "d.go", false},
		{"[a-c]*.go", "bar.go", true},
		{"[^a-c]*.go", "bar.go", false},
		{"[^a-c]*.go", "zed.go", true},
		{`\*.go`, "*.go", true},
		{`\*.go`, "a.go", false},
		{"main", "main", true},
		{"release/*", "release/1.0", true},
		{"release/*", "release/1.0/hotfix", false},
		{"release/**", "release/1.0/hotfix", true},
		{"release/*", "release", false},
		{"a/b", "a/b/", false},
		{".*", ".github", true},
		{"a/[b", "a/[b", false}, // malformed: matches nothing
	} {
		if got := MatchGlob(tc.pattern, tc.name); got != tc.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

func TestCheckGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		err     string // "" for valid
	}{
		{"**", ""},
		{"vendor/**", ""},
		{"**/*.min.js", ""},
		{"a/**/b", ""},
		{"release/*", ""},
		{"[a-z]?.go", ""},
		{`\[literal\]`, ""},
		{"", "is empty"},
		{" ", "is empty"},
		{"/vendor/**", "remove the leading /"},
		{"vendor/", `write "vendor/**"`},
		{"a//b", "empty path segment"},
		{"src/**.js", "** must be a whole path segment"},
		{"**a/b", "** must be a whole path segment"},
		{"[!a]", "[^...]"},
		{"a/[b", "is malformed"},
		{`a\`, "is malformed"},
	} {
		err := CheckGlob(tc.pattern)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("CheckGlob(%q) = %v, want nil", tc.pattern, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("CheckGlob(%q) = %v, want an error containing %q", tc.pattern, err, tc.err)
		}
	}
}

func BenchmarkMatchGlob(b *testing.B) {
	for b.Loop() {
		MatchGlob("**/node_modules/**/*.min.js", "web/app/node_modules/lib/dist/deep/x.min.js")
	}
}

func TestBraceGlobs(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"**/*.{py,go}", "a/b/c.py", true},
		{"**/*.{py,go}", "c.go", true},
		{"**/*.{py,go}", "c.js", false},
		{"{web,api}/**", "api/x/y.ts", true},
		{"{web,api}/**", "docs/x.md", false},
		{"src/{a,b{1,2}}/*.ts", "src/b2/x.ts", true},
		{"src/{a,b{1,2}}/*.ts", "src/b3/x.ts", false},
		{`lit\{a,b\}.js`, "lit{a,b}.js", true},
	} {
		if err := CheckGlob(tc.pattern); err != nil {
			t.Errorf("CheckGlob(%q): %v", tc.pattern, err)
		}
		if got := MatchGlob(tc.pattern, tc.name); got != tc.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
	if err := CheckGlob("**/*.{py,go"); err == nil {
		t.Error("unbalanced braces accepted")
	}
	if err := CheckGlob("{a,b//c}"); err == nil {
		t.Error("an alternative with an empty segment accepted")
	}
}
