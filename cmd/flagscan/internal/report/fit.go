package report

import (
	"bytes"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"
)

// fit returns the writer a table is written to: for a terminal, a buffer
// whose lines flush cuts to the terminal's width, ending a cut line with
// an ellipsis, so that a long path or default does not wrap every row; for
// anything else, w itself (files and pipes get whole lines).
func fit(w io.Writer) (io.Writer, func() error) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return w, func() error { return nil }
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width < 20 {
		return w, func() error { return nil }
	}
	var buf bytes.Buffer
	return &buf, func() error {
		var out strings.Builder
		for _, line := range strings.SplitAfter(buf.String(), "\n") {
			out.WriteString(cut(line, width))
		}
		_, err := io.WriteString(w, out.String())
		return err
	}
}

// cut shortens line (with its newline, if any) to width characters.
func cut(line string, width int) string {
	body, nl := strings.CutSuffix(line, "\n")
	if utf8.RuneCountInString(body) <= width {
		return line
	}
	r := []rune(body)
	s := string(r[:width-1]) + "…"
	if nl {
		s += "\n"
	}
	return s
}
