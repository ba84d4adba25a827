package action

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/diff"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/source"
)

// The step outputs of a pull- or merge-request run.
const (
	OutputAddedFlags   = "added_flags"   // JSON array of the keys the change adds
	OutputRemovedFlags = "removed_flags" // JSON array of the keys it removes
	OutputChanges      = "changes"       // JSON array of the changes, with references
)

// runRequest reports the change of a pull or merge request: from the
// merge base to the head. It stores no snapshot, and sends its events only
// to the webhooks whose scopes ask for pull requests: the change is not
// merged.
func (a *actionRun) runRequest(ctx context.Context, p *Push, std cli.IO) error {
	r := p.Request
	g := git.CLI{Dir: a.rf.Repo}
	base, err := a.requestBase(ctx, g, r)
	if err != nil {
		return err
	}
	if a.rf.Repository == "" && a.getenv("FLAGSCAN_REPOSITORY") == "" {
		a.rf.Repository = p.Repository
	}
	if a.rf.WebURL == "" && a.getenv("FLAGSCAN_WEB_URL") == "" {
		a.rf.WebURL = p.WebURL
	}
	w, err := workspace.Open(ctx, a.rf)
	if err != nil {
		return err
	}
	defer w.Close()
	sc, err := w.Scanner()
	if err != nil {
		return err
	}
	from, err := source.Rev(a.rf.Repo, base)
	if err != nil {
		return err
	}
	to, err := source.Rev(a.rf.Repo, r.Head)
	if err != nil {
		return err
	}
	d, err := diff.Compute(ctx, sc, from, to, &w.Config.Hook.Policy)
	if err != nil {
		return err
	}
	d.Base, d.Head = base, r.Head
	log, err := cli.NewLogger(a.logFormat, a.version, a.stderr, slog.LevelWarn)
	if err != nil {
		return err
	}
	if err := a.sendRequestEvents(ctx, w, p, d, log); err != nil {
		return err
	}
	web := workspace.WebURL(a.rf.WebURL)
	md := requestMarkdown(p, d, web)
	if path := a.opts.Output; path != "" {
		if err := appendFile(path, func(out io.Writer) error { return writeRequestOutputs(out, d) }); err != nil {
			return fmt.Errorf("write step outputs: %w", err)
		}
	}
	if path := a.opts.Summary; path != "" {
		if err := appendFile(path, func(out io.Writer) error { _, err := io.WriteString(out, md); return err }); err != nil {
			return fmt.Errorf("write job summary: %w", err)
		}
	}
	if a.opts.Comment {
		what, err := comment(ctx, r, md, len(d.Changes) > 0)
		if err != nil {
			return fmt.Errorf("comment on %s: %w", requestName(r), err)
		}
		if what != "" {
			a.logf("%s %s", what, requestName(r))
		}
	}
	if a.opts.Format == "json" {
		if err := report.JSON(std.Out, d); err != nil {
			return err
		}
	} else if err := report.WriteDiff(std.Out, "table", *d); err != nil {
		return err
	}
	if why := diff.Failures(d, a.opts.FailOn); len(why) > 0 {
		return &diff.FailError{Why: why}
	}
	return nil
}

func requestName(r *Request) string {
	if r.Forge == ForgeGitLab {
		return fmt.Sprintf("merge request !%d", r.Number)
	}
	return fmt.Sprintf("pull request #%d", r.Number)
}

