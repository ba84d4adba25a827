// Package ptytest opens pseudo-terminals for tests of what the commands
// draw only on a terminal (progress lines, tables fitted to its width).
package ptytest

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// Open opens a pseudo-terminal of the given width (0: the default) and
// returns its master side, to read what was drawn, and the terminal.
func Open(tb testing.TB, width int) (master, tty *os.File) {
	tb.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		tb.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		tb.Skipf("unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		tb.Skipf("the pseudo-terminal's number: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		tb.Skipf("open the pseudo-terminal: %v", err)
	}
	tb.Cleanup(func() { s.Close(); m.Close() })
	if width > 0 {
		if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: uint16(width)}); err != nil {
			tb.Fatalf("set the terminal's width: %v", err)
		}
	}
	return m, s
}
