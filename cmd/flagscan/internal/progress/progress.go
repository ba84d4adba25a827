// Package progress draws the status line of long analyses (sync over many
// repositories and branches) on a terminal, and keeps log lines from
// tearing it. It knows the scanner's running counts, nothing else.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/scanner"
)

// Line draws a status line for long scans on a terminal: branches done,
// the branch being analyzed, files scanned, megabytes read, references
// found, rates, and an estimate of the time left when one can be made. The
// number of files to scan is not known up front (cached blobs are not read,
// and a catch-up scans what its commits changed); when a baseline's file
// count is known, a bar and an ETA are drawn, otherwise a spinner with rates.
//
// It is a small renderer rather than a progress-bar library: the total is
// mostly unknown, so a library's bar would be a spinner anyway, and the
// line needs several counters and must make room for log lines, which is
// simpler done here than around a library's own drawing.
//
// A Line that is off does nothing; all methods are safe for concurrent
// use.
type Line struct {
	out io.Writer
	on  bool
	now func() time.Time

	mu       sync.Mutex
	start    time.Time
	files    int64 // files scanned (parsed or looked at), from the scanner
	bytes    int64
	refs     int64
	estimate int64 // files expected in the units begun so far; 0: unknown
	credited int64 // estimated files of finished units that were never scanned (cached)
	done     int   // units finished
	total    int   // units to do
	active   []*Unit
	drawn    bool // the line is on the screen
	frame    int

	stop    chan struct{}
	stopped chan struct{}
}

// Mode decides whether to draw: "auto" draws when w is a terminal
// and CI is not "true" or "1"; "on" and "off" force it.
func Mode(mode string, w io.Writer, lookup func(string) (string, bool)) (bool, error) {
	switch mode {
	case "on":
		return true, nil
	case "off":
		return false, nil
	case "auto", "":
		if v, _ := cli.LookupNonEmpty(lookup, "CI"); v == "true" || v == "1" {
			return false, nil
		}
		f, ok := w.(*os.File)
		return ok && term.IsTerminal(int(f.Fd())), nil
	}
	return false, cli.Usagef("--progress %q: use auto, on or off", mode)
}

// On reports whether the line is drawn.
func (p *Line) On() bool { return p.on }

// New returns a Line drawing on out when on; now is the clock
// (nil: time.Now).
func New(out io.Writer, on bool, now func() time.Time) *Line {
	if now == nil {
		now = time.Now
	}
	return &Line{out: out, on: on, now: now, start: now()}
}

// Start draws the line every interval until Stop.
func (p *Line) Start(interval time.Duration) {
	if !p.on {
		return
	}
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			p.draw()
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Stop draws the line a last time and ends it.
func (p *Line) Stop() {
	if !p.on || p.stop == nil {
		return
	}
	close(p.stop)
	<-p.stopped
	p.draw()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		io.WriteString(p.out, "\n")
		p.drawn = false
	}
}

func (p *Line) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "\r\x1b[K%s", p.lineLocked(p.now()))
	p.drawn = true
	p.frame++
}

// Writer returns a writer for log lines: each write first clears the
// status line, which the next tick draws again below it.
func (p *Line) Writer() io.Writer {
	if !p.on {
		return p.out
	}
	return progressWriter{p}
}

type progressWriter struct{ p *Line }

func (w progressWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	if w.p.drawn {
		io.WriteString(w.p.out, "\r\x1b[K")
		w.p.drawn = false
	}
	return w.p.out.Write(b)
}

// AddUnits announces n more units of work (branches).
func (p *Line) AddUnits(n int) {
	p.mu.Lock()
	p.total += n
	p.mu.Unlock()
}

// Unit is one branch being analyzed.
type Unit struct {
	p        *Line
	label    string
	estimate int64
	files    int64            // files the scanner reported for this unit
	last     scanner.Progress // the scanner's last running count
}

