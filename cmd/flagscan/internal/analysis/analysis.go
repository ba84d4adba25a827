// Package analysis runs the commands that analyze a tree or a history and
// print what they found: scan (a working tree, a directory or a commit),
// push (ref updates into the outbox), log (every transition of a
// history), status and flags (what the store holds). It reaches the
// repository and the store only through a workspace, and git only through
// it.
package analysis

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/progress"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/source"
)

// ScanOptions are the flags of flagscan scan.
type ScanOptions struct {
	Path, Rev, Repo, Format, Config string
	Scan                            workspace.ScanSettings
	// DB is the store whose blob cache the scan uses: default
	// flagscan.db in the git directory, if there is one. NoCache turns
	// the cache off.
	DB      string
	NoCache bool
}

// Scan scans a working tree, a directory or the tree of a commit and
// prints the references.
func Scan(ctx context.Context, o ScanOptions, std cli.IO) error {
	rev, repo, format, configPath, settings := o.Rev, o.Repo, o.Format, o.Config, o.Scan
	var args []string
	if o.Path != "" {
		args = append(args, o.Path)
	}
	out, err := cli.OutputFormat(format, std.Out)
	if err != nil {
		return err
	}
	target := "."
	if len(args) == 1 {
		target = args[0]
	}
	if repo != "" {
		if len(args) == 1 {
			return cli.Usagef("give the repository either as PATH or with --repo, not both")
		}
		target = repo
	}
	if _, err := os.Stat(target); err != nil {
		return fmt.Errorf("scan %s: %w", target, err)
	}
	var (
		src source.Source
		top string
	)
	if rev != "" {
		r, err := source.Rev(target, rev)
		if err != nil {
			return err
		}
		src = r
	} else if fi, err := os.Stat(target); err == nil && fi.Mode().IsRegular() {
		one, err := source.One(target)
		if err != nil {
			return err
		}
		src = one
	} else {
		d, err := source.Dir(target)
		if err != nil {
			return err
		}
		src = d
	}
	if t, ok, err := git.WorkTreeOf(target); err == nil && ok {
		top = t
	} else if rev == "" {
		top = target
		if fi, err := os.Stat(target); err == nil && fi.Mode().IsRegular() {
			top = filepath.Dir(target)
		}
	}
	cfg, err := workspace.LoadScanConfig(configPath, top)
	if err != nil {
		return err
	}
	var done func()
	settings.Progress, done = progress.Track(std.Err, "scan", os.LookupEnv)
	sc, err := workspace.NewScanner(cfg, settings)
	if err != nil {
		done()
		return err
	}
	if !o.NoCache {
		db, err := scanStore(ctx, target, o.DB)
		if err != nil {
			return err
		}
		if db != nil {
			defer db.Close()
			sc = sc.WithCache(analyzer.BlobCache(db, sc.Fingerprint()))
		}
	}
	res, err := sc.Scan(ctx, src)
	done()
	if err != nil {
		return err
	}
	if out == "table" {
		for _, e := range res.Errors {
			fmt.Fprintf(std.Err, "flagscan: %s: %s: %s\n", cli.Printable(e.Path), e.Kind, cli.Printable(e.Error))
		}
	}
	if err := report.Result(std.Out, out, res); err != nil {
		return err
	}
	if rev != "" {
		return incomplete(res.Errors)
	}
	return nil
}

// incomplete is the error of a scan of a git tree that could not read some
// of its objects, nil when it read them all: its result lacks their
// references, so it must not pass for the commit's (exit status 1).
func incomplete(errs []scanner.FileError) error {
	var trees, blobs int
	for _, e := range errs {
		switch e.Kind {
		case "tree":
			trees++
		case "read":
			blobs++
		}
	}
	if trees+blobs == 0 {
		return nil
	}
	return fmt.Errorf("incomplete result: %d directories and %d files of the commit could not be read from the repository (listed in errors)", trees, blobs)
}

// scanStore opens the store whose blob cache a scan of target uses: path,
// else flagscan.db in target's git directory if it exists (a scan does
// not create a store). It returns nil when there is none, and when the
// one found cannot be opened for writing (another user's, a read-only
// checkout): a cache must not stop a scan it was only to speed up. A
// store named with --db must open.
func scanStore(ctx context.Context, target, path string) (*sql.DB, error) {
	explicit := path != ""
	if !explicit {
		loc, err := git.Discover(target)
		if err != nil {
			return nil, nil // not a repository: no store
		}
		path = filepath.Join(loc.GitDir, "flagscan.db")
		if _, err := os.Stat(path); err != nil {
			return nil, nil
		}
	}
	db, err := workspace.OpenStore(ctx, path)
	switch {
	case err != nil && explicit:
		return nil, fmt.Errorf("blob cache: %w", err)
	case err != nil:
		return nil, nil
	}
	return db, nil
}

// PushOptions are the flags and arguments of flagscan push.
type PushOptions struct {
	Workspace workspace.Flags
	Stdin     bool
	Args      []string // <old> <new> <ref> unless Stdin
	Format    string
	LogFormat string
}

