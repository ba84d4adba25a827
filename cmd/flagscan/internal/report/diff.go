package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/scanner"
)

// DiffChange is one key a change adds or removes, as flagscan diff and the
// pull-request reports give it.
type DiffChange struct {
	Kind          string              `json:"change"` // added or removed
	Key           string              `json:"flag_key"`
	References    []scanner.Reference `json:"references"`
	BreaksPattern bool                `json:"breaks_key_pattern,omitempty"`
}

// Diff is what a change adds and removes.
type Diff struct {
	Base       string       `json:"base"`
	Head       string       `json:"head"`
	KeyPattern string       `json:"key_pattern,omitempty"`
	Changes    []DiffChange `json:"changes"`
}

// Count returns how many changes are of kind.
func (d *Diff) Count(kind string) int {
	n := 0
	for _, c := range d.Changes {
		if c.Kind == kind {
			n++
		}
	}
	return n
}

// Keys returns the keys of the changes of kind, in order.
func (d *Diff) Keys(kind string) []string {
	out := []string{}
	for _, c := range d.Changes {
		if c.Kind == kind {
			out = append(out, c.Key)
		}
	}
	return out
}

// WriteDiff writes d as a table (a line per reference), JSON (one object)
// or CSV (a row per reference).
func WriteDiff(w io.Writer, format string, d Diff) error {
	switch format {
	case "json":
		return JSON(w, d)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"change", "flag_key", "path", "line", "column", "language", "breaks_key_pattern", "code"})
		for _, c := range d.Changes {
			for _, r := range c.References {
				_ = cw.Write([]string{c.Kind, c.Key, r.Path, strconv.Itoa(r.Line), strconv.Itoa(r.Column), r.Language, strconv.FormatBool(c.BreaksPattern), r.Code})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANGE\tFLAG KEY\tLOCATION\tCODE")
	added, removed := 0, 0
	for _, c := range d.Changes {
		if c.Kind == "added" {
			added++
		} else {
			removed++
		}
		kind := c.Kind
		if c.BreaksPattern {
			kind += " (breaks key_pattern)"
		}
		for _, r := range c.References {
			fmt.Fprintf(tw, "%s\t%s\t%s:%d:%d\t%s\n", kind, cli.Printable(c.Key), cli.Printable(r.Path), r.Line, r.Column, OneLine(r.Code, 60))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s..%s: %d added, %d removed\n", shortRev(d.Base), shortRev(d.Head), added, removed)
	return err
}

// shortRev shortens a commit id, and leaves "the working tree" alone.
func shortRev(s string) string {
	if len(s) == 40 {
		return cli.Short(s)
	}
	return s
}
