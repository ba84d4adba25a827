// Package cli holds what every command of the flagscan binary shares:
// usage errors (which package main maps to exit status 2), the standard
// streams, output and log formats, and reading ref updates and
// environment variables. It knows nothing of any one command.
package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/flagscan/flagscan/analyzer"
)

// UsageError marks an error in what the user asked for (the command line,
// the configuration), as opposed to one met while doing it.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return UsageError{fmt.Errorf(format, args...)}
}

// Usage marks err as a UsageError; nil stays nil.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return UsageError{err}
}

// IsUsage reports whether err is, or wraps, a UsageError.
func IsUsage(err error) bool {
	var ue UsageError
	return errors.As(err, &ue)
}

// IO is a command's standard streams, and the version of the flagscan
// that runs it.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	// Version is the running build's version (version.Info.Short), sent
	// in the User-Agent of webhook requests and in JSON log lines.
	Version string
}

// UserAgent is the User-Agent header of the webhook requests of a
// flagscan whose version is v.
func UserAgent(v string) string {
	if v == "" {
		v = "devel"
	}
	return "flagscan/" + v
}

// OutputFormat returns the format to write: the one asked for, else table
// when w is a terminal and json otherwise.
func OutputFormat(asked string, w io.Writer) (string, error) {
	switch asked {
	case "table", "json", "csv":
		return asked, nil
	case "":
		if IsTerminal(w) {
			return "table", nil
		}
		return "json", nil
	}
	return "", Usagef("--format %q: use table, json or csv", asked)
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// TableOrJSON checks a --format that takes table or json.
func TableOrJSON(format string) error {
	if format != "table" && format != "json" {
		return Usagef("--format %q: use table or json", format)
	}
	return nil
}

// LogFormatFlag is the root's persistent flag choosing the format of log
// lines: text (log/slog's key=value lines) or json (one JSON object a line).
const LogFormatFlag = "log-format"

// NewLogger returns a logger writing to w in format (text or json, as
// --log-format says; "" is text), at level and above.
func NewLogger(format, version string, w io.Writer, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: durationText}
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		// JSON lines end up in log stores mixed with those of other runs:
		// each says which flagscan wrote it.
		return slog.New(slog.NewJSONHandler(w, opts)).With("version", version), nil
	}
	return nil, Usagef("--%s %q: use text or json", LogFormatFlag, format)
}

// durationText writes durations as Go writes them (1.5s, 230ms): slog's
// JSON handler would write nanoseconds, which a person reading logs or a
// log store's query cannot tell from a count.
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}

// LookupNonEmpty returns the variable name from lookup, trimmed; false
// when it is unset or blank (or lookup is nil).
func LookupNonEmpty(lookup func(string) (string, bool), name string) (string, bool) {
	if lookup == nil {
		return "", false
	}
	v, ok := lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

// SplitList splits a comma-separated list, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Short abbreviates a commit id for messages.
func Short(id string) string {
	if len(id) > 10 {
		return id[:10]
	}
	return id
}

// ReadUpdates reads "<old> <new> <ref>" lines, as hooks get them; blank
// lines are skipped.
func ReadUpdates(r io.Reader) ([]analyzer.Update, error) {
	var out []analyzer.Update
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		u, err := analyzer.ParseUpdate(line)
		if err != nil {
			return nil, Usagef("standard input line %d: %v", n, err)
		}
		out = append(out, u)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	return out, nil
}

// Printable returns s with what a terminal would act on escaped: control
// characters (C0, DEL and C1, tabs and line breaks included) as \xNN or
// \uNNNN, and bytes that are not UTF-8 as \xNN. Keys, paths and messages
// come from pushed code: printed raw, `escape-\033[2J` would clear a
// pusher's screen. Human-readable output goes through it; JSON and CSV
// stay exact.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
