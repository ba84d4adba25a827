package rules

import (
	"testing"
)

// TestNeedleSearch: the search finds each needle wherever it is in a
// file, at its start and end included, and nothing else.
func TestNeedleSearch(t *testing.T) {
	needles := append(append([]string{}, flagshipNeedles...), "variation", "x", "AB")
	var bs [][]byte
	for _, n := range needles {
		bs = append(bs, []byte(n))
	}
	s := newNeedleSearch(bs)
	for _, n := range needles {
		for _, src := range []string{n, "  " + n, n + "  ", "a(" + n + ")b"} {
			if !s.in([]byte(src)) {
				t.Errorf("needle %q not found in %q", n, src)
			}
		}
	}
	for _, src := range []string{"", "flag", "etFla", "tFlag", "odificatio", "A", "get flag", "useF s"} {
		if s.in([]byte(src)) {
			t.Errorf("a needle found in %q", src)
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
