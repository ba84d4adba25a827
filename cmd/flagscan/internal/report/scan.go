// Package report writes what the commands found and did, for people
// (tables, Markdown) and for machines (JSON lines, CSV): scan results,
// events, snapshots, deliveries. It formats; it never decides.
package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"

	"github.com/flagscan/flagscan/scanner"
)

// Result writes a scan's result in the given format.
func Result(w io.Writer, format string, res *scanner.Result) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "csv":
		return writeCSV(w, res)
	}
	return writeTable(w, res)
}

func writeCSV(w io.Writer, res *scanner.Result) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"flag_key", "path", "line", "column", "language", "rule", "type", "default_value", "code"})
	for _, r := range res.References {
		def := ""
		if r.DefaultValue != nil {
			def = *r.DefaultValue
		}
		_ = cw.Write([]string{r.FlagKey, r.Path, strconv.Itoa(r.Line), strconv.Itoa(r.Column), r.Language, r.Rule, r.Type, def, r.Code})
	}
	cw.Flush()
	return cw.Error()
}

func writeTable(w io.Writer, res *scanner.Result) error {
	var flush func() error
	w, flush = fit(w)
	defer func() { _ = flush() }()
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FLAG KEY\tLOCATION\tLANGUAGE\tTYPE\tDEFAULT\tRULE")
	for _, r := range res.References {
		def := "-"
		if r.DefaultValue != nil {
			def = OneLine(*r.DefaultValue, 40)
		}
		typ := r.Type
		if typ == "" {
			typ = "-"
		}
		fmt.Fprintf(tw, "%s\t%s:%d:%d\t%s\t%s\t%s\t%s\n", cli.Printable(r.FlagKey), cli.Printable(r.Path), r.Line, r.Column, r.Language, typ, def, cli.Printable(r.Rule))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	st := res.Stats
	fmt.Fprintf(w, "\n%s to %s in %s (%d parsed, %.1f MB) in %.2fs",
		Plural(st.References, "reference"), Plural(st.Keys, "key"), Plural(st.Files, "file"), st.Parsed, float64(st.Bytes)/1e6, st.DurationSeconds)
	if skipped := st.SkippedBinary + st.SkippedOversize + st.SkippedMinified + st.SkippedGenerated; skipped > 0 {
		fmt.Fprintf(w, "; skipped %d (binary %d, over the size limit %d, minified %d, generated %d)",
			skipped, st.SkippedBinary, st.SkippedOversize, st.SkippedMinified, st.SkippedGenerated)
	}
	if st.Unresolved > 0 {
		fmt.Fprintf(w, "; %s with a key that is not a constant (see --format json)", Plural(st.Unresolved, "call"))
	}
	if st.Errors > 0 {
		fmt.Fprintf(w, "; %s with errors", Plural(st.Errors, "file"))
	}
	fmt.Fprintln(w)
	return nil
}

// OneLine returns s on one line, cut to n characters, printable.
func OneLine(s string, n int) string {
	s = cli.Printable(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Plural returns "1 file", "2 files".
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
