package treesitter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestDeepNesting: a call inside thousands of parentheses is found, in
// time linear in the nesting (climbing out of it once was quadratic).
func TestDeepNesting(t *testing.T) {
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.NewParser()
	defer p.Close()
	src := []byte(strings.Repeat("(\n", 30000) + `visitor.getFlag("deep")` + strings.Repeat(")\n", 30000))
	start := time.Now()
	f, err := p.Extract(context.Background(), "javascript", src, map[string]bool{"getFlag": true})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Calls) != 1 || f.Calls[0].Args[0].Value.Value != "deep" {
		t.Fatalf("calls %+v", f.Calls)
	}
	// Not a timing assertion on the machine's speed: quadratic climbing
	// took 37 s here, linear work takes milliseconds; 10 s tells them apart
	// on any machine.
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("extraction took %v", d)
	}
}

// TestNestedCallsLinear: a flag call whose argument nests 16,000 calls on
// separate lines (an 80 KB file) is extracted in time linear in the
// nesting, in every grammar family the issue measured: modelling each
// nested call, copying its text and asking tree-sitter for its parent
// took 27.5 s here.
func TestNestedCallsLinear(t *testing.T) {
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 16000
	for _, tc := range []struct{ lang, inner, head, tail string }{
		{"javascript", "f", "", ""},
		{"javascript", "visitor.getFlag", "", ""},
		{"python", "f", "", ""},
		{"go", "f", "package p\nfunc g() {\n", "}\n"},
	} {
		p := reg.NewParser()
		src := tc.head + `visitor.getFlag("k", ` + strings.Repeat(tc.inner+"(\n", n) + "1" + strings.Repeat(")\n", n) + ")\n" + tc.tail
		start := time.Now()
		f, err := p.Extract(context.Background(), tc.lang, []byte(src), map[string]bool{"getFlag": true})
		d := time.Since(start)
		p.Close()
		if err != nil {
			t.Fatalf("%s %s: %v", tc.lang, tc.inner, err)
		}
		if len(f.Calls) == 0 || f.Calls[0].Args[0].Value.Value != "k" {
			t.Errorf("%s %s: first call %+v", tc.lang, tc.inner, f.Calls)
		}
		// As TestDeepNesting: quadratic work took 27.5 s, linear work
		// well under a second; 10 s tells them apart on any machine.
		if d > 10*time.Second {
			t.Errorf("%s %s: extraction took %v", tc.lang, tc.inner, d)
		}
	}
}

// cancelAfter is a context whose Err turns to Canceled after n calls: a
// cancellation that arrives while a file is being extracted.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestExtractStopsWhenCancelled: a cancelled context stops the extraction
// of a file in progress (SIGTERM waited 25 s for a hostile file).
func TestExtractStopsWhenCancelled(t *testing.T) {
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.NewParser()
	defer p.Close()
	src := []byte(strings.Repeat("visitor.getFlag(\"k\");\n", 5000))
	ctx := &cancelAfter{Context: context.Background(), n: 1} // the check before the parse passes
	if _, err := p.Extract(ctx, "javascript", src, map[string]bool{"getFlag": true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The parser is still good for the next file.
	f, err := p.Extract(context.Background(), "javascript", src[:44], map[string]bool{"getFlag": true})
	if err != nil || len(f.Calls) != 2 {
		t.Fatalf("next file: %v, %+v", err, f)
	}
}
