package rules

import (
	"strings"
	"testing"
)

// TestCoarseCoverNeedles: every needle holds a coarse string, or the
// prefilter's first test would rule out files that hold a call.
func TestCoarseCoverNeedles(t *testing.T) {
	for _, n := range flagshipNeedles {
		covered := false
		for _, c := range flagshipCoarse {
			covered = covered || strings.Contains(n, c)
		}
		if !covered {
			t.Errorf("needle %q holds no coarse string of %q", n, flagshipCoarse)
		}
	}
}

// TestMayMatch: the prefilter lets through a file holding any call name or
// annotation marker, in any case for Visual Basic, and nothing else.
func TestMayMatch(t *testing.T) {
	s := New(true, []CallRule{{Name: "ld", Calls: []string{"variation"}}}, nil)
	for _, tc := range []struct {
		lang, src string
		want      bool
	}{
		{"javascript", `visitor.getFlag("k")`, true},
		{"python", `visitor.get_flag("k")`, true},
		{"go", `v.GetModificationString("k", "", true)`, true},
		{"javascript", `useFsActivate(["k"])`, true},
		{"javascript", `// fs:flag:k`, true},
		{"javascript", `ld.variation("k", user, false)`, true},
		{"javascript", `const flags = parse(argv); // feature flag`, false},
		{"vb", `visitor.GETFLAG("k")`, true},
		{"javascript", `visitor.GETFLAG("k")`, false},
		{"go", `package main`, false},
	} {
		if got := s.MayMatch(tc.lang, []byte(tc.src)); got != tc.want {
			t.Errorf("MayMatch(%s, %q) = %v, want %v", tc.lang, tc.src, got, tc.want)
		}
	}
}
