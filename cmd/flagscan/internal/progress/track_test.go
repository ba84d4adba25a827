package progress

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli/ptytest"
	"github.com/flagscan/flagscan/scanner"
)

// TestTrackDrawsOnATerminalOnly: scan and log draw their progress line on
// a terminal, and stay quiet under CI or when piped.
func TestTrackDrawsOnATerminalOnly(t *testing.T) {
	master, tty := ptytest.Open(t, 0)
	noCI := func(string) (string, bool) { return "", false }
	report, done := Track(tty, "scan", noCI)
	if report == nil {
		t.Fatal("no progress on a terminal")
	}
	report(scanner.Progress{Files: 1200, Bytes: 3 << 20, References: 7})
	time.Sleep(50 * time.Millisecond) // the first draw happens at Start
	done()
	buf := make([]byte, 4096)
	master.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, err := master.Read(buf)
	if err != nil && err != io.EOF {
		t.Fatalf("read the terminal: %v", err)
	}
	if out := string(buf[:n]); !strings.Contains(out, "1,200") {
		t.Errorf("the terminal shows %q, want the count of files", out)
	}
	if report, _ := Track(tty, "scan", func(k string) (string, bool) { return "true", k == "CI" }); report != nil {
		t.Error("a progress line under CI")
	}
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()
	if report, _ := Track(w, "scan", noCI); report != nil {
		t.Error("a progress line into a pipe")
	}
}
