// Package reposync brings every tracked branch of one or many
// repositories from its stored snapshot up to its current head, as a
// scheduled job does, on a bounded pool of workers, with a progress line,
// log lines and a summary. Each repository is its own workspace; delivery
// follows each one's analysis within the budget. It reads git only
// through scanner/git and analyzes through workspaces.
package reposync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/claims"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/progress"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/sourcegraph/conc/pool"
)

// Options are the flags of flagscan sync.
type Options struct {
	Workspace   workspace.Flags
	Webhook     delivery.Webhook
	Repos       []string // default: Workspace.Repo
	Jobs        int
	Remote      string
	Format      string
	Progress    string // auto, on or off
	Quiet       bool
	BaselineAge time.Duration
	// SkipSyncedWithin, when more than 0, shares the repositories with the
	// other jobs on the store (package claims): a repository another job
	// is syncing, or synced less than this ago, is passed over.
	SkipSyncedWithin time.Duration
	LogFormat        string
}

// claimLease is how long a job's claim on a repository lasts: longer than
// the sync of any one repository should take. A claim that expires under
// a slower sync costs a second sync, not a wrong event.
const claimLease = time.Hour

// Run syncs the repositories and reports what it did.
func Run(ctx context.Context, o Options, std cli.IO) error {
	rf, inl, jobs, remote, format, progMode, quiet, age, args := o.Workspace, o.Webhook, o.Jobs, o.Remote, o.Format, o.Progress, o.Quiet, o.BaselineAge, o.Repos
	if err := cli.TableOrJSON(format); err != nil {
		return err
	}
	if jobs < 0 {
		return cli.Usagef("--jobs %d: must be at least 1", jobs)
	}
	budget, err := inl.DeliveryBudget(os.LookupEnv, DefaultBudget)
	if err != nil {
		return err
	}
	repos := args
	if len(repos) == 0 {
		repos = []string{rf.Repo}
	}
	if len(repos) > 1 && rf.Repository != "" {
		return cli.Usagef("--repository names one repository; with several, each is named by its origin remote or directory")
	}
	on, err := progress.Mode(progMode, std.Err, os.LookupEnv)
	if err != nil {
		return err
	}
	prog := progress.New(std.Err, on, nil)
	level := slog.LevelInfo
	if quiet {
		level = slog.LevelWarn
	}
	log, err := cli.NewLogger(o.LogFormat, std.Version, prog.Writer(), level)
	if err != nil {
		return err
	}
	if age < 0 {
		return cli.Usagef("--baseline-age %v: must not be negative", age)
	}
	if o.SkipSyncedWithin < 0 {
		return cli.Usagef("--skip-synced-within %v: must not be negative", o.SkipSyncedWithin)
	}
	s := &syncer{rf: rf, inl: &inl, remote: remote, budget: budget, baselineAge: age, log: log, version: std.Version, prog: prog, multi: len(repos) > 1,
		fresh: o.SkipSyncedWithin, owner: jobName()}
	if jobs == 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	jobs = min(jobs, len(repos))
	workers := rf.Scan.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	s.rf.Scan.Workers = max(1, workers/jobs)

	prog.Start(200 * time.Millisecond)
	results := make([]repoSync, len(repos))
	p := pool.New().WithMaxGoroutines(jobs)
	for i, dir := range repos {
		p.Go(func() { results[i] = s.repo(ctx, dir) })
	}
	p.Wait()
	prog.Stop()

	if err := writeSync(std.Out, format, results); err != nil {
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
}

// DefaultBudget is how long `flagscan sync` delivers webhooks after
// analyzing each repository, unless told otherwise.
const DefaultBudget = 30 * time.Second

// syncer syncs repositories with shared settings.
type syncer struct {
	rf     workspace.Flags // copied for each repository
	inl    *delivery.Webhook
	remote string
	budget time.Duration
	// baselineAge, when set, moves the baseline of a branch with no
	// snapshot back to its last commit older than that.
	baselineAge time.Duration
	log         *slog.Logger
	prog        *progress.Line
	multi       bool
	// version is flagscan's, for the User-Agent of webhook requests.
	version string
	// fresh is Options.SkipSyncedWithin; owner names this job in claims.
	fresh time.Duration
	owner string
}

// jobName names this sync job in the claims it takes: host, process id
// and a random part, as deliverers name themselves.
func jobName() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// repoSync is what syncing one repository did.
type repoSync struct {
	Path       string
	Repository string
	Branches   []BranchResult
	Delivery   delivery.Result
	// Webhooks counts the repository's webhooks: with none, its events
	// went nowhere, and the summary says so.
	Webhooks int
	// Skipped says why another job syncs the repository instead.
	Skipped string
	Err     error // the repository could not be opened or listed
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

// BranchResult is what syncing one branch did, as --format json prints it.
type BranchResult struct {
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
	rf.Repo = dir
	if s.multi {
		// The environment names one repository (GITHUB_REPOSITORY...):
		// several are named by their origin remotes.
		name, web := originOf(dir)
		rf.Repository = name
		if rf.WebURL == "" {
			rf.WebURL = web
		}
	}
	rf.WebURL = strings.ReplaceAll(rf.WebURL, "{repo}", workspace.RepositoryName(rf.Repository, dir))
	w, err := workspace.Open(ctx, &rf)
	if err != nil {
		res.Err = err
		s.log.Error("repository not synced", "path", dir, "err", err)
		return res
	}
	defer w.Close()
	res.Repository = workspace.RepositoryName(rf.Repository, rf.Repo)
	if s.fresh > 0 {
		ok, err := claims.Take(ctx, w.DB, res.Repository, s.owner, time.Now(), claimLease, s.fresh)
		if err != nil {
			res.Err = err
			s.log.Error("repository not synced", "repository", res.Repository, "path", dir, "err", err)
			return res
		}
		if !ok {
			res.Skipped = fmt.Sprintf("another job syncs it, or synced it less than %v ago", s.fresh)
			s.log.Info("repository passed over", "repository", res.Repository, "reason", res.Skipped)
			return res
		}
		defer func() {
			if err := claims.Finish(context.WithoutCancel(ctx), w.DB, res.Repository, s.owner, time.Now(), !res.failed()); err != nil {
				s.log.Warn("claim not ended; it expires", "repository", res.Repository, "err", err)
			}
		}()
	}
	if err := s.inl.Apply(w.Config, os.LookupEnv); err != nil {
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
	w.Config.Branches = patterns
	s.prog.AddUnits(len(heads))
	for _, h := range heads {
		res.Branches = append(res.Branches, s.branch(ctx, w, res.Repository, h))
	}
	res.Webhooks = len(w.Config.Webhooks)
	res.Delivery = delivery.Inline(ctx, w.DB, w.Config, s.budget, s.log, s.version)
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
func trackedHeads(w *workspace.Workspace, remote string) ([]branchHead, []string, error) {
	prefix := "refs/heads/"
	if remote != "" {
		prefix = "refs/remotes/" + remote + "/"
	}
	patterns := w.Config.Branches
	if len(patterns) == 0 {
		def := w.Repo.DefaultBranch()
		if remote != "" {
			if target, ok := w.Repo.SymbolicTarget(prefix + "HEAD"); ok {
				def = strings.TrimPrefix(target, prefix)
			}
		}
		if def == "" {
			return nil, nil, cli.Usagef("%s: no tracked branch: HEAD names no branch; set branches in the configuration or %s", w.Dir, config.EnvBranches)
		}
		patterns = []string{def}
	}
	refs, err := w.Repo.Refs(prefix)
	if err != nil {
		return nil, nil, err
	}
	var out []branchHead
	for _, r := range refs {
		name := strings.TrimPrefix(r.Name, prefix)
		if name == "HEAD" {
			continue
		}
		if workspace.MatchAny(patterns, name) {
			out = append(out, branchHead{Branch: name, Head: r.Hash})
		}
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("%s: no branch matches %s under %s", w.Dir, strings.Join(patterns, ", "), prefix)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Branch < out[j].Branch })
	return out, patterns, nil
}

// branch syncs one branch.
func (s *syncer) branch(ctx context.Context, w *workspace.Workspace, name string, h branchHead) BranchResult {
	start := time.Now()
	b := BranchResult{Repository: name, Path: w.Dir, Branch: h.Branch, To: h.Head.String(), Events: []event.Body{}}
	fail := func(err error) BranchResult {
		b.Error = err.Error()
		b.Seconds = time.Since(start).Seconds()
		s.log.Error("branch not synced", "repository", name, "branch", h.Branch, "err", err)
		return b
	}
	snap, err := store.LoadSnapshot(ctx, w.DB, name, h.Branch)
	if err != nil {
		return fail(err)
	}
	u := workspace.CatchUp(snap, h.Branch, b.To)
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
		if s.prog.On() {
			estimate = countFiles(w, u.Old)
		}
	} else {
		b.From = snap.Commit
		if !w.Repo.HasCommit(snap.Commit) && snap.Commit != b.To {
			return fail(fmt.Errorf("the stored snapshot is at commit %s, which this repository does not have: fetch it first (git fetch, or git remote update for a mirror)", snap.Commit))
		}
	}
	unit := s.prog.Begin(name+" "+h.Branch, estimate)
	defer unit.End()
	if s.prog.On() {
		w.Flags.Scan.Progress = unit.Scanner()
	}
	outcomes, err := w.Push(ctx, []analyzer.Update{u})
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
func commitBefore(ctx context.Context, w *workspace.Workspace, head git.Hash, cutoff time.Time) (string, error) {
	id, err := w.Repo.LastCommitBefore(ctx, head, cutoff)
	if err != nil {
		return "", fmt.Errorf("find the baseline of --baseline-age: %w", err)
	}
	return id, nil
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// countFiles counts the files of a commit's tree that the scanner reads,
// without reading them: the size of a baseline, for the progress line.
func countFiles(w *workspace.Workspace, commit string) int64 {
	tree, err := w.Repo.TreeOf(commit)
	if err != nil || tree.IsZero() {
		return 0
	}
	skip := workspace.Excluder(w.Config.Scan.Exclude)
	var n int64
	// An unreadable tree ends the count: an estimate either way.
	_ = w.Repo.WalkFiles(tree, func(name string) error {
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
			if r.Skipped != "" {
				if err := enc.Encode(map[string]string{"path": r.Path, "repository": r.Repository, "skipped": r.Skipped}); err != nil {
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
		if r.Skipped != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\tpassed over: %s\n", cli.Printable(r.Repository), r.Skipped)
			continue
		}
		for _, b := range r.Branches {
			from := "-"
			if b.From != "" {
				from = cli.Short(b.From)
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
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", cli.Printable(b.Repository), cli.Printable(b.Branch), from, cli.Short(b.To), b.Commits, b.New, b.Deleted, result)
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
		case r.Err == nil && r.Webhooks == 0 && hasEvents(r):
			fmt.Fprintf(out, "%s has no webhook: its events were printed here and sent nowhere (configure webhooks, or FLAGSCAN_WEBHOOK_URL, to deliver them)\n", cli.Printable(r.Repository))
		}
	}
	if len(events) == 0 {
		return nil
	}
	fmt.Fprintln(out)
	return report.Events(out, "table", events)
}

func hasEvents(r repoSync) bool {
	for _, b := range r.Branches {
		if b.New+b.Deleted > 0 {
			return true
		}
	}
	return false
}
