// Package diff is flagscan diff: the flag keys one tree adds to and
// removes from another (two revisions, HEAD and the index, or HEAD and
// the working tree), with their references, and the policies that fail
// a build on them. The pull- and merge-request reports of flagscan ci
// compute their change with Compute too.
package diff

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/sarif"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/source"
)

// The kinds of change, which are also SARIF rule ids' last part.
const (
	Added   = "added"   // a key the head references and the base does not
	Removed = "removed" // a key the base references and the head does not
)

// Change is one key added or removed, with its references: in the head for
// an added key, in the base (where it was last seen) for a removed one.
type Change = report.DiffChange

// Result is the change from Base to Head.
type Result = report.Diff

// Compute scans base and head with sc and returns the keys head adds and
// removes. policy, when not nil, marks the added keys it refuses.
func Compute(ctx context.Context, sc *scanner.Scanner, base, head source.Source, policy *config.Policy) (*Result, error) {
	before, err := sc.Scan(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("scan the base: %w", err)
	}
	after, err := sc.Scan(ctx, head)
	if err != nil {
		return nil, fmt.Errorf("scan the head: %w", err)
	}
	old, cur := byKey(before.References), byKey(after.References)
	res := &Result{Changes: []Change{}}
	for _, k := range sortedKeys(cur) {
		if _, ok := old[k]; !ok {
			c := Change{Kind: Added, Key: k, References: cur[k]}
			c.BreaksPattern = policy != nil && !policy.MatchKey(k)
			res.Changes = append(res.Changes, c)
		}
	}
	for _, k := range sortedKeys(old) {
		if _, ok := cur[k]; !ok {
			res.Changes = append(res.Changes, Change{Kind: Removed, Key: k, References: old[k]})
		}
	}
	if policy != nil {
		res.KeyPattern = policy.KeyPattern
	}
	return res, nil
}

func byKey(refs []scanner.Reference) map[string][]scanner.Reference {
	m := map[string][]scanner.Reference{}
	for _, r := range refs {
		m[r.FlagKey] = append(m[r.FlagKey], r)
	}
	return m
}

func sortedKeys(m map[string][]scanner.Reference) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// What --fail-on accepts.
const (
	FailAdded   = "added"   // any key added
	FailRemoved = "removed" // any key removed
	FailChange  = "change"  // any key added or removed
	FailPolicy  = "policy"  // an added key breaking hook.policy.key_pattern
)

// ExitFailOn is the exit status of a diff that --fail-on fails.
const ExitFailOn = 3

// CheckFailOn checks the values of --fail-on.
func CheckFailOn(values []string) error {
	for _, v := range values {
		switch v {
		case FailAdded, FailRemoved, FailChange, FailPolicy:
		default:
			return cli.Usagef("--fail-on %q: use added, removed, change or policy", v)
		}
	}
	return nil
}

// Failures returns why the policies of failOn fail r, none when they pass.
func Failures(r *Result, failOn []string) []string {
	var why []string
	added, removed := r.Count(Added), r.Count(Removed)
	for _, f := range failOn {
		switch f {
		case FailAdded:
			if added > 0 {
				why = append(why, fmt.Sprintf("%s added (--fail-on added)", keys(added)))
			}
		case FailRemoved:
			if removed > 0 {
				why = append(why, fmt.Sprintf("%s removed (--fail-on removed)", keys(removed)))
			}
		case FailChange:
			if added+removed > 0 {
				why = append(why, fmt.Sprintf("%s added or removed (--fail-on change)", keys(added+removed)))
			}
		case FailPolicy:
			for _, c := range r.Changes {
				if c.BreaksPattern {
					at := ""
					if len(c.References) > 0 {
						at = fmt.Sprintf(" at %s:%d", cli.Printable(c.References[0].Path), c.References[0].Line)
					}
					why = append(why, fmt.Sprintf("new key %q%s does not match hook.policy.key_pattern %q (--fail-on policy)", c.Key, at, r.KeyPattern))
				}
			}
		}
	}
	return why
}

func keys(n int) string {
	if n == 1 {
		return "1 key"
	}
	return fmt.Sprintf("%d keys", n)
}

// FailError is the error of a diff its policies fail; its exit status is
// ExitFailOn.
type FailError struct{ Why []string }

func (e *FailError) Error() string { return strings.Join(e.Why, "; ") }

// ExitCode is ExitFailOn.
func (e *FailError) ExitCode() int { return ExitFailOn }

