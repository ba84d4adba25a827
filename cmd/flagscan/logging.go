package main

import (
	"io"
	"log/slog"

	"github.com/spf13/cobra"
)

// logFormatFlag is the root's persistent flag choosing the format of log
// lines: text (log/slog's key=value lines) or json (one JSON object a line).
const logFormatFlag = "log-format"

// logFormat returns the --log-format of cmd's command line, "text" when the
// root has no such flag.
func logFormat(cmd *cobra.Command) (string, error) {
	f := cmd.Flag(logFormatFlag)
	if f == nil {
		return "text", nil
	}
	switch v := f.Value.String(); v {
	case "", "text":
		return "text", nil
	case "json":
		return "json", nil
	default:
		return "", usagef("--%s %q: use text or json", logFormatFlag, v)
	}
}

// newLogger returns a logger writing to w in the format of --log-format,
// at level and above.
func newLogger(cmd *cobra.Command, w io.Writer, level slog.Level) (*slog.Logger, error) {
	format, err := logFormat(cmd)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}
