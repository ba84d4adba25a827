// Package hook runs flagscan inside a git server: the pre-receive hook
// (analyze the pushed updates from git's quarantine within a budget, hold
// their events, fail open), the post-receive hook (analyze what git
// accepted, release the held events, deliver), confirm for servers with no
// post-receive hook, and install. The server's configuration is the only
// one; a configuration in pushed code adds detection, nothing else. It
// reads git only through scanner/git and analyzes through a workspace.
package hook

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/scanner/git"
)

// DefaultHoldAge is how long a hold whose commit has not landed is kept
// before `hook confirm` (and the sweep of post-receive) discards it: a
// push still between its pre-receive hook and its ref update is never
// that old.
const DefaultHoldAge = time.Hour

// Flags are the flags the hook commands share.
type Flags struct {
	Repo, DB, Config   string // the repository (default $GIT_DIR), the store, the server's configuration
	Repository, WebURL string // the repository's name and web address in events
	LogFormat          string // --log-format of delivery's log lines: text or json
}

// hookSite is the repository a hook runs for, with the server's
// configuration for it.
type hookSite struct {
	gitDir string // absolute
	cfg    *config.Config
}

// site finds the repository and loads its server-side configuration.
func (f *Flags) site() (*hookSite, error) {
	dir := f.Repo
	if dir == "" {
		dir = os.Getenv("GIT_DIR")
	}
	if dir == "" {
		dir = "."
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("repository %s: %w", dir, err)
	}
	loc, err := git.Discover(dir)
	if err != nil {
		// Not a repository: opening it says so, after the
		// configuration has had its say.
		if loc.GitDir, err = filepath.Abs(dir); err != nil {
			return nil, err
		}
	}
	gd := loc.GitDir
	cfg, err := ServerConfig(f.Config, gd)
	if err != nil {
		return nil, err
	}
	return &hookSite{gitDir: gd, cfg: cfg}, nil
}

// ServerConfig loads the server's configuration of the repository whose
// git directory is gitDir (see configFile). Never a .flagscan.yml of a
// work tree: in hook mode that is pushed code.
func ServerConfig(flag, gitDir string) (*config.Config, error) {
	return workspace.LoadConfig(flag, "", gitDir)
}

// storePath returns the store: --db, else $FLAGSCAN_DB, else flagscan.db
// in gitDir.
func (f *Flags) storePath(gitDir string) string {
	return workspace.StoreTarget(f.DB, gitDir)
}

// hookRun analyzes the ref updates of one repository in a hook: each with
// the server's configuration plus the detection settings of the
// .flagscan.yml of its new commit, if it has one.
type hookRun struct {
	site   *hookSite
	repo   *git.Repo
	db     *sql.DB
	name   string // the repository's name in events
	webURL string
	// byConfig caches a workspace and its analyzer per pushed
	// configuration file: its blob id, or "" for none.
	byConfig map[string]*hookAnalyzer
	// warnings are for the pusher, once per pushed configuration file.
	warnings []string
}

type hookAnalyzer struct {
	w *workspace.Workspace
	a *analyzer.Analyzer // nil until analyzer is called
}

func newHookRun(site *hookSite, repo *git.Repo, db *sql.DB, name, webURL string) *hookRun {
	return &hookRun{site: site, repo: repo, db: db, name: name, webURL: webURL, byConfig: map[string]*hookAnalyzer{}}
}

// analyzable reports whether an update is to a branch the server's
// configuration tracks, and not a deletion: whether analyzing it can give
// events.
func (r *hookRun) analyzable(u analyzer.Update) bool {
	branch, ok := strings.CutPrefix(u.Ref, "refs/heads/")
	if !ok || strings.Trim(u.New, "0") == "" {
		return false
	}
	branches := r.site.cfg.Branches
	if len(branches) == 0 {
		if def := r.repo.DefaultBranch(); def != "" {
			branches = []string{def}
		}
	}
	if len(branches) == 0 {
		return true
	}
	for _, g := range branches {
		if config.MatchGlob(g, branch) {
			return true
		}
	}
	return false
}

