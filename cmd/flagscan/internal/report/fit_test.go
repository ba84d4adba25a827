package report

import (
	"bytes"
	"testing"
)

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		line  string
		width int
		want  string
	}{
		{"short\n", 20, "short\n"},
		{"a line of thirty characters..\n", 20, "a line of thirty ch…\n"},
		{"ünïcödé ünïcödé ünïcödé", 10, "ünïcödé ü…"},
	} {
		if got := cut(tc.line, tc.width); got != tc.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tc.line, tc.width, got, tc.want)
		}
	}
}

// TestFitLeavesPipesWhole: only a terminal gets cut lines.
func TestFitLeavesPipesWhole(t *testing.T) {
	var buf bytes.Buffer
	w, flush := fit(&buf)
	w.Write(bytes.Repeat([]byte("x"), 500))
	if err := flush(); err != nil || buf.Len() != 500 {
		t.Errorf("%d bytes, %v", buf.Len(), err)
	}
}