// Begin starts a unit; estimate is the number of files it should scan, 0
// when unknown.
func (p *Line) Begin(label string, estimate int64) *Unit {
	u := &Unit{p: p, label: label, estimate: estimate}
	p.mu.Lock()
	p.active = append(p.active, u)
	p.estimate += estimate
	p.mu.Unlock()
	return u
}

// Scanner returns a scanner.Options.Progress callback counting into the
// unit. The scanner's counts run from zero at each scan it makes; the
// callback adds what each call adds to the one before.
func (u *Unit) Scanner() func(scanner.Progress) {
	return func(s scanner.Progress) {
		p := u.p
		p.mu.Lock()
		defer p.mu.Unlock()
		if s.Files <= u.last.Files {
			u.last = scanner.Progress{} // a new scan
		}
		p.files += s.Files - u.last.Files
		p.bytes += s.Bytes - u.last.Bytes
		p.refs += s.References - u.last.References
		u.files += s.Files - u.last.Files
		u.last = s
	}
}

// End finishes the unit.
func (u *Unit) End() {
	p := u.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, a := range p.active {
		if a == u {
			p.active = append(p.active[:i], p.active[i+1:]...)
			break
		}
	}
	if u.estimate > u.files {
		p.credited += u.estimate - u.files
	}
	p.done++
}

// line returns the status line at now.
func (p *Line) line(now time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lineLocked(now)
}

func (p *Line) lineLocked(now time.Time) string {
	elapsed := now.Sub(p.start)
	var parts []string
	fraction := -1.0
	if p.estimate > 0 {
		fraction = min(1, float64(p.files+p.credited)/float64(p.estimate))
		filled := int(fraction * 20)
		parts = append(parts, fmt.Sprintf("[%s%s] %3d%%", strings.Repeat("#", filled), strings.Repeat(".", 20-filled), int(fraction*100)))
	} else {
		parts = append(parts, string(`|/-\`[p.frame%4]))
	}
	if p.total > 0 {
		parts = append(parts, fmt.Sprintf("%d/%d branches", p.done, p.total))
	}
	if len(p.active) > 0 {
		label := p.active[0].label
		if n := len(p.active) - 1; n > 0 {
			label += fmt.Sprintf(" (+%d)", n)
		}
		parts = append(parts, label)
	}
	parts = append(parts,
		fmt.Sprintf("%s files", thousands(p.files)),
		fmt.Sprintf("%.1f MB", float64(p.bytes)/1e6),
		fmt.Sprintf("%s refs", thousands(p.refs)))
	if secs := elapsed.Seconds(); secs >= 1 {
		parts = append(parts, fmt.Sprintf("%s files/s", thousands(int64(float64(p.files)/secs))))
	}
	switch {
	case fraction >= 0.01 && fraction < 1:
		parts = append(parts, "ETA "+clock(time.Duration(float64(elapsed)*(1-fraction)/fraction)))
	case fraction < 0 && p.done > 0 && p.total > p.done:
		parts = append(parts, "ETA "+clock(elapsed/time.Duration(p.done)*time.Duration(p.total-p.done)))
	}
	parts = append(parts, clock(elapsed))
	return strings.Join(parts, "  ")
}

// thousands formats n with comma separators: 12,345.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// clock formats a duration as m:ss, or h:mm:ss from an hour.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Track draws a progress line on w for one long piece of work (a scan, a
// log), when w is a terminal and CI is not set, and returns the scanner's
// callback (nil when nothing is drawn) and the function that ends the line.
func Track(w io.Writer, label string, lookup func(string) (string, bool)) (func(scanner.Progress), func()) {
	on, _ := Mode("auto", w, lookup)
	if !on {
		return nil, func() {}
	}
	p := New(w, true, nil)
	p.AddUnits(1)
	u := p.Begin(label, 0)
	p.Start(200 * time.Millisecond)
	return u.Scanner(), func() {
		u.End()
		p.Stop()
	}
}