// Push analyzes ref updates, writes their events to the outbox, prints
// them and delivers within delivery.inline_budget.
func Push(ctx context.Context, o PushOptions, std cli.IO) error {
	rf, stdin, args, format := &o.Workspace, o.Stdin, o.Args, o.Format
	if err := cli.TableOrJSON(format); err != nil {
		return err
	}
	var updates []analyzer.Update
	if stdin {
		u, err := cli.ReadUpdates(std.In)
		if err != nil {
			return err
		}
		updates = u
	} else {
		u, err := analyzer.ParseUpdate(strings.Join(args, " "))
		if err != nil {
			return cli.Usage(err)
		}
		updates = append(updates, u)
	}
	w, err := workspace.Open(ctx, rf)
	if err != nil {
		return err
	}
	defer w.Close()
	// The webhook a CI gives by FLAGSCAN_WEBHOOK_URL applies to push as to
	// action and sync.
	if err := (&delivery.Webhook{}).Apply(w.Config, os.LookupEnv); err != nil {
		return err
	}
	outcomes, err := w.Push(ctx, updates)
	if err != nil {
		return err
	}
	if len(w.Config.Webhooks) == 0 {
		for _, o := range outcomes {
			if len(o.Events) > 0 {
				fmt.Fprintln(std.Err, "flagscan: no webhook is configured: these events are printed here and sent nowhere (configure webhooks, or FLAGSCAN_WEBHOOK_URL, to deliver them)")
				break
			}
		}
	}
	if err := report.Outcomes(std.Out, std.Err, format, outcomes); err != nil {
		return err
	}
	// Within delivery.inline_budget; what is left waits for
	// `flagscan deliver`. A delivery problem never fails the push.
	log, err := cli.NewLogger(o.LogFormat, std.Version, std.Err, slog.LevelWarn)
	if err != nil {
		return err
	}
	delivery.AfterPush(ctx, log, w.DB, w.Config, std.Version)
	return nil
}

// LogOptions are the flags of flagscan log.
type LogOptions struct {
	Workspace        workspace.Flags
	From, To, Branch string
	Format           string
}

// Log prints every transition of a branch's first-parent history.
func Log(ctx context.Context, o LogOptions, std cli.IO) error {
	rf, from, to, branch, format := &o.Workspace, o.From, o.To, o.Branch, o.Format
	rf.NoWebhooks = true // log sends nothing
	var done func()
	rf.Scan.Progress, done = progress.Track(std.Err, "log", os.LookupEnv)
	defer done()
	if err := cli.TableOrJSON(format); err != nil {
		return err
	}
	w, err := workspace.Open(ctx, rf)
	if err != nil {
		return err
	}
	defer w.Close()
	a, err := w.Analyzer()
	if err != nil {
		return err
	}
	toID, err := w.Repo.ResolveRevision(to)
	if err != nil {
		return fmt.Errorf("--to %s: %w", to, err)
	}
	fromID := ""
	if from != "" {
		h, err := w.Repo.ResolveRevision(from)
		if err != nil {
			return fmt.Errorf("--from %s: %w", from, err)
		}
		fromID = h.String()
	}
	if branch == "" {
		branch = w.Repo.DefaultBranch()
		if !strings.HasPrefix(to, "HEAD") && to != "" {
			branch = to
		}
	}
	out := std.Out
	var events []event.Event
	enc := json.NewEncoder(out)
	err = a.Log(ctx, branch, fromID, toID.String(), func(e event.Event) error {
		if format == "json" {
			return enc.Encode(e.Body)
		}
		events = append(events, e)
		return nil
	})
	if err != nil {
		return err
	}
	if format == "table" {
		return report.Events(out, "table", events)
	}
	return nil
}

// Status prints the tracked branches, the snapshots and the outbox.
func Status(ctx context.Context, rf *workspace.Flags, std cli.IO) error {
	rf.NoWebhooks = true
	w, err := workspace.OpenReadOnly(ctx, rf)
	if err != nil {
		return err
	}
	defer w.Close()
	statuses, err := store.Statuses(ctx, w.DB)
	if err != nil {
		return err
	}
	counts, err := outbox.Counts(ctx, w.DB)
	if err != nil {
		return err
	}
	tracked := w.Config.Branches
	if len(tracked) == 0 {
		tracked = []string{w.Repo.DefaultBranch() + " (the default branch)"}
	}
	uncovered := map[string][]string{}
	for _, st := range statuses {
		snap, err := store.LoadSnapshot(ctx, w.DB, st.Repo, st.Branch)
		if err != nil {
			return err
		}
		if snap == nil {
			continue
		}
		for path := range snap.Files {
			covered := false
			for _, env := range w.Config.Environments {
				covered = covered || workspace.MatchAny(env.Paths, path)
			}
			if !covered {
				uncovered[st.Repo+" "+st.Branch] = append(uncovered[st.Repo+" "+st.Branch], path)
			}
		}
		sort.Strings(uncovered[st.Repo+" "+st.Branch])
	}
	return report.Status(std.Out, tracked, statuses, counts, uncovered)
}

// FlagsOptions are the flags of flagscan flags.
type FlagsOptions struct {
	Workspace           workspace.Flags
	Branch, Env, Format string
}

// Flags prints the keys of a branch's snapshot.
func Flags(ctx context.Context, o FlagsOptions, std cli.IO) error {
	rf, branch, env, format := &o.Workspace, o.Branch, o.Env, o.Format
	rf.NoWebhooks = true
	if err := cli.TableOrJSON(format); err != nil {
		return err
	}
	w, err := workspace.OpenReadOnly(ctx, rf)
	if err != nil {
		return err
	}
	defer w.Close()
	if branch == "" {
		branch = w.Repo.DefaultBranch()
	}
	snap, err := store.LoadSnapshot(ctx, w.DB, workspace.RepositoryName(rf.Repository, rf.Repo), branch)
	if err != nil {
		return err
	}
	if snap == nil {
		return fmt.Errorf("no snapshot of branch %q yet: run flagscan push or flagscan sync first", branch)
	}
	return report.Flags(std.Out, format, snap, env)
}
