package treesitter

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestParserReuse guards against a parser failing every parse after a
// few: the workers of a scan keep one Parser for thousands of files.
func TestParserReuse(t *testing.T) {
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.NewParser()
	defer p.Close()
	src, err := os.ReadFile("../../../testdata/sdk/javascript/v4.ts")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{"getFlag": true}
	for i := 0; i < 200; i++ {
		f, err := p.Extract(context.Background(), "typescript", src, names)
		if err != nil {
			t.Fatalf("extraction %d: %v", i, err)
		}
		if len(f.Calls) == 0 {
			t.Fatalf("extraction %d: no calls", i)
		}
	}
}

// TestCustomQueryErrors checks that a custom query that does not compile
// or has no @key capture is refused with the rule's name.
func TestCustomQueryErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		q     CustomQuery
		wants string
	}{
		{"syntax", CustomQuery{Rule: "bad", Languages: []string{"typescript"}, Query: "(call_expression"}, `rule "bad": query for typescript`},
		{"no key", CustomQuery{Rule: "nokey", Languages: []string{"go"}, Query: "(call_expression) @call"}, "no @key capture"},
		{"no grammar", CustomQuery{Rule: "dart", Languages: []string{"dart"}, Query: "(x) @key"}, "has no tree-sitter grammar"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRegistry([]CustomQuery{tc.q})
			if err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wants)
			}
		})
	}
}

// TestBuiltinQueriesCompile compiles every language's built-in query, which
// the registry otherwise does only when a file of the language turns up.
func TestBuiltinQueriesCompile(t *testing.T) {
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.langs) != 10 {
		t.Errorf("%d languages, want 10: %v", len(reg.langs), Languages())
	}
	for name, z := range reg.langs {
		if _, err := z.get(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestParseBound: a parse is bounded in proportion to the file, so that a
// grammar whose scanner spins on some unfinished code (tree-sitter-swift on
// "{2(){s") gives up in about a second, not five, and the parser stays
// usable for the next file.
func TestParseBound(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{
		{0, time.Second},
		{4 << 10, time.Second + 4096*5*time.Microsecond},
		{512 << 10, time.Second + (512<<10)*5*time.Microsecond},
		{1 << 20, ParseTimeout},
	} {
		if got := parseTimeout(tc.n); got != tc.want {
			t.Errorf("parseTimeout(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.NewParser()
	defer p.Close()
	if _, err := p.Extract(context.Background(), "swift", []byte("{2(){s"), nil); !errors.Is(err, ErrParse) {
		t.Fatalf("spinning input: err = %v, want ErrParse", err)
	}
	f, err := p.Extract(context.Background(), "swift", []byte(`visitor.getFlag(key: "k")`+"\n"), map[string]bool{"getFlag": true})
	if err != nil || len(f.Calls) != 1 {
		t.Fatalf("next parse: %v, %+v", err, f)
	}
}
