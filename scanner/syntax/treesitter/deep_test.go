package treesitter

import (
	"context"
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
