package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sourcegraph/conc/pool"
	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
)

// defaultSyncBudget is how long `flagscan sync` delivers webhooks after
// analyzing each repository, unless told otherwise.
const defaultSyncBudget = 30 * time.Second

func newSyncCmd() *cobra.Command {
	var (
		rf       repoFlags
		inl      inlineFlags
		jobs     int
		remote   string
		format   string
		progMode string
		quiet    bool
		age      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "sync [REPO...]",
		Short: "Bring each tracked branch's snapshot up to its current head and emit the transitions (scheduled scans)",
		Long: `Sync brings the snapshot of every tracked branch of each REPO (default: --repo,
else ".") up to date with the branch's current head, however many commits have
passed since the last run, and writes the keys that appeared or disappeared to
the outbox, then delivers them (for --deliver-budget). A nightly job needs
nothing else: run it after fetching.

A branch with no snapshot yet gets a baseline at its head: the first run emits
nothing (with --baseline-age D, the baseline is the branch's last commit older
than D, and the transitions since are reported: a lost store then costs a
scan, not events). A branch the store has seen is analyzed from its snapshot's commit
to its head, as one push would be: a key added and removed in between gives no
event. Tracked branches are 'branches' of the configuration (default: the
branch HEAD names), taken from refs/heads, or with --remote NAME from the
remote-tracking refs refs/remotes/NAME/*.

Repositories are analyzed --jobs at a time, sharing one budget of --workers
parsing goroutines. Each has its own store (flagscan.db in its git directory)
and its own .flagscan.yml, unless --db and --config name one for all; snapshots
are keyed by repository name. With several repositories, each is named by its
origin remote (owner/name) or else its directory, and links follow the
origin's forge; --web-url may hold {repo}, replaced by the repository's name.

A progress line is drawn on standard error when it is a terminal and CI is
not set; log lines go to standard error (--log-format json for JSON lines),
the summary to standard output (--format json: one JSON object per branch,
with its events).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tableOrJSON(format); err != nil {
				return err
			}
			if jobs < 0 {
				return usagef("--jobs %d: must be at least 1", jobs)
			}
			budget, err := inl.deliveryBudget(os.LookupEnv, defaultSyncBudget)
			if err != nil {
				return err
			}
			repos := args
			if len(repos) == 0 {
				repos = []string{rf.repo}
			}
			if len(repos) > 1 && rf.repository != "" {
				return usagef("--repository names one repository; with several, each is named by its origin remote or directory")
			}
			on, err := progressMode(progMode, cmd.ErrOrStderr(), os.LookupEnv)
			if err != nil {
				return err
			}
			prog := newProgress(cmd.ErrOrStderr(), on, nil)
			level := slog.LevelInfo
			if quiet {
				level = slog.LevelWarn
			}
			log, err := newLogger(cmd, prog.Writer(), level)
			if err != nil {
				return err
			}
			if age < 0 {
				return usagef("--baseline-age %v: must not be negative", age)
			}
			s := &syncer{rf: rf, inl: &inl, remote: remote, budget: budget, baselineAge: age, log: log, prog: prog, multi: len(repos) > 1}
			if jobs == 0 {
				jobs = runtime.GOMAXPROCS(0)
			}
			jobs = min(jobs, len(repos))
			workers := rf.settings.workers
			if workers <= 0 {
				workers = runtime.GOMAXPROCS(0)
			}
			s.rf.settings.workers = max(1, workers/jobs)

			prog.Start(200 * time.Millisecond)
			results := make([]repoSync, len(repos))
			p := pool.New().WithMaxGoroutines(jobs)
			for i, dir := range repos {
				p.Go(func() { results[i] = s.repo(cmd.Context(), dir) })
			}
			p.Wait()
			prog.Stop()

			if err := writeSync(cmd.OutOrStdout(), format, results); err != nil {
				return err
			}
			var failed []string
			for _, r := range results {
				if r.failed() {
					failed = append(failed, r.Path)
				}
			}
			if len(failed) > 0 {
				return fmt.Errorf("sync failed for %d of %d repositories: %s", len(failed), len(results), strings.Join(failed, ", "))
			}
			return nil
		},
	}
	rf.register(cmd)
	inl.register(cmd, defaultSyncBudget.String())
	fl := cmd.Flags()
	fl.IntVar(&jobs, "jobs", 0, "repositories analyzed at once (default: one per CPU)")
	fl.IntVar(&rf.settings.workers, "workers", 0, "parsing goroutines in all, shared by the repositories analyzed at once (default: one per CPU)")
	fl.StringVar(&remote, "remote", "", "take the branches from refs/remotes/NAME/* instead of refs/heads/*")
	fl.StringVar(&format, "format", "table", "output: table, or json (one object per branch, with its events)")
	fl.StringVar(&progMode, "progress", "auto", "progress line on standard error: auto (on a terminal, unless CI is set), on or off")
	fl.BoolVarP(&quiet, "quiet", "q", false, "log warnings and errors only")
	fl.DurationVar(&age, "baseline-age", 0, "for a branch with no snapshot, start from its last commit older than this (e.g. 25h for a nightly job, so that a lost store still reports the last day's transitions); 0: a baseline at the head, no events")
	return cmd
}

// syncer syncs repositories with shared settings.
type syncer struct {
	rf     repoFlags // copied for each repository
	inl    *inlineFlags
	remote string
	budget time.Duration
	// baselineAge, when set, moves the baseline of a branch with no
	// snapshot back to its last commit older than that.
	baselineAge time.Duration
	log         *slog.Logger
	prog        *progress
	multi       bool
}

// repoSync is what syncing one repository did.
type repoSync struct {
	Path       string
	Repository string
	Branches   []branchSync
	Delivery   inlineDelivery
	Err        error // the repository could not be opened or listed
}

func (r *repoSync) failed() bool {
	if r.Err != nil {
		return true
	}
	for _, b := range r.Branches {
		if b.Error != "" {
			return true
		}
	}
	return false
}

// branchSync is what syncing one branch did, as --format json prints it.
type branchSync struct {
	Repository string `json:"repository"`
	Path       string `json:"path"`
	Branch     string `json:"branch"`
	// From is the commit of the stored snapshot, or with --baseline-age
	// the baseline's; "" for a baseline at To.
	From string `json:"from,omitempty"`
	To   string `json:"to"`
	// Baseline is set when the store had no snapshot of the branch.
	Baseline bool `json:"baseline"`
	Commits  int  `json:"commits"`
	// Skipped says why nothing was analyzed ("already analyzed": up to date).
	Skipped    string              `json:"skipped,omitempty"`
	New        int                 `json:"new"`
	Deleted    int                 `json:"deleted"`
	Scanned    int                 `json:"scanned"`
	Cached     int                 `json:"cached"`
	FileErrors []scanner.FileError `json:"file_errors,omitempty"`
	Error      string              `json:"error,omitempty"`
	Seconds    float64             `json:"seconds"`
	Events     []event.Body        `json:"events"`
	events     []event.Event
}

// repo syncs the tracked branches of the repository at dir and delivers
// their events.
func (s *syncer) repo(ctx context.Context, dir string) repoSync {
	res := repoSync{Path: dir}
	rf := s.rf
	rf.repo = dir
	if s.multi {
		// The environment names one repository (GITHUB_REPOSITORY...):
		// several are named by their origin remotes.
		name, web := originOf(dir)
		rf.repository = name
		if rf.webURL == "" {
			rf.webURL = web
		}
	}
	rf.webURL = strings.ReplaceAll(rf.webURL, "{repo}", repositoryName(rf.repository, dir))
	w, err := rf.open(ctx)
	if err != nil {
		res.Err = err
		s.log.Error("repository not synced", "path", dir, "err", err)
		return res
	}
	defer w.db.Close()
	res.Repository = repositoryName(rf.repository, rf.repo)
	if err := s.inl.apply(w.cfg, os.LookupEnv); err != nil {
		res.Err = err
		s.log.Error("repository not synced", "path", dir, "err", err)
		return res
	}
	heads, patterns, err := trackedHeads(w, s.remote)
	if err != nil {
		res.Err = err
		s.log.Error("repository not synced", "repository", res.Repository, "path", dir, "err", err)
		return res
	}
	// The analyzer tracks what was listed, also when the default branch
	// came from the remote's HEAD rather than the local one.
	w.cfg.Branches = patterns
	s.prog.AddUnits(len(heads))
	for _, h := range heads {
		res.Branches = append(res.Branches, s.branch(ctx, w, res.Repository, h))
	}
	res.Delivery = deliverInline(ctx, w.db, w.cfg, s.budget, s.log)
	if d := res.Delivery; d.Err != nil {
		s.log.Warn("webhook delivery failed; the events stay in the outbox", "repository", res.Repository, "err", d.Err)
	} else if d.Ran {
		s.log.Info("webhooks", "repository", res.Repository, "delivered", d.Stats.Delivered, "retrying", d.Stats.Retrying, "failed", d.Stats.Failed, "interrupted", d.Stats.Interrupted)
	}
	return res
}

// branchHead is a tracked branch and the commit it is at.
type branchHead struct {
	Branch string
	Head   git.Hash
}

// trackedHeads lists the tracked branches of the workspace's repository
// with their heads, by name: refs/heads/*, or refs/remotes/REMOTE/*. It
// returns the patterns it matched them with: the configuration's, else the
// default branch.
func trackedHeads(w *workspace, remote string) ([]branchHead, []string, error) {
	prefix := "refs/heads/"
	if remote != "" {
		prefix = "refs/remotes/" + remote + "/"
	}
	patterns := w.cfg.Branches
	if len(patterns) == 0 {
		def := w.repo.DefaultBranch()
		if remote != "" {
			if target, ok := w.repo.SymbolicTarget(prefix + "HEAD"); ok {
				def = strings.TrimPrefix(target, prefix)
			}
		}
		if def == "" {
			return nil, nil, usagef("%s: no tracked branch: HEAD names no branch; set branches in the configuration or %s", w.dir, config.EnvBranches)
		}
		patterns = []string{def}
	}
	refs, err := w.repo.Refs(prefix)
	if err != nil {
		return nil, nil, err
	}
	var out []branchHead
	for _, r := range refs {
		name := strings.TrimPrefix(r.Name, prefix)
		if name == "HEAD" {
			continue
		}
		if matchAny(patterns, name) {
			out = append(out, branchHead{Branch: name, Head: r.Hash})
		}
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("%s: no branch matches %s under %s", w.dir, strings.Join(patterns, ", "), prefix)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Branch < out[j].Branch })
	return out, patterns, nil
}

// syncUpdate is the ref update that brings a branch from its stored
// snapshot (nil: none) to head: from the snapshot's commit, or for a
// branch never seen a baseline at head, which stores the snapshot and
// emits nothing.
func syncUpdate(snap *store.Snapshot, branch, head string) analyzer.Update {
	ref := "refs/heads/" + branch
	if snap == nil {
		return analyzer.Update{Old: head, New: head, Ref: ref}
	}
	return analyzer.Update{Old: snap.Commit, New: head, Ref: ref}
}

// branch syncs one branch.
func (s *syncer) branch(ctx context.Context, w *workspace, name string, h branchHead) branchSync {
	start := time.Now()
	b := branchSync{Repository: name, Path: w.dir, Branch: h.Branch, To: h.Head.String(), Events: []event.Body{}}
	fail := func(err error) branchSync {
		b.Error = err.Error()
		b.Seconds = time.Since(start).Seconds()
		s.log.Error("branch not synced", "repository", name, "branch", h.Branch, "err", err)
		return b
	}
	snap, err := store.LoadSnapshot(ctx, w.db, name, h.Branch)
	if err != nil {
		return fail(err)
	}
	u := syncUpdate(snap, h.Branch, b.To)
	var estimate int64
	if snap == nil {
		b.Baseline = true
		if s.baselineAge > 0 {
			from, err := commitBefore(ctx, w, h.Head, time.Now().Add(-s.baselineAge))
			if err != nil {
				return fail(err)
			}
			u.Old = from
			b.From = from
			s.log.Info("no snapshot: the baseline is the last commit older than --baseline-age; later transitions are reported", "repository", name, "branch", h.Branch, "baseline", from)
		}
		if s.prog.on {
			estimate = countFiles(w, u.Old)
		}
	} else {
		b.From = snap.Commit
		if !w.repo.HasCommit(snap.Commit) && snap.Commit != b.To {
			return fail(fmt.Errorf("the stored snapshot is at commit %s, which this repository does not have: fetch it first (git fetch, or git remote update for a mirror)", snap.Commit))
		}
	}
	unit := s.prog.Begin(name+" "+h.Branch, estimate)
	defer unit.End()
	if s.prog.on {
		w.flags.settings.progress = unit.Scanner()
	}
	outcomes, err := w.push(ctx, []analyzer.Update{u})
	if err != nil {
		return fail(err)
	}
	o := outcomes[0]
	b.Commits, b.Skipped, b.Scanned, b.Cached, b.FileErrors = o.Commits, o.Skipped, o.Scanned, o.Cached, o.Errors
	b.events = o.Events
	for _, e := range o.Events {
		b.Events = append(b.Events, e.Body)
		if e.Body.Event == event.FlagNew {
			b.New++
		} else {
			b.Deleted++
		}
	}
	b.Seconds = time.Since(start).Seconds()
	for _, fe := range o.Errors {
		s.log.Warn("file not analyzed", "repository", name, "branch", h.Branch, "path", fe.Path, "kind", fe.Kind, "err", fe.Error)
	}
	args := []any{"repository", name, "branch", h.Branch, "to", b.To, "commits", b.Commits, "new", b.New, "deleted", b.Deleted,
		"scanned", b.Scanned, "cached", b.Cached, "seconds", round3(b.Seconds)}
	switch {
	case b.Baseline && b.From == "":
		s.log.Info("baseline stored; no events on a first run", args...)
	case b.Skipped == analyzer.SkipAnalyzed:
		s.log.Info("branch up to date", args...)
	case b.Skipped != "":
		s.log.Info("branch not analyzed: "+b.Skipped, args...)
	default:
		s.log.Info("branch synced", append(args, "from", b.From)...)
	}
	return b
}

// commitBefore returns the last commit on head's first-parent line
// committed at or before cutoff, or the zero id (the empty tree) when the
// whole line is younger.
func commitBefore(ctx context.Context, w *workspace, head git.Hash, cutoff time.Time) (string, error) {
	id, err := w.repo.LastCommitBefore(ctx, head, cutoff)
	if err != nil {
		return "", fmt.Errorf("find the baseline of --baseline-age: %w", err)
	}
	return id, nil
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// countFiles counts the files of a commit's tree that the scanner reads,
// without reading them: the size of a baseline, for the progress line.
func countFiles(w *workspace, commit string) int64 {
	tree, err := w.repo.TreeOf(commit)
	if err != nil || tree.IsZero() {
		return 0
	}
	skip := excluder(w.cfg.Scan.Exclude)
	var n int64
	// An unreadable tree ends the count: an estimate either way.
	_ = w.repo.WalkFiles(tree, func(name string) error {
		if scanner.LanguageOf(name) != "" && (skip == nil || !skip(name, false)) {
			n++
		}
		return nil
	})
	return n
}

// originOf names a repository by its origin remote: owner/name and the web
// address of a GitHub- or GitLab-like forge, else the directory's name and
// no address.
func originOf(dir string) (name, web string) {
	fallback := filepath.Base(strings.TrimSuffix(filepath.Clean(dir), string(filepath.Separator)+".git"))
	fallback = strings.TrimSuffix(fallback, ".git")
	if abs, err := filepath.Abs(dir); err == nil && fallback == "." {
		fallback = filepath.Base(abs)
	}
	repo, err := git.Open(dir)
	if err != nil {
		return fallback, ""
	}
	origin, ok := repo.RemoteURL("origin")
	if !ok {
		return fallback, ""
	}
	host, p := splitRemote(origin)
	p = strings.Trim(strings.TrimSuffix(p, ".git"), "/")
	if host == "" || p == "" || !strings.Contains(p, "/") {
		return fallback, ""
	}
	return p, "https://" + host + "/" + p
}

// splitRemote returns the host and the path of a git remote URL:
// https://host/p, ssh://user@host:port/p or user@host:p; "" for a local
// path or file:// URL.
func splitRemote(raw string) (host, p string) {
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Host != "" {
		if u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ssh" && u.Scheme != "git" {
			return "", ""
		}
		return u.Hostname(), path.Clean(u.Path)
	}
	// scp-like: [user@]host:path
	at := strings.LastIndex(raw, "@")
	colon := strings.Index(raw, ":")
	if colon <= 0 || strings.Contains(raw[:colon], "/") || at > colon {
		return "", ""
	}
	return raw[at+1 : colon], raw[colon+1:]
}

// writeSync prints what a sync did: a table of branches, each repository's
// deliveries and the events; or one JSON object per branch.
func writeSync(out io.Writer, format string, results []repoSync) error {
	if format == "json" {
		enc := json.NewEncoder(out)
		for _, r := range results {
			if r.Err != nil {
				if err := enc.Encode(map[string]string{"path": r.Path, "error": r.Err.Error()}); err != nil {
					return err
				}
			}
			for _, b := range r.Branches {
				if err := enc.Encode(b); err != nil {
					return err
				}
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REPOSITORY\tBRANCH\tFROM\tTO\tCOMMITS\tNEW\tDELETED\tRESULT")
	var events []event.Event
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\terror: %v\n", r.Path, r.Err)
			continue
		}
		for _, b := range r.Branches {
			from := "-"
			if b.From != "" {
				from = short(b.From)
			}
			result := fmt.Sprintf("%d events", b.New+b.Deleted)
			switch {
			case b.Error != "":
				result = "error: " + b.Error
			case b.Baseline && b.From == "":
				result = "baseline stored (first run: no events)"
			case b.Skipped == analyzer.SkipAnalyzed:
				result = "up to date"
			case b.Skipped != "":
				result = b.Skipped
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", b.Repository, b.Branch, from, short(b.To), b.Commits, b.New, b.Deleted, result)
			events = append(events, b.events...)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		d := r.Delivery
		switch {
		case d.Err != nil:
			fmt.Fprintf(out, "webhooks of %s: %v (the events stay in the outbox)\n", r.Repository, d.Err)
		case d.Ran:
			fmt.Fprintf(out, "webhooks of %s: %d delivered, %d to retry, %d given up, %d interrupted\n", r.Repository, d.Stats.Delivered, d.Stats.Retrying, d.Stats.Failed, d.Stats.Interrupted)
		}
	}
	if len(events) == 0 {
		return nil
	}
	fmt.Fprintln(out)
	return writeEvents(out, "table", events)
}
