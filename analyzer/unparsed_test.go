package analyzer

import (
	"context"
	"testing"
)

// TestUnparsedFileKeepsItsKeys: a version of a file that cannot be parsed
// (tree-sitter-swift spins on this one until its limit) says nothing
// about its keys, so they are not reported deleted; the error is
// reported, and the next version that parses decides.
func TestUnparsedFileKeepsItsKeys(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c1 := r.Commit("keys", map[string]string{"a.swift": "let f = visitor.getFlag(\"k\")\n", "b.js": flagJS("j")})
	c2 := r.Commit("spins", map[string]string{"a.swift": "let f = visitor.getFlag(\"k\")\n{2(){s"})
	c3 := r.Commit("gone", map[string]string{"a.swift": "let g = 1\n"})
	equal(t, "first push", h.push(zero, c1), []string{"Flag.new j", "Flag.new k"})
	out, err := h.analyzer().Push(context.Background(), Update{Old: c1, New: c2, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	if got := describeEvents(out.Events); len(got) != 0 {
		t.Errorf("an unparsed version gave events %q", got)
	}
	if len(out.Errors) != 1 || out.Errors[0].Path != "a.swift" || out.Errors[0].Kind != "parse" {
		t.Errorf("errors %+v, want the parse error of a.swift", out.Errors)
	}
	equal(t, "the version after", h.push(c2, c3), []string{"Flag.deleted k"})
}