// requestBase returns the merge base of the request, fetching what a
// shallow checkout lacks (deepening the history of both sides, then
// unshallowing it).
func (a *actionRun) requestBase(ctx context.Context, g git.CLI, r *Request) (string, error) {
	if r.Base == "" || r.Head == "" {
		return "", cli.Usagef("%s: its base and head commits are not known", requestName(r))
	}
	for _, c := range []string{r.Base, r.Head} {
		if g.Has(ctx, c) {
			continue
		}
		if a.noFetch {
			return "", fmt.Errorf("commit %s of %s is not in the repository, and --no-fetch forbids fetching it", cli.Short(c), requestName(r))
		}
		a.logf("fetching commit %s of %s from origin", cli.Short(c), requestName(r))
		if err := g.Fetch(ctx, "--depth=50", "origin", c); err != nil {
			return "", fmt.Errorf("commit %s of %s could not be fetched from origin: %w", cli.Short(c), requestName(r), err)
		}
	}
	if r.MergeBase {
		return r.Base, nil
	}
	n := 50
	for step := 0; ; step++ {
		if mb, err := g.MergeBase(ctx, r.Base, r.Head); err == nil {
			return mb, nil
		} else if !g.Shallow(ctx) || a.noFetch {
			return "", fmt.Errorf("%s: no merge base of %s and %s (%v): check out with fetch-depth: 0", requestName(r), cli.Short(r.Base), cli.Short(r.Head), err)
		}
		args := []string{fmt.Sprintf("--deepen=%d", n), "origin", r.Base, r.Head}
		if step == deepenSteps {
			args[0] = "--unshallow"
		}
		a.logf("shallow checkout: fetching %s to find the merge base of %s", args[0], requestName(r))
		if err := g.Fetch(ctx, args...); err != nil {
			return "", fmt.Errorf("%s: cannot fetch the history of its base and head (%v): check out with fetch-depth: 0", requestName(r), err)
		}
		n *= 4
	}
}

// writeRequestOutputs writes the step outputs of a request's change.
func writeRequestOutputs(w io.Writer, d *report.Diff) error {
	return writeOutputs(w, []output{
		{OutputAddedFlags, d.Keys(diff.Added)},
		{OutputRemovedFlags, d.Keys(diff.Removed)},
		{OutputChanges, d.Changes},
	})
}

// requestMarker is the hidden line that marks flagscan's comment on a
// pull or merge request, so that later runs update it.
const requestMarker = "<!-- flagscan:request-report -->"

// requestMarkdown is the summary and the comment of a request's change.
func requestMarkdown(p *Push, d *report.Diff, web string) string {
	r := p.Request
	var b strings.Builder
	b.WriteString(requestMarker + "\n")
	fmt.Fprintf(&b, "### flagscan: %s\n\n", mdText(requestName(r)))
	fmt.Fprintf(&b, "From the merge base %s of %s to %s of %s: %s added, %s removed.\n",
		mdCode(cli.Short(d.Base)), mdCode(r.BaseRef), mdCode(cli.Short(d.Head)), mdCode(r.HeadRef),
		plural(d.Count(diff.Added), "flag key"), plural(d.Count(diff.Removed), "flag key"))
	if len(d.Changes) == 0 {
		b.WriteString("\nNo flag key appears or disappears.\n")
		return b.String()
	}
	b.WriteString("\n| change | flag | references |\n|---|---|---|\n")
	for _, c := range d.Changes {
		at := d.Head
		kind := "added"
		switch {
		case c.Kind == diff.Removed:
			at, kind = d.Base, "removed"
		case c.BreaksPattern:
			kind = "added, does not match " + mdCode(d.KeyPattern)
		}
		var refs []string
		for i, ref := range c.References {
			if i == maxSummaryRefs {
				refs = append(refs, fmt.Sprintf("and %d more", len(c.References)-maxSummaryRefs))
				break
			}
			text := fmt.Sprintf("%s:%d", ref.Path, ref.Line)
			if web != "" {
				refs = append(refs, mdLink(text, lineURL(web, at, ref.Path, ref.Line)))
			} else {
				refs = append(refs, mdCode(text))
			}
		}
		s := strings.Join(refs, "<br>")
		if c.Kind == diff.Removed {
			s = "last seen: " + s
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", kind, mdCode(c.Key), s)
	}
	b.WriteString("\nNo webhook is sent for a change that is not merged.\n")
	return b.String()
}

// lineURL links a line as GitHub and GitLab (web ends in /-) do.
func lineURL(web, sha, path string, line int) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return fmt.Sprintf("%s/blob/%s/%s#L%d", web, sha, strings.Join(segs, "/"), line)
}