// Options are the flags and arguments of flagscan diff.
type Options struct {
	Repo   string
	Config string
	Args   []string // [BASE [HEAD]]; BASE...HEAD for their merge base
	Staged bool
	Format string // table, json, csv or sarif
	FailOn []string
	Scan   workspace.ScanSettings
}

// Run prints the change and applies --fail-on.
func Run(ctx context.Context, o Options, std cli.IO) error {
	format, err := outputFormat(o.Format, std)
	if err != nil {
		return err
	}
	if err := CheckFailOn(o.FailOn); err != nil {
		return err
	}
	if o.Repo == "" {
		o.Repo = "."
	}
	top, ok, err := git.WorkTreeOf(o.Repo)
	if err != nil {
		return err
	}
	base, head, err := sources(ctx, o, top, ok)
	if err != nil {
		return err
	}
	cfg, err := workspace.LoadScanConfig(o.Config, top)
	if err != nil {
		return err
	}
	sc, err := workspace.NewScanner(cfg, o.Scan)
	if err != nil {
		return err
	}
	var policy config.Policy
	if cfg.File != "" {
		data, err := config.ReadFile(cfg.File)
		if err != nil {
			return err
		}
		if policy, err = config.ParsePolicy(cfg.File, data); err != nil {
			return cli.Usage(err)
		}
	}
	res, err := Compute(ctx, sc, base.src, head.src, &policy)
	if err != nil {
		return err
	}
	res.Base, res.Head = base.name, head.name
	if format == "sarif" {
		err = sarif.Write(std.Out, res)
	} else {
		err = report.WriteDiff(std.Out, format, *res)
	}
	if err != nil {
		return err
	}
	if why := Failures(res, o.FailOn); len(why) > 0 {
		return &FailError{Why: why}
	}
	return nil
}

func outputFormat(f string, std cli.IO) (string, error) {
	switch f {
	case "":
		return cli.OutputFormat(f, std.Out)
	case "table", "json", "csv", "sarif":
		return f, nil
	}
	return "", cli.Usagef("--format %q: use table, json, csv or sarif", f)
}

type side struct {
	src  source.Source
	name string
}

// sources returns the base and head the arguments name.
func sources(ctx context.Context, o Options, top string, inWorkTree bool) (base, head side, err error) {
	args := o.Args
	if len(args) == 1 {
		if b, h, ok := strings.Cut(args[0], "..."); ok {
			if b == "" || h == "" {
				return base, head, cli.Usagef("%q: give BASE...HEAD", args[0])
			}
			mb, err := git.CLI{Dir: o.Repo}.MergeBase(ctx, b, h)
			if err != nil {
				return base, head, fmt.Errorf("the merge base of %s and %s: %w", b, h, err)
			}
			args = []string{mb, h}
		} else if b, h, ok := strings.Cut(args[0], ".."); ok && b != "" && h != "" {
			args = []string{b, h}
		}
	}
	if o.Staged && len(args) > 1 {
		return base, head, cli.Usagef("--staged compares a revision (default HEAD) with the index: give at most one")
	}
	if len(args) > 2 {
		return base, head, cli.Usagef("diff takes at most BASE and HEAD")
	}
	baseRev := "HEAD"
	if len(args) > 0 {
		baseRev = args[0]
	}
	if base, err = rev(o.Repo, baseRev); err != nil {
		return base, head, err
	}
	switch {
	case len(args) == 2:
		head, err = rev(o.Repo, args[1])
	case o.Staged:
		head, err = staged(ctx, o.Repo)
	default:
		if !inWorkTree {
			return base, head, cli.Usagef("%s has no work tree: give BASE and HEAD", o.Repo)
		}
		var d source.Source
		if d, err = source.Dir(top); err == nil {
			head = side{src: d, name: "the working tree"}
		}
	}
	return base, head, err
}

func rev(repo, rev string) (side, error) {
	s, err := source.Rev(repo, rev)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return side{}, err
		}
		return side{}, cli.Usage(err)
	}
	return side{src: s, name: s.(*source.RevSource).Commit()}, nil
}

func staged(ctx context.Context, repoDir string) (side, error) {
	files, err := git.CLI{Dir: repoDir}.Staged(ctx)
	if err != nil {
		return side{}, err
	}
	repo, err := git.Open(repoDir)
	if err != nil {
		return side{}, err
	}
	entries := make([]source.Entry, len(files))
	for i, f := range files {
		entries[i] = source.Entry{Path: f.Path, Blob: f.Blob}
	}
	return side{src: source.Blobs(repo, entries), name: "the index"}, nil
}
