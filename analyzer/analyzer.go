// Package analyzer turns ref updates into flag reference events. It walks
// each new commit of a push with go-git, re-scans only the blobs a commit
// changed (results are cached by blob id), keeps a snapshot of the keys of
// each (repository, branch, environment) in SQLite, and reports the keys
// that appear (Flag.new) and disappear (Flag.deleted) relative to the
// stored snapshot. The new snapshot and its events are written in one
// transaction, the events into the emitter's outbox through a Sink.
package analyzer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/source"
)

// Environment is a part of the repository whose keys are tracked
// together: environment_id and environment_name of its events.
type Environment struct {
	ID, Name string
	// Match reports whether a file (slash-separated path from the
	// repository root) belongs to the environment.
	Match func(path string) bool
}

// Account is account_id and account_name of every event.
type Account struct{ ID, Name string }

// Actor is the user events are attributed to: user_id, user_email and
// user_role. Empty ID and Email are taken from the commit's committer.
type Actor struct{ ID, Email, Role string }

// Options configure an Analyzer.
type Options struct {
	Repository   string        // the repository's name in events
	Account      Account       //
	Environments []Environment // default: one environment, "default", covering the whole tree
	// Tracked reports whether a branch (short name) produces events; nil
	// tracks every branch.
	Tracked func(branch string) bool
	Actor   Actor
	// WebURL is the repository's web address, for links to commits and
	// lines (GitHub and GitLab style); "" leaves links out.
	WebURL string
	// Now is the clock for event dates; nil is time.Now.
	Now func() time.Time
}

// Analyzer analyzes the ref updates of one repository.
type Analyzer struct {
	db          *sql.DB
	repo        *git.Repo
	scanner     *scanner.Scanner
	fingerprint string
	opts        Options
	links       links
	// window is about how many changed blobs a replay resolves at once
	// (replayWindow; tests make it small).
	window int
}