// workspace returns the workspace that analyzes u: the server's
// configuration with the detection settings pushed in u's new commit.
func (r *hookRun) workspace(u analyzer.Update) (*hookAnalyzer, error) {
	det, blob, err := pushedDetection(r.repo, u.New)
	if err != nil {
		return nil, err
	}
	if ha, ok := r.byConfig[blob]; ok {
		return ha, nil
	}
	cfg := r.site.cfg
	if det != nil {
		if len(det.Ignored) > 0 {
			r.warnings = append(r.warnings, fmt.Sprintf("%s: ignored in hook mode, where only the server's configuration sets them: %s",
				det.File, strings.Join(det.Ignored, ", ")))
		}
		var notes []string
		if cfg, notes, err = cfg.WithPushedDetection(det); err != nil {
			return nil, err
		}
		r.warnings = append(r.warnings, notes...)
	}
	ha := &hookAnalyzer{w: &workspace.Workspace{Repo: r.repo, Dir: r.site.gitDir, DB: r.db, Config: cfg, Flags: &workspace.Flags{
		Repository: r.name,
		WebURL:     r.webURL,
		Scan:       workspace.ScanSettings{ContextLines: -1},
	}}}
	r.byConfig[blob] = ha
	return ha, nil
}

// analyzer returns the analyzer of u's workspace, built once: building
// one compiles the rules.
func (r *hookRun) analyzer(u analyzer.Update) (*analyzer.Analyzer, error) {
	ha, err := r.workspace(u)
	if err != nil {
		return nil, err
	}
	if ha.a == nil {
		if ha.a, err = ha.w.Analyzer(); err != nil {
			return nil, err
		}
	}
	return ha.a, nil
}

// maxPushedConfig bounds the .flagscan.yml read from pushed code.
const maxPushedConfig = 1 << 20

// pushedDetection reads the detection settings of the .flagscan.yml (or
// .flagscan.yaml) at the root of commit's tree, and returns them with the
// file's blob id; nil and "" when there is none. ${NAME} references in it
// are never expanded, and its server-side sections never read.
func pushedDetection(repo *git.Repo, commit string) (*config.Detection, string, error) {
	name, id, b, err := repo.RootFile(commit, []string{".flagscan.yml", ".flagscan.yaml"}, maxPushedConfig)
	switch {
	case err != nil:
		return nil, "", err
	case name == "":
		return nil, "", nil
	case b.Oversize:
		return nil, "", fmt.Errorf("%s of %s: %d bytes, more than the %d a configuration may have", name, cli.Short(commit), b.Size, maxPushedConfig)
	}
	det, err := config.ParseDetection(cli.Short(commit)+":"+name, b.Data)
	if err != nil {
		return nil, "", err
	}
	return det, id.String(), nil
}

// summarize describes the events of an update in one line, "" for none.
func summarize(u analyzer.Update, events []event.Event) string {
	if len(events) == 0 {
		return ""
	}
	byType := map[string][]string{}
	for _, e := range events {
		byType[e.Body.Event] = append(byType[e.Body.Event], e.Body.FlagKey)
	}
	var parts []string
	for _, typ := range []string{event.FlagNew, event.FlagDeleted} {
		keys := byType[typ]
		if len(keys) == 0 {
			continue
		}
		sort.Strings(keys)
		keys = compactStrings(keys)
		const show = 8
		more := ""
		if len(keys) > show {
			more = fmt.Sprintf(" and %d more", len(keys)-show)
			keys = keys[:show]
		}
		parts = append(parts, fmt.Sprintf("%s %s%s", typ, cli.Printable(strings.Join(keys, ", ")), more))
	}
	return fmt.Sprintf("%s: %s", cli.Printable(u.Ref), strings.Join(parts, "; "))
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// hookLog writes lines for the pusher: git shows a hook's output prefixed
// with "remote:".
type hookLog struct{ w io.Writer }

func (l hookLog) printf(format string, args ...any) {
	fmt.Fprintf(l.w, "flagscan: "+format+"\n", args...)
}

// ErrPushRefused marks an error that refuses the push.
var ErrPushRefused = errors.New("push refused")
