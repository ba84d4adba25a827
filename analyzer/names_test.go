package analyzer

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"
)

// flagsTS is a constants module naming the checkout key.
func flagsTS(checkout string) string {
	return fmt.Sprintf("export const FLAGS = {\n  CHECKOUT: '%s',\n  SEARCH: 'search',\n} as const;\n", checkout)
}

// useTS is a module that takes the key of name from the constants module.
func useTS(name string) string {
	return "import { FLAGS } from './flags';\nexport const on = visitor.getFlag(FLAGS." + name + ", false);\n"
}

// TestPushDefinitionOnly: a push that changes only the constants module
// moves the key in every file that uses it, which did not change: exactly
// the moved key's events, attributed to the commit that changed the
// definition, with the uses as the new key's references. A later push
// that changes neither a use nor a definition emits nothing.
func TestPushDefinitionOnly(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{
		"src/flags.ts": flagsTS("checkout-v1"),
		"src/a.ts":     useTS("CHECKOUT"),
		"src/b.ts":     useTS("CHECKOUT"),
		"src/c.ts":     useTS("SEARCH"),
		"src/lit.ts":   flagJS("literal"),
	})
	c1 := r.Commit("add a use", map[string]string{"src/d.ts": useTS("CHECKOUT")})
	equal(t, "a new use of a known key", h.push(c0, c1), nil)

	c2 := r.Commit("rename the checkout key", map[string]string{"src/flags.ts": flagsTS("checkout-v2")})
	out, err := h.analyzer().Push(context.Background(), Update{Old: c1, New: c2, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "definition changed", describeEvents(out.Events), []string{"Flag.deleted checkout-v1", "Flag.new checkout-v2"})
	for _, e := range out.Events {
		if e.Body.Commit.SHA != c2 {
			t.Errorf("%s %s attributed to %s, want %s", e.Body.Event, e.Body.FlagKey, e.Body.Commit.SHA, c2)
		}
		var paths []string
		for _, ref := range e.Body.References {
			paths = append(paths, ref.Path)
		}
		if want := []string{"src/a.ts", "src/b.ts", "src/d.ts"}; !slices.Equal(paths, want) {
			t.Errorf("%s %s references %q, want %q", e.Body.Event, e.Body.FlagKey, paths, want)
		}
	}

	c3 := r.Commit("unrelated", map[string]string{"src/other.ts": "export const x = 1;\n"})
	equal(t, "unrelated change", h.push(c2, c3), nil)

	c4 := r.Commit("one use moves to another key", map[string]string{"src/d.ts": useTS("SEARCH")})
	equal(t, "a use changed, the key keeps others", h.push(c3, c4), nil)

	c5 := r.Commit("constants module removed", map[string]string{"src/flags.ts": ""})
	equal(t, "definitions gone", h.push(c4, c5), []string{"Flag.deleted checkout-v2", "Flag.deleted search"})

	c6 := r.Commit("constants module back", map[string]string{"src/flags.ts": flagsTS("checkout-v3")})
	equal(t, "definitions back", h.push(c5, c6), []string{"Flag.new checkout-v3", "Flag.new search"})
}

// TestLogDefinitionOnly: the history of a key that only a constants
// module changes, commit by commit, as flagscan log reports it.
func TestLogDefinitionOnly(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{"src/flags.ts": flagsTS("v1"), "src/a.ts": useTS("CHECKOUT")})
	c1 := r.Commit("v2", map[string]string{"src/flags.ts": flagsTS("v2")})
	c2 := r.Commit("unrelated", map[string]string{"README.md": "hello"})
	c3 := r.Commit("use removed", map[string]string{"src/a.ts": ""})
	var got []string
	err := h.analyzer().Log(context.Background(), "main", "", c3, func(e event.Event) error {
		got = append(got, e.Body.Event+" "+e.Body.FlagKey+" "+e.Body.Commit.SHA)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{"Flag.deleted v1 " + c1, "Flag.deleted v2 " + c3, "Flag.new v1 " + c0, "Flag.new v2 " + c1}
	slices.Sort(want)
	_ = c2
	equal(t, "log", got, want)
}