// New returns an Analyzer of repo, keeping its state in db (opened with
// store.Open).
func New(db *sql.DB, repo *git.Repo, sc *scanner.Scanner, opts Options) *Analyzer {
	if len(opts.Environments) == 0 {
		opts.Environments = []Environment{{ID: "default", Name: "default"}}
	}
	for i, e := range opts.Environments {
		if e.Match == nil {
			opts.Environments[i].Match = func(string) bool { return true }
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Analyzer{db: db, repo: repo, scanner: sc, fingerprint: sc.Fingerprint(), opts: opts, links: newLinks(opts.WebURL), window: replayWindow}
}

// Update is one ref update as git reports it to hooks: zero Old for a new
// ref, zero New for a deleted one.
type Update struct {
	Old, New, Ref string
}

// ParseUpdate parses an "<old> <new> <ref>" line.
func ParseUpdate(line string) (Update, error) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return Update{}, fmt.Errorf("ref update %q: want \"<old> <new> <ref>\"", line)
	}
	for _, id := range f[:2] {
		if len(id) != 40 || !isHex(id) {
			return Update{}, fmt.Errorf("ref update %q: %q is not a full commit id", line, id)
		}
	}
	return Update{Old: f[0], New: f[1], Ref: f[2]}, nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Sink receives a push's events inside the transaction that stores the new
// snapshot: the emitter's outbox.
type Sink func(ctx context.Context, tx *sql.Tx, events []event.Event) error

// Outcome is what analyzing one ref update did.
type Outcome struct {
	Update Update
	Branch string
	// Skipped says why nothing was analyzed, "" when something was.
	Skipped string
	Commits int // commits walked
	Events  []event.Event
	// Errors are the files that could not be read or parsed; they count
	// as holding no references.
	Errors  []scanner.FileError
	Scanned int // blobs scanned
	Cached  int // blobs found in the cache
	// Resolved counts the resolutions of files whose keys are names
	// defined in other files: those the walk changed or whose definitions
	// it touched, and those the stored snapshot holds no resolution of.
	Resolved int
	// Uncovered are the keys referenced at the new tip in files that no
	// environment's paths cover, and UncoveredFiles those files, sorted:
	// no event reports them.
	Uncovered, UncoveredFiles []string
}

// Reasons an update is skipped.
const (
	SkipNotBranch = "not a branch"
	SkipUntracked = "branch not tracked"
	SkipDeleted   = "branch deleted: nothing emitted, snapshot kept"
	SkipAnalyzed  = "already analyzed"
	SkipStale     = "older than the stored snapshot"
)

// maxAttempts bounds the retries when concurrent processes keep replacing
// a branch's snapshot under our feet.
const maxAttempts = 10

// Push analyzes one ref update and hands its events to sink in the
// transaction that stores the new snapshot.
func (a *Analyzer) Push(ctx context.Context, u Update, sink Sink) (*Outcome, error) {
	return a.analyze(ctx, u, sink, true)
}

// Preview analyzes a ref update git has not accepted yet (a pre-receive
// hook): its events go to sink as Push's would, but the snapshot is not
// stored, so a push that git then rejects leaves no trace in it. Once git
// has accepted the update, Push stores it and gives the same events, with
// the same ids.
func (a *Analyzer) Preview(ctx context.Context, u Update, sink Sink) (*Outcome, error) {
	return a.analyze(ctx, u, sink, false)
}

func (a *Analyzer) analyze(ctx context.Context, u Update, sink Sink, save bool) (*Outcome, error) {
	out := &Outcome{Update: u}
	branch, ok := strings.CutPrefix(u.Ref, "refs/heads/")
	if !ok {
		out.Skipped = SkipNotBranch
		return out, nil
	}
	out.Branch = branch
	switch {
	case a.opts.Tracked != nil && !a.opts.Tracked(branch):
		out.Skipped = SkipUntracked
		return out, nil
	case git.IsZeroID(u.New):
		out.Skipped = SkipDeleted
		return out, nil
	}
	tip, err := a.repo.Commit(u.New)
	if err != nil {
		return nil, err
	}
	var (
		retryUntil time.Time
		wait       = 100 * time.Millisecond
	)
	for attempt := 0; attempt < maxAttempts; {
		err := a.push(ctx, u, branch, tip, sink, save, out)
		switch {
		case errors.Is(err, store.ErrConflict):
			attempt++
		case store.Transient(err):
			// A database server restarting (or failing over) is back in
			// seconds; the attempt, rolled back, is run again.
			if retryUntil.IsZero() {
				retryUntil = time.Now().Add(store.TransientRetry)
			}
			if time.Now().After(retryUntil) {
				return nil, fmt.Errorf("%w (the store failed for %s; nothing of this push was stored)", err, store.TransientRetry)
			}
			select {
			case <-ctx.Done():
				return nil, err
			case <-time.After(wait):
			}
			wait = min(2*wait, 2*time.Second)
		default:
			return out, err
		}
		*out = Outcome{Update: u, Branch: branch}
	}
	return nil, fmt.Errorf("analyze %s: the snapshot of %s kept changing under concurrent pushes", u.New, branch)
}

// push is one attempt of Push, from the snapshot stored now.
func (a *Analyzer) push(ctx context.Context, u Update, branch string, tip *git.Commit, sink Sink, save bool, out *Outcome) error {
	snap, err := store.LoadSnapshot(ctx, a.db, a.opts.Repository, branch)
	if err != nil {
		return err
	}
	// After the snapshot: a write between the two reads changes its version.
	done, err := store.Ranges(ctx, a.db, a.opts.Repository, branch)
	if err != nil {
		return err
	}
	p, err := a.plan(ctx, u, tip, snap, done)
	if err != nil {
		return err
	}
	if p.skip != "" {
		out.Skipped = p.skip
		return nil
	}
	res := newResolver(a)
	defer res.close()
	st, err := a.baseline(ctx, res, p, snap)
	if err != nil {
		return err
	}
	events, err := a.report(ctx, res, st, p, snap, branch, tip)
	if err != nil {
		return err
	}
	// Before the snapshot's transaction, which would wait for the
	// writer's.
	if err := res.flush(); err != nil {
		return err
	}
	out.Commits = len(p.commits)
	out.Uncovered, out.UncoveredFiles = st.uncovered()
	out.Events = events
	out.Errors, out.Scanned, out.Cached, out.Resolved = res.errors, res.scanned, res.cached, res.resolved
	if !save {
		if sink != nil && len(events) > 0 {
			return a.deliver(ctx, sink, events)
		}
		return nil
	}
	next := snap
	if p.advance {
		if next, err = a.snapshot(st, branch, u.New); err != nil {
			return err
		}
		if snap != nil {
			next.Version, next.Prev = snap.Version, snap
		} else {
			// A new branch: its rows start as a copy of the branch it
			// forked from.
			next.From = p.seed
		}
	} else if next != nil {
		next.Prev = next
	}

	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store snapshot: %w", err)
	}
	defer tx.Rollback()
	// Saved even when it does not move (a late range): the version check
	// keeps two runs of one range from both reporting it.
	if err := store.SaveSnapshot(ctx, tx, next); err != nil {
		return err
	}
	if err := store.AddRanges(ctx, tx, a.opts.Repository, branch, p.analysed()); err != nil {
		return err
	}
	if sink != nil && len(events) > 0 {
		if err := sink(ctx, tx, events); err != nil {
			return fmt.Errorf("write events: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store snapshot: %w", err)
	}
	return nil
}

// deliver hands the events of a preview to sink in a transaction of its own.
func (a *Analyzer) deliver(ctx context.Context, sink Sink, events []event.Event) error {
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	defer tx.Rollback()
	if err := sink(ctx, tx, events); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return tx.Commit()
}

// report replays the commits of p onto st and returns the events of the
// commits p reports. Each run of consecutive reported commits is one
// segment: its events are the keys that differ between the state before
// its first commit and after its last, attributed to the last commit of
// the segment that changed each key.
func (a *Analyzer) report(ctx context.Context, res *resolver, st *state, p plan, snap *store.Snapshot, branch string, tip *git.Commit) ([]event.Event, error) {
	if p.report == nil {
		// The whole walk is one segment, against the stored keys.
		before := p.storedKeys
		if before == nil {
			before = a.keySets(st)
		}
		commits := p.commits
		if p.jump != nil {
			// One step from the starting state to the new tip's tree.
			commits = []*git.Commit{tip}
		}
		last, lastRefs, err := a.walk(ctx, res, st, p.from, commits)
		if err != nil {
			return nil, err
		}
		return a.events(st, before, snap, last, lastRefs, branch, tip, p.jump), nil
	}
	reported := func(i int) bool { return i < len(p.commits) && p.report[i] }
	var (
		events   []event.Event
		before   []map[string]bool
		last     map[envKey]*git.Commit
		lastRefs map[envKey][]event.Reference
	)
	open := func() {
		before, last, lastRefs = a.keySets(st), map[envKey]*git.Commit{}, map[envKey][]event.Reference{}
	}
	if reported(0) {
		open()
	}
	i := 0
	err := a.replay(ctx, res, st, p.from, p.commits, func(c *git.Commit, trs []transition) error {
		defer func() { i++ }()
		if !reported(i) {
			if reported(i + 1) {
				open()
			}
			return nil
		}
		for _, tr := range trs {
			k := envKey{tr.env, tr.key}
			last[k] = c
			if !tr.present {
				lastRefs[k] = eventRefs(tr.last, c.FirstParent(), a.links)
			}
		}
		if !reported(i + 1) {
			events = append(events, a.events(st, before, nil, last, lastRefs, branch, c, nil)...)
		}
		return nil
	})
	return events, err
}

// walk applies commits, oldest first, to st (the state of commit from),
// and returns for each key that changed the last commit that changed it
// and, for keys that disappeared, the references they had just before
// (linked at the state before the commit: from, for the first).
func (a *Analyzer) walk(ctx context.Context, res *resolver, st *state, from string, commits []*git.Commit) (map[envKey]*git.Commit, map[envKey][]event.Reference, error) {
	last := map[envKey]*git.Commit{}
	lastRefs := map[envKey][]event.Reference{}
	prev := from
	err := a.replay(ctx, res, st, from, commits, func(c *git.Commit, trs []transition) error {
		for _, tr := range trs {
			k := envKey{tr.env, tr.key}
			last[k] = c
			if !tr.present {
				lastRefs[k] = eventRefs(tr.last, prev, a.links)
			}
		}
		prev = c.ID.String()
		return nil
	})
	return last, lastRefs, err
}

// replay applies commits, oldest first, to st (the state of commit from),
// calling step after each with the keys it made appear or disappear.
//
// It goes through the commits in windows: it diffs a window's commits,
// resolves all the blobs they changed at once, replays the changes, then
// forgets the window's results and trees. A long history is parsed on
// every core, in few passes over the blob cache, rather than a few files
// at a time, and the heap holds one window, not the whole history: a log
// of ten thousand commits kept the collector busy at the memory limit.
func (a *Analyzer) replay(ctx context.Context, res *resolver, st *state, from string, commits []*git.Commit, step func(*git.Commit, []transition) error) error {
	prev, err := a.repo.TreeOf(from)
	if err != nil {
		return err
	}
	// A clone without trees (--filter=tree:0) fetches them all at once
	// (each with its subtrees), not one request per commit.
	trees := []git.Hash{prev}
	for _, c := range commits {
		trees = append(trees, c.Tree)
	}
	if err := a.repo.Prefetch(ctx, trees); err != nil {
		return err
	}
	res.forget()
	diffs, stop := a.diffs(ctx, prev, commits)
	defer stop()
	for len(commits) > 0 {
		var (
			steps   [][]git.Change
			entries []source.Entry
		)
		for len(steps) < len(commits) && len(entries) < a.window {
			c := commits[len(steps)]
			d, ok := <-diffs
			if !ok {
				// Only a cancelled run ends the diffs early.
				return fmt.Errorf("diff commit %s: %w", c.ID, context.Cause(ctx))
			}
			if d.err != nil {
				return fmt.Errorf("diff commit %s: %w", c.ID, d.err)
			}
			for _, ch := range d.changes {
				if ch.To != "" && res.wanted(ch.Path) {
					entries = append(entries, source.Entry{Path: ch.Path, Blob: ch.To})
				}
			}
			steps = append(steps, d.changes)
		}
		// The files the window changes whose references the baseline read
		// back from the stored keys are read from the blob cache first,
		// so that what a change removes is what the file held.
		var restored []source.Entry
		for _, changes := range steps {
			for _, ch := range changes {
				if fr, ok := st.files[ch.Path]; ok && fr.stored {
					restored = append(restored, source.Entry{Path: ch.Path, Blob: fr.blob})
				}
			}
		}
		if err := res.load(ctx, append(entries, restored...)); err != nil {
			return err
		}
		for _, e := range restored {
			a.materialize(st, res, e)
		}
		for i, c := range commits[:len(steps)] {
			changed := make([]string, 0, len(steps[i]))
			for _, ch := range steps[i] {
				changed = append(changed, ch.Path)
				if ch.To != "" && res.wanted(ch.Path) {
					fr := res.refs(ch.Path, ch.To)
					if _, had := st.files[ch.Path]; had && fr.unparsed {
						// Not knowing what the new version holds is no
						// reason to report its keys gone: the file keeps
						// its last analysis (the error is reported) until
						// a version of it parses.
						continue
					}
					st.set(ch.Path, &fr)
					st.trackNames(ch.Path, &fr)
				} else {
					st.set(ch.Path, nil)
					st.trackNames(ch.Path, nil)
				}
			}
			if err := a.resolveNames(ctx, res, st, c.Tree, changed, false); err != nil {
				return err
			}
			if err := step(c, st.step()); err != nil {
				return err
			}
		}
		commits = commits[len(steps):]
		res.forget()
	}
	return nil
}

// diffed is the diff of one commit, or the error that stopped the diffs.
type diffed struct {
	changes []git.Change
	err     error
}

// diffs diffs each commit with the one before it (the first with the tree
// prev) on a goroutine of its own, which runs ahead of the replay by up to
// diffsAhead commits: the diffs of a window are ready when its blobs have
// been parsed. stop ends it, and must be called.
func (a *Analyzer) diffs(ctx context.Context, prev git.Hash, commits []*git.Commit) (<-chan diffed, func()) {
	if len(commits) < diffsApart {
		// A push of a few commits: diffed here, with the repository's
		// own handle, whose pack index is loaded already; another
		// handle would load it again.
		out := make(chan diffed, len(commits))
		defer close(out)
		d := a.repo.NewDiffer()
		for _, c := range commits {
			changes, err := d.Diff(ctx, prev, c.Tree)
			out <- diffed{changes: changes, err: err}
			if err != nil {
				break
			}
			prev = c.Tree
		}
		return out, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan diffed, diffsAhead)
	pairs := make([][2]git.Hash, len(commits))
	for i, c := range commits {
		pairs[i] = [2]git.Hash{prev, c.Tree}
		prev = c.Tree
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		err := a.repo.DiffTrees(ctx, pairs, func(_ int, changes []git.Change) error {
			select {
			case out <- diffed{changes: changes}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err != nil {
			select {
			case out <- diffed{err: err}:
			case <-ctx.Done():
			}
		}
	}()
	return out, func() {
		cancel()
		<-done
	}
}

// diffsApart is the fewest commits diffs diffs on a goroutine of its
// own, through git diff-tree when git is there.
const diffsApart = 16

// diffsAhead is how many commits' diffs may wait for the replay.
const diffsAhead = 1024

// replayWindow is about how many changed blobs replay resolves at once:
// enough to keep every core parsing, few enough that their results and
// the window's trees are a small heap.
const replayWindow = 4096

// snapshot returns the snapshot to store for st at commit.
func (a *Analyzer) snapshot(st *state, branch, commit string) (*store.Snapshot, error) {
	next := &store.Snapshot{Repo: a.opts.Repository, Branch: branch, Commit: commit, Fingerprint: a.fingerprint, Files: map[string]string{}, Keys: map[string]map[string][]byte{}}
	for p, fr := range st.files {
		next.Files[p] = fr.blob
	}
	uses, kept, err := a.uses(st)
	if err != nil {
		return nil, err
	}
	next.Uses, next.UsesKept = uses, kept
	for i, env := range a.opts.Environments {
		next.Keys[env.ID] = map[string][]byte{}
		for key := range st.counts[i] {
			raw, err := json.Marshal(eventRefs(st.references(i, key), commit, a.links))
			if err != nil {
				return nil, err
			}
			next.Keys[env.ID][key] = raw
		}
	}
	return next, nil
}

// plan is where a push's analysis starts and what it walks.
type plan struct {
	skip string
	// from is the commit whose tree is the starting state ("" for the
	// empty tree); commits are walked after it, oldest first.
	from    string
	commits []*git.Commit
	// fromSnapshot: the starting state is the stored snapshot's files.
	fromSnapshot bool
	// seed, for a new branch, is another branch's snapshot the starting
	// state is made from: its files, changed as from differs from its
	// commit.
	seed *store.Snapshot
	// storedKeys are the keys events are computed against; nil means
	// the keys of the starting state. Only used when report is nil.
	storedKeys []map[string]bool
	// report says, for each commit, whether its transition is reported
	// by this run; nil reports the whole walk as one segment.
	report []bool
	// advance: the snapshot moves to the pushed commit.
	advance bool
	// jump is set when the update rewinds the branch to an ancestor of
	// the stored snapshot, or force-pushes a history unrelated to it: no
	// commit of it made its transitions. The starting state goes to the
	// new tip's tree in one step, commits is empty, and the events are
	// the push's. Only with report nil.
	jump *pusher
}

// analysed returns the ranges whose transitions p reports.
func (p plan) analysed() []store.Range {
	var out []store.Range
	for i := 0; i < len(p.commits); i++ {
		if p.report != nil && !p.report[i] {
			continue
		}
		j := i
		for j+1 < len(p.commits) && (p.report == nil || p.report[j+1]) {
			j++
		}
		out = append(out, store.Range{Lo: p.commits[i].FirstParent(), Hi: p.commits[j].ID.String()})
		i = j
	}
	return out
}

// plan decides what a push walks and reports.
//
// When <old> is on the first-parent line of <new>, the push reports the
// commits of its own range that no run reported yet (done), whatever order
// the runs come in: a late run for an older range gives its transitions, a
// run for a range already reported gives nothing, and a run that arrives
// before the one for the range just below it leaves that range to it. The
// snapshot still moves to <new> when <new> is ahead of it.
//
// Otherwise (a new branch, a force-push, a fresh database) the walk starts
// from the stored snapshot when there is one (whatever <old> says: a
// force-push is diffed against what was stored), else from a scan of
// <old>, or for a new ref of the commit it branches off.
func (a *Analyzer) plan(ctx context.Context, u Update, tip *git.Commit, snap *store.Snapshot, done []store.Range) (plan, error) {
	if snap != nil && !git.IsZeroID(u.Old) && u.Old != snap.Commit {
		own, found, err := a.repo.FirstParents(ctx, tip, u.Old)
		if err != nil {
			return plan{}, err
		}
		if found {
			if p, ok, err := a.planRange(ctx, u, tip, snap, own, done); err != nil || ok {
				return p, err
			}
		}
	}
	return a.planWalk(ctx, u, tip, snap)
}

// planRange plans a push whose <old> is on the first-parent line of
// <new> (own are the commits after it), against a snapshot of another
// commit. ok is false when the snapshot is on neither side of the range's
// line (a force-push since): planWalk then diffs against it.
func (a *Analyzer) planRange(ctx context.Context, u Update, tip *git.Commit, snap *store.Snapshot, own []*git.Commit, done []store.Range) (p plan, ok bool, err error) {
	covered := a.covered(u.Old, own, done)
	report := make([]bool, len(own))
	some := false
	for i := range own {
		report[i] = !covered[i]
		some = some || report[i]
	}
	at := -1 // index of the snapshot's commit in own
	for i, c := range own {
		if c.ID.String() == snap.Commit {
			at = i
		}
	}
	stale := false
	if at < 0 {
		stale, _ = a.isOlder(u.New, snap.Commit) // an error: the stored commit is gone
	}
	switch {
	case at >= 0 || stale:
		// The snapshot is inside the range or ahead of it: walk the range
		// from a scan of <old>.
		p = plan{from: u.Old, commits: own, report: report, advance: at >= 0 && at < len(own)-1}
	default:
		commits, found, err := a.repo.FirstParents(ctx, tip, snap.Commit)
		if err != nil {
			return plan{}, false, err
		}
		if !found {
			return plan{}, false, nil
		}
		// The snapshot is behind <old>: walk from it, reporting only the
		// range; the commits between are left to their own run.
		gap := len(commits) - len(own)
		p = plan{from: snap.Commit, commits: commits, fromSnapshot: snap.Fingerprint == a.fingerprint,
			report: append(make([]bool, gap), report...), advance: true}
	}
	if !some && !p.advance {
		if stale && snap.Commit != u.New {
			return plan{skip: SkipStale}, true, nil
		}
		return plan{skip: SkipAnalyzed}, true, nil
	}
	return p, true, nil
}

// covered reports, for each commit of own (the commits after old on the
// first-parent line of the push), whether a range of done covers it.
func (a *Analyzer) covered(old string, own []*git.Commit, done []store.Range) []bool {
	out := make([]bool, len(own))
	if len(own) == 0 {
		return out
	}
	index := map[string]int{old: -1}
	for i, c := range own {
		index[c.ID.String()] = i
	}
	newest := own[len(own)-1].ID.String()
	for _, r := range done {
		hi, ok := index[r.Hi]
		if !ok {
			// Ending above the push's range covers all of it that lies
			// after the range's start.
			if above, err := a.repo.IsAncestor(newest, r.Hi); err != nil || !above {
				continue
			}
			hi = len(own) - 1
		}
		lo, ok := index[r.Lo]
		if !ok {
			if r.Lo != "" {
				if below, err := a.repo.IsAncestor(r.Lo, old); err != nil || !below {
					continue
				}
			}
			lo = -1
		}
		for i := lo + 1; i <= hi; i++ {
			out[i] = true
		}
	}
	return out
}

// planWalk walks from the stored snapshot (whatever <old> says: a
// force-push is diffed against what was stored), else from a scan of
// <old>, or for a new ref of the commit it branches off, reporting the
// whole walk.
//
// An update to an ancestor of the stored snapshot is a late run for an
// older range, skipped, unless <old> is the stored snapshot: then the
// branch was rewound (git reset and a force-push), and the keys the
// ancestor lacks are gone. An update to a history that shares no commit
// with the starting point jumps to the new tip too.
func (a *Analyzer) planWalk(ctx context.Context, u Update, tip *git.Commit, snap *store.Snapshot) (plan, error) {
	p := plan{advance: true}
	stop := ""
	if snap != nil {
		if snap.Commit == u.New {
			return plan{skip: SkipAnalyzed}, nil
		}
		// An error here means the stored commit is gone: not stale. A
		// descendant of the snapshot (a push on top of it, the common
		// case) is no ancestor of it: that is a walk of the pushed
		// commits, where the other way walks the snapshot's whole history.
		if older, err := a.isOlder(u.New, snap.Commit); err == nil && older {
			if u.Old != snap.Commit {
				return plan{skip: SkipStale}, nil
			}
			p.jump = &pusher{u}
		}
		if snap.Fingerprint == a.fingerprint {
			p.storedKeys = a.snapshotKeys(snap)
		}
		if _, err := a.repo.Commit(snap.Commit); err == nil {
			p.from = snap.Commit
			p.fromSnapshot = snap.Fingerprint == a.fingerprint
			stop = snap.Commit
		} else if !git.IsZeroID(u.Old) {
			// The stored commit is gone (a force-push and a gc): start
			// from <old>, still comparing with the stored keys.
			p.from, stop = u.Old, u.Old
		}
	} else if !git.IsZeroID(u.Old) {
		p.from, stop = u.Old, u.Old
	} else {
		base, err := a.repo.ForkPoint(tip, u.Ref)
		if err != nil {
			return p, err
		}
		p.from, stop = base, base
		if base != "" {
			if p.seed, err = a.seed(ctx, base); err != nil {
				return p, err
			}
		}
	}
	if p.jump != nil {
		return p, nil
	}
	commits, found, err := a.repo.FirstParents(ctx, tip, stop)
	if err != nil {
		return p, err
	}
	if !found && stop != "" {
		// stop is not on the first-parent line of the new tip (a
		// force-push, or <old> merged in as a second parent): walk from
		// where the two histories meet.
		base, err := a.repo.MergeBase(stop, tip)
		switch {
		case err == nil && base == "":
			// Unrelated histories: none of the new commits made
			// the difference with what was there.
			p.jump = &pusher{u}
			return p, nil
		case err == nil:
			if commits, _, err = a.repo.FirstParents(ctx, tip, base); err != nil {
				return p, err
			}
		}
	}
	p.commits = commits
	return p, nil
}

// isOlder reports whether commit is an ancestor of stored, another
// commit, asking first whether it is a descendant.
func (a *Analyzer) isOlder(commit, stored string) (bool, error) {
	if newer, err := a.repo.IsAncestor(stored, commit); err != nil || newer {
		return false, err
	}
	return a.repo.IsAncestor(commit, stored)
}

// seed returns the stored snapshot a new branch forking at base starts
// from, or nil: one with this analyzer's rules whose commit is base, else
// one whose commit base is an ancestor of (the branch it forked from
// moved on), else any. Its state at base is its files changed by the diff
// of the two trees, which costs in proportion to how far apart they are:
// a scan of base's whole tree looks every file up in the blob cache, and
// on a large repository that passes the hook's budget.
func (a *Analyzer) seed(ctx context.Context, base string) (*store.Snapshot, error) {
	heads, err := store.SnapshotHeads(ctx, a.db, a.opts.Repository)
	if err != nil {
		return nil, err
	}
	var best *store.SnapshotHead
	rank := 0
	for i, h := range heads {
		if h.Fingerprint != a.fingerprint {
			continue
		}
		if _, err := a.repo.Commit(h.Commit); err != nil {
			continue // gone: no tree to diff
		}
		r := 1
		switch {
		case h.Commit == base:
			r = 3
		default:
			if ok, err := a.repo.IsAncestor(base, h.Commit); err == nil && ok {
				r = 2
			}
		}
		if r > rank {
			best, rank = &heads[i], r
		}
		if r == 3 {
			break
		}
	}
	if best == nil {
		return nil, nil
	}
	return store.LoadSnapshot(ctx, a.db, a.opts.Repository, best.Branch)
}

// baseline builds the starting state of a plan: the stored snapshot's
// files, another branch's snapshot moved to the starting commit, or a scan
// of the whole starting tree (cached blobs are not read).
func (a *Analyzer) baseline(ctx context.Context, res *resolver, p plan, snap *store.Snapshot) (*state, error) {
	st := newState(a.opts.Environments)
	var (
		entries []source.Entry
		// stored is the snapshot whose resolutions of use files hold at
		// from but for the paths in changed; nil: every use file is
		// resolved.
		stored  *store.Snapshot
		changed []string
	)
	if p.fromSnapshot {
		for path, blob := range snap.Files {
			entries = append(entries, source.Entry{Path: path, Blob: blob})
		}
		stored = snap
	} else if p.seed != nil {
		var err error
		if entries, changed, err = a.seedEntries(ctx, res, p.seed, p.from); err != nil {
			return nil, err
		}
		stored = p.seed
	} else {
		t, err := a.repo.TreeOf(p.from)
		if err != nil {
			return nil, err
		}
		changes, err := a.repo.NewDiffer().Diff(ctx, git.Hash{}, t)
		if err != nil {
			return nil, err
		}
		for _, c := range changes {
			if res.wanted(c.Path) {
				entries = append(entries, source.Entry{Path: c.Path, Blob: c.To})
			}
		}
	}
	if stored != nil {
		entries = a.restoreFiles(st, stored, entries)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	if err := res.load(ctx, entries); err != nil {
		return nil, err
	}
	for _, e := range entries {
		fr := res.refs(e.Path, e.Blob)
		st.set(e.Path, &fr)
		st.trackNames(e.Path, &fr)
	}
	if len(st.names.files) > 0 {
		if stored != nil {
			a.restoreUses(st, stored)
		}
		tree, err := a.repo.TreeOf(p.from)
		if err != nil {
			return nil, err
		}
		if err := a.resolveNames(ctx, res, st, tree, changed, stored == nil); err != nil {
			return nil, err
		}
	}
	st.step()
	return st, nil
}

// seedEntries returns the files of commit from that can hold references:
// the seed snapshot's, changed as from's tree differs from its commit's,
// and the paths that differ.
func (a *Analyzer) seedEntries(ctx context.Context, res *resolver, seed *store.Snapshot, from string) ([]source.Entry, []string, error) {
	// The fingerprint does not cover the excluded paths: the seed's
	// branch may have been analyzed with others.
	files := maps.Clone(seed.Files)
	maps.DeleteFunc(files, func(path, _ string) bool { return !res.wanted(path) })
	var changed []string
	if seed.Commit != from {
		old, err := a.repo.TreeOf(seed.Commit)
		if err != nil {
			return nil, nil, err
		}
		t, err := a.repo.TreeOf(from)
		if err != nil {
			return nil, nil, err
		}
		changes, err := a.repo.NewDiffer().Diff(ctx, old, t)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range changes {
			changed = append(changed, c.Path)
			delete(files, c.Path)
			if c.To != "" && res.wanted(c.Path) {
				files[c.Path] = c.To
			}
		}
	}
	entries := make([]source.Entry, 0, len(files))
	for path, blob := range files {
		entries = append(entries, source.Entry{Path: path, Blob: blob})
	}
	return entries, changed, nil
}

// keySets returns the keys of each environment of st.
func (a *Analyzer) keySets(st *state) []map[string]bool {
	out := make([]map[string]bool, len(a.opts.Environments))
	for i := range out {
		out[i] = st.keys(i)
	}
	return out
}

// snapshotKeys returns the stored keys of each configured environment.
func (a *Analyzer) snapshotKeys(snap *store.Snapshot) []map[string]bool {
	out := make([]map[string]bool, len(a.opts.Environments))
	for i, env := range a.opts.Environments {
		out[i] = map[string]bool{}
		for k := range snap.Keys[env.ID] {
			out[i][k] = true
		}
	}
	return out
}

// pusher is an update whose transitions no single commit made (a rewind,
// a force-push to an unrelated history): its events are the push's.
type pusher struct{ u Update }

// id is what stands for the commit in the ids of the push's events.
func (p *pusher) id() string { return "push " + p.u.Old + ".." + p.u.New }

// events compares the keys before and after, attributing each transition
// to the last commit that made it, or to the push by when it is not nil:
// its events name no commit.
func (a *Analyzer) events(st *state, before []map[string]bool, snap *store.Snapshot, last map[envKey]*git.Commit, lastRefs map[envKey][]event.Reference, branch string, tip *git.Commit, by *pusher) []event.Event {
	var out []event.Event
	now := a.opts.Now()
	for i, env := range a.opts.Environments {
		after := st.keys(i)
		var keys []string
		for k := range after {
			if !before[i][k] {
				keys = append(keys, k)
			}
		}
		for k := range before[i] {
			if !after[k] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := last[envKey{i, k}]
			if c == nil {
				c = tip
			}
			typ, refs := event.FlagNew, eventRefs(st.references(i, k), tip.ID.String(), a.links)
			if !after[k] {
				typ, refs = event.FlagDeleted, lastRefs[envKey{i, k}]
				if refs == nil {
					refs = a.lastReferences(snap, env.ID, k)
				}
			}
			id, body := c.ID.String(), a.body(typ, env, k, branch, c, refs, now)
			if by != nil {
				id, body.Commit = by.id(), event.Commit{}
			}
			out = append(out, event.Event{ID: event.ID(a.opts.Repository, branch, env.ID, typ, k, id), Body: body})
		}
	}
	return out
}

// lastReferences returns the references a deleted key had in the stored
// snapshot.
func (a *Analyzer) lastReferences(snap *store.Snapshot, env, key string) []event.Reference {
	refs := []event.Reference{}
	if snap != nil {
		_ = json.Unmarshal(snap.Keys[env][key], &refs) // no stored references is an empty list
	}
	return refs
}

func (a *Analyzer) body(typ string, env Environment, key, branch string, c *git.Commit, refs []event.Reference, when time.Time) event.Body {
	actor := a.opts.Actor
	if actor.ID == "" {
		actor.ID = c.Committer.Name
	}
	if actor.Email == "" {
		actor.Email = c.Committer.Email
	}
	if refs == nil {
		refs = []event.Reference{}
	}
	b := event.Body{
		Contract: event.Contract{
			Event:           typ,
			UserID:          actor.ID,
			UserEmail:       actor.Email,
			UserRole:        actor.Role,
			Date:            formatDate(when),
			AccountID:       a.opts.Account.ID,
			AccountName:     a.opts.Account.Name,
			EnvironmentID:   env.ID,
			EnvironmentName: env.Name,
			FlagKey:         key,
		},
		Repository: a.opts.Repository,
		Branch:     branch,
		Commit:     commitOf(c, a.links),
	}
	b.SetReferences(refs)
	return b
}
