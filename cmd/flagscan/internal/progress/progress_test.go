package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flagscan/flagscan/scanner"
)

func TestProgressLine(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	now := t0
	var buf bytes.Buffer
	p := New(&buf, true, func() time.Time { return now })

	// A baseline of 100 files, scanned in two walks (the scanner's counts
	// start again at each).
	p.AddUnits(2)
	u := p.Begin("acme/shop main", 100)
	scan := u.Scanner()
	scan(scanner.Progress{Files: 1, Bytes: 1_000_000, References: 2})
	scan(scanner.Progress{Files: 2, Bytes: 3_000_000, References: 2})
	scan(scanner.Progress{Files: 1, Bytes: 500_000, References: 1})
	scan(scanner.Progress{Files: 2, Bytes: 600_000, References: 1})
	now = t0.Add(2 * time.Second)
	if got, want := p.line(now), "[....................]   4%  0/2 branches  acme/shop main  4 files  3.6 MB  3 refs  2 files/s  ETA 0:48  0:02"; got != want {
		t.Errorf("baseline under way:\n got %q\nwant %q", got, want)
	}
	// The rest of the files were in the blob cache: the unit ends at 100%.
	u.End()
	if got, want := p.line(now), "[####################] 100%  1/2 branches  4 files  3.6 MB  3 refs  2 files/s  0:02"; got != want {
		t.Errorf("baseline done:\n got %q\nwant %q", got, want)
	}

	// Catch-ups have no estimate: a spinner, and an ETA from the branches
	// done.
	q := New(&buf, true, func() time.Time { return now })
	q.AddUnits(3)
	q.Begin("a main", 0).End()
	q.Begin("b main", 0)
	q.Begin("c main", 0)
	if got, want := q.line(now.Add(20*time.Second)), "|  1/3 branches  b main (+1)  0 files  0.0 MB  0 refs  0 files/s  ETA 0:40  0:20"; got != want {
		t.Errorf("catch-ups:\n got %q\nwant %q", got, want)
	}
}

func TestProgressMakesRoomForLogs(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	p := New(&buf, true, func() time.Time { return now })
	p.draw()
	if _, err := p.Writer().Write([]byte("level=INFO msg=synced\n")); err != nil {
		t.Fatal(err)
	}
	want := "\r\x1b[K|  0 files  0.0 MB  0 refs  0:00" + "\r\x1b[K" + "level=INFO msg=synced\n"
	if buf.String() != want {
		t.Errorf("got %q\nwant %q", buf.String(), want)
	}

	// Off: nothing drawn, logs pass through.
	buf.Reset()
	off := New(&buf, false, nil)
	off.Start(time.Millisecond)
	off.Writer().Write([]byte("log\n"))
	off.Stop()
	if buf.String() != "log\n" {
		t.Errorf("off: %q", buf.String())
	}

	// Start and Stop end the line.
	buf.Reset()
	on := New(&buf, true, nil)
	on.Start(time.Hour)
	on.Stop()
	if s := buf.String(); !strings.HasPrefix(s, "\r\x1b[K") || !strings.HasSuffix(s, "\n") {
		t.Errorf("start and stop: %q", s)
	}
}

func TestProgressMode(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	env := func(ci string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if k == "CI" {
				return ci, ci != ""
			}
			return "", false
		}
	}
	for _, tc := range []struct {
		mode, ci string
		w        io.Writer
		want     bool
	}{
		{"on", "true", &bytes.Buffer{}, true},
		{"off", "", &bytes.Buffer{}, false},
		{"auto", "", &bytes.Buffer{}, false}, // not a file
		{"auto", "", devNull, false},         // a file, not a terminal
		{"auto", "true", devNull, false},
	} {
		if got, err := Mode(tc.mode, tc.w, env(tc.ci)); err != nil || got != tc.want {
			t.Errorf("Mode(%q, %T, CI=%q) = %v, %v; want %v", tc.mode, tc.w, tc.ci, got, err, tc.want)
		}
	}
	if _, err := Mode("sometimes", &bytes.Buffer{}, nil); err == nil {
		t.Error("progressMode accepted sometimes")
	}
}

func TestThousandsAndClock(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{59 * time.Second: "0:59", 61 * time.Second: "1:01", 3661 * time.Second: "1:01:01"} {
		if got := clock(d); got != want {
			t.Errorf("clock(%v) = %q, want %q", d, got, want)
		}
	}
}
