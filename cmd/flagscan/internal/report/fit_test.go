package report

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli/ptytest"
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

// TestFitCutsToTheTerminalsWidth: a table on an 40-column terminal has no
// line over 40 characters.
func TestFitCutsToTheTerminalsWidth(t *testing.T) {
	master, tty := ptytest.Open(t, 40)
	w, flush := fit(tty)
	io.WriteString(w, strings.Repeat("x", 100)+"\nshort\n")
	if err := flush(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1024)
	master.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _ := master.Read(buf)
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(buf[:n]), "\r", "")), "\n")
	if len(lines) != 2 || lines[0] != strings.Repeat("x", 39)+"…" || lines[1] != "short" {
		t.Errorf("the terminal shows %q", lines)
	}
}
