package resolve

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// emptyTree is a tree with no files, for recording what is asked of it.
type emptyTree struct{}

func (emptyTree) Has(string) bool                           { return false }
func (emptyTree) Dir(string) []string                       { return nil }
func (emptyTree) ByName(string) []string                    { return nil }
func (emptyTree) File(context.Context, string) *syntax.File { return nil }
func (emptyTree) Read(context.Context, string) []byte       { return nil }
func (emptyTree) Paths([]string) []string                   { return nil }

// TestDepsJSON: what a resolution looked at, stored and read back, is
// touched by the same changes.
func TestDepsJSON(t *testing.T) {
	rec := Record(emptyTree{})
	ctx := context.Background()
	rec.Has("src/flags.ts")
	rec.File(ctx, "src/consts/index.ts")
	rec.Dir("pkg/flags")
	rec.ByName("go.mod")
	rec.Paths([]string{".java"})
	raw, err := json.Marshal(rec.Deps())
	if err != nil {
		t.Fatal(err)
	}
	var back Deps
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{
		"src/flags.ts":        true,
		"src/consts/index.ts": true,
		"pkg/flags/new.go":    true,
		"sub/go.mod":          true,
		"a/B.java":            true,
		"src/other.ts":        false,
		"pkg/flags/sub/x.go":  false,
		"README.md":           false,
	} {
		if got := back.Touches(p); got != want || rec.Deps().Touches(p) != want {
			t.Errorf("Touches(%q) = %v after a round trip (%v before), want %v", p, got, rec.Deps().Touches(p), want)
		}
	}
	again, err := json.Marshal(&back)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(raw) {
		t.Errorf("stored again as %s, was %s", again, raw)
	}
}
