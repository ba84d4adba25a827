package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/reposync"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/version"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

func tsFlag(keys ...string) string {
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "visitor.getFlag(%q, false);\n", k)
	}
	return b.String()
}

// syncLine is a line of `flagscan sync --format json`, with the event
// bodies it needs.
type syncLine struct {
	reposync.BranchResult
	Events []struct {
		Event           string `json:"event"`
		FlagKey         string `json:"flag_key"`
		EnvironmentID   string `json:"environment_id"`
		EnvironmentName string `json:"environment_name"`
		Repository      string `json:"repository"`
		Commit          struct {
			SHA string `json:"sha"`
			URL string `json:"url"`
		} `json:"commit"`
	} `json:"events"`
}

func parseSync(t *testing.T, out string) []syncLine {
	t.Helper()
	var lines []syncLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l syncLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

// eventsOf lists "repository env event key" of the lines' events, sorted.
func eventsOf(lines []syncLine) []string {
	var out []string
	for _, l := range lines {
		for _, e := range l.Events {
			out = append(out, fmt.Sprintf("%s %s %s %s", e.Repository, e.EnvironmentID, e.Event, e.FlagKey))
		}
	}
	slices.Sort(out)
	return out
}

// clearSyncEnv keeps the environment of the test process out of the
// commands' defaults.
func clearSyncEnv(t *testing.T) {
	for _, k := range []string{"FLAGSCAN_CONFIG", "FLAGSCAN_REPOSITORY", "FLAGSCAN_WEB_URL", "FLAGSCAN_USER_ID", "FLAGSCAN_USER_EMAIL",
		"FLAGSCAN_ACCOUNT_ID", "FLAGSCAN_ACCOUNT_NAME", "FLAGSCAN_ENVIRONMENT_ID", "FLAGSCAN_ENVIRONMENT_NAME", "FLAGSCAN_BRANCHES",
		"FLAGSCAN_WEBHOOK_URL", "FLAGSCAN_WEBHOOK_SECRET", "FLAGSCAN_WEBHOOK_DESCRIPTION", "FLAGSCAN_WEBHOOK_EVENTS",
		"FLAGSCAN_ALLOW_HOSTS", "FLAGSCAN_DELIVERY_BUDGET", "GITHUB_REPOSITORY", "GITHUB_SERVER_URL", "GITHUB_ACTOR",
		"GL_PROJECT_PATH", "CI_PROJECT_PATH", "CI_PROJECT_URL", "GL_USERNAME"} {
		t.Setenv(k, "")
	}
}

// TestSyncMonorepo syncs one monorepo whose configuration maps path globs
// to environments: the first run stores a baseline and emits nothing; a
// run after many commits emits each environment's transitions of the whole
// range, to a real receiver; a run with nothing new emits nothing.
func TestSyncMonorepo(t *testing.T) {
	clearSyncEnv(t)
	dir := t.TempDir()
	gittest.Run(t, dir, "init", "-q", "-b", "main")
	gittest.CommitFiles(t, dir, "base", map[string]string{
		"services/checkout/a.ts": tsFlag("co_old"),
		"services/search/s.ts":   tsFlag("search_shared"),
		"web/w.ts":               tsFlag("web_old"),
	})
	secret := newSecret(t)
	rc := newReceiver(t, secret, nil)
	t.Setenv("SYNC_TEST_SECRET", secret)
	cfg := writeConfig(t, t.TempDir(), `
account: {id: acc_1, name: Acme}
environments:
  - {id: env_checkout, name: checkout-prod, paths: ["services/checkout/**"]}
  - {id: env_search, name: search-prod, paths: ["services/search/**"]}
  - {id: env_web, name: web-prod, paths: ["web/**"]}
webhooks:
  - description: nightly
    events: [Flag.new, Flag.deleted]
    url: `+rc.URL+`/flags
    secret: ${SYNC_TEST_SECRET}
delivery:
  allow_hosts: [127.0.0.1]
`)
	db := storetest.Target(t)
	sync := func(args ...string) (string, string) {
		t.Helper()
		code, out, errOut := flagscan(t, "", append([]string{"sync", dir, "--db", db, "--config", cfg, "--progress", "off"}, args...)...)
		if code != exitOK {
			t.Fatalf("sync: exit %d\n%s%s", code, out, errOut)
		}
		return out, errOut
	}

	// First run: a baseline at the head, no events.
	out, _ := sync("--format", "json")
	lines := parseSync(t, out)
	if len(lines) != 1 || !lines[0].Baseline || len(lines[0].Events) != 0 || lines[0].Branch != "main" {
		t.Fatalf("first run: %s", out)
	}
	if n := len(rc.received()); n != 0 {
		t.Fatalf("first run delivered %d events", n)
	}

	// Many commits later.
	gittest.CommitFiles(t, dir, "checkout: new flag", map[string]string{"services/checkout/a.ts": tsFlag("co_old", "co_new")})
	gittest.CommitFiles(t, dir, "search: short-lived flag", map[string]string{"services/search/s.ts": tsFlag("search_shared", "search_tmp")})
	gittest.CommitFiles(t, dir, "search: drop it again", map[string]string{"services/search/s.ts": tsFlag("search_shared")})
	gittest.CommitFiles(t, dir, "web: replace flag", map[string]string{"web/w.ts": tsFlag("web_new")})
	gittest.CommitFiles(t, dir, "checkout: drop old", map[string]string{"services/checkout/a.ts": tsFlag("co_new")})
	gittest.CommitFiles(t, dir, "search: shared flag moves to web", map[string]string{"services/search/s.ts": "", "web/shared.ts": tsFlag("search_shared")})
	for i := 0; i < 10; i++ {
		gittest.CommitFiles(t, dir, fmt.Sprintf("docs %d", i), map[string]string{"README.md": fmt.Sprintf("revision %d\n", i)})
	}
	head := gittest.Run(t, dir, "rev-parse", "HEAD")

	out, errOut := sync("--format", "json")
	lines = parseSync(t, out)
	want := []string{
		"" + filepath.Base(dir) + " env_checkout Flag.deleted co_old",
		filepath.Base(dir) + " env_checkout Flag.new co_new",
		filepath.Base(dir) + " env_search Flag.deleted search_shared",
		filepath.Base(dir) + " env_web Flag.deleted web_old",
		filepath.Base(dir) + " env_web Flag.new search_shared",
		filepath.Base(dir) + " env_web Flag.new web_new",
	}
	if got := eventsOf(lines); !slices.Equal(got, want) {
		t.Fatalf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if l := lines[0]; l.Baseline || l.Commits != 16 || l.To != head || l.New != 3 || l.Deleted != 3 {
		t.Errorf("second run: %+v", l.BranchResult)
	}
	if got := receivedBodies(t, rc); len(got) != len(want) {
		t.Errorf("the receiver got %d events, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	if !strings.Contains(errOut, "msg=\"branch synced\"") || !strings.Contains(errOut, "commits=16") {
		t.Errorf("log lines:\n%s", errOut)
	}

	// Nothing new: up to date, no events.
	out, _ = sync()
	if !strings.Contains(out, "up to date") || strings.Contains(out, "Flag.") {
		t.Errorf("third run:\n%s", out)
	}
	if got := receivedBodies(t, rc); len(got) != len(want) {
		t.Errorf("the receiver got %d events after the third run, want still %d", len(got), len(want))
	}
}

// TestSyncManyRepositories syncs several repositories in one invocation,
// two at a time: each keeps its own store (in its git directory) and is
// named by its origin remote, with links to its forge; one that cannot be
// opened fails the command without stopping the others. Log lines are
// JSON with --log-format json.
func TestSyncManyRepositories(t *testing.T) {
	clearSyncEnv(t)
	root := t.TempDir()
	var dirs []string
	for i, name := range []string{"shop", "search", "billing"} {
		dir := filepath.Join(root, name)
		gittest.Run(t, root, "init", "-q", "-b", "main", dir)
		gittest.Run(t, dir, "remote", "add", "origin", "git@github.example:acme/"+name+".git")
		gittest.CommitFiles(t, dir, "base", map[string]string{"src/a.ts": tsFlag(fmt.Sprintf("%s_old_%d", name, i))})
		dirs = append(dirs, dir)
	}
	missing := filepath.Join(root, "missing")
	args := append(append([]string{"sync", "--log-format", "json", "--progress", "off", "--jobs", "2", "--format", "json"}, dirs...), missing)

	code, out, errOut := flagscan(t, "", args...)
	if code != exitError || !strings.Contains(errOut, "sync failed for 1 of 4 repositories: "+missing) {
		t.Fatalf("exit %d, want %d for the missing repository\n%s%s", code, exitError, out, errOut)
	}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, ".git", "flagscan.db")); err != nil {
			t.Errorf("no store of its own: %v", err)
		}
		gittest.CommitFiles(t, dir, "new flag", map[string]string{"src/b.ts": tsFlag(filepath.Base(dir) + "_new")})
	}

	code, out, errOut = flagscan(t, "", args...)
	if code != exitError {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	lines := parseSync(t, out)
	want := []string{
		"acme/billing default Flag.new billing_new",
		"acme/search default Flag.new search_new",
		"acme/shop default Flag.new shop_new",
	}
	if got := eventsOf(lines); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	for _, l := range lines {
		for _, e := range l.Events {
			if want := "https://github.example/" + l.Repository + "/commit/" + e.Commit.SHA; e.Commit.URL != want {
				t.Errorf("commit link %q, want %q", e.Commit.URL, want)
			}
		}
	}
	var logged []string
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		if strings.HasPrefix(line, "flagscan: ") {
			continue // the command's error
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if m["msg"] == "branch synced" {
			logged = append(logged, fmt.Sprint(m["repository"]))
		}
		if v := version.Build().Short(); m["version"] != v {
			t.Errorf("log line %q: version %v, want %q", line, m["version"], v)
		}
	}
	slices.Sort(logged)
	if want := []string{"acme/billing", "acme/search", "acme/shop"}; !slices.Equal(logged, want) {
		t.Errorf("logged %q, want %q\n%s", logged, want, errOut)
	}
}

// TestSyncProgress checks that the progress line is drawn when asked for
// and stays away from output that is not a terminal.
func TestSyncProgress(t *testing.T) {
	clearSyncEnv(t)
	dir := t.TempDir()
	gittest.Run(t, dir, "init", "-q", "-b", "main")
	gittest.CommitFiles(t, dir, "base", map[string]string{"a.ts": tsFlag("k")})
	for _, tc := range []struct {
		mode string
		want bool
	}{{"on", true}, {"auto", false}, {"off", false}} {
		code, out, errOut := flagscan(t, "", "sync", dir, "--db", storetest.Target(t), "--progress", tc.mode)
		if code != exitOK {
			t.Fatalf("--progress %s: exit %d\n%s%s", tc.mode, code, out, errOut)
		}
		drawn := strings.Contains(errOut, "\r\x1b[K") && strings.Contains(errOut, "1/1 branches")
		if drawn != tc.want {
			t.Errorf("--progress %s: drawn %v, want %v:\n%q", tc.mode, drawn, tc.want, errOut)
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("--progress %s: escape codes on stdout", tc.mode)
		}
	}
	if code, _, errOut := flagscan(t, "", "sync", dir, "--progress", "sometimes"); code != exitUsage {
		t.Errorf("--progress sometimes: exit %d: %s", code, errOut)
	}
	if code, _, errOut := flagscan(t, "", "sync", dir, "--log-format", "xml"); code != exitUsage {
		t.Errorf("--log-format xml: exit %d: %s", code, errOut)
	}
}

// TestSyncRemoteBranchesAndBaselineAge syncs the remote-tracking branches
// of a CI checkout (--remote origin, tracked branches from
// FLAGSCAN_BRANCHES), with --baseline-age: on a fresh store, each branch's
// baseline is its last commit older than the age, so the transitions of
// the commits since are reported even though the store was lost.
func TestSyncRemoteBranchesAndBaselineAge(t *testing.T) {
	clearSyncEnv(t)
	src := t.TempDir()
	old := time.Now().Add(-72 * time.Hour).Format(time.RFC3339)
	recent := time.Now().Add(-time.Hour).Format(time.RFC3339)
	gittest.Options{Date: old}.Run(t, src, "init", "-q", "-b", "main")
	gittest.WriteFile(t, filepath.Join(src, "a.ts"), tsFlag("kept", "dropped"))
	gittest.Options{Date: old}.Run(t, src, "add", "-A")
	gittest.Options{Date: old}.Run(t, src, "commit", "-qm", "old")
	gittest.Options{Date: old}.Run(t, src, "branch", "release/1")
	gittest.WriteFile(t, filepath.Join(src, "a.ts"), tsFlag("kept", "added"))
	gittest.Options{Date: recent}.Run(t, src, "commit", "-qam", "recent")
	gittest.Options{Date: recent}.Run(t, src, "checkout", "-q", "release/1")
	gittest.WriteFile(t, filepath.Join(src, "r.ts"), tsFlag("release_only"))
	gittest.Options{Date: recent}.Run(t, src, "add", "-A")
	gittest.Options{Date: recent}.Run(t, src, "commit", "-qm", "release fix")
	gittest.Options{Date: recent}.Run(t, src, "branch", "ignored")

	checkout := filepath.Join(t.TempDir(), "checkout")
	gittest.Run(t, src, "clone", "-q", "--no-local", src, checkout) // local branches: release/1 only
	t.Setenv("FLAGSCAN_BRANCHES", "main,release/*")
	code, out, errOut := flagscan(t, "", "sync", checkout, "--remote", "origin", "--baseline-age", "24h", "--db", storetest.Target(t), "--progress", "off", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	lines := parseSync(t, out)
	var branches []string
	for _, l := range lines {
		branches = append(branches, l.Branch)
		if !l.Baseline || l.From == "" || l.Commits != 1 {
			t.Errorf("%s: %+v, want a baseline one commit back", l.Branch, l.BranchResult)
		}
	}
	if want := []string{"main", "release/1"}; !slices.Equal(branches, want) {
		t.Errorf("branches %q, want %q", branches, want)
	}
	name := filepath.Base(checkout)
	want := []string{
		name + " default Flag.deleted dropped",
		name + " default Flag.new added",
		name + " default Flag.new release_only",
	}
	if got := eventsOf(lines); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// TestSyncJobsShareTheList: two sync jobs given the same six repositories
// at once, on one store, with --skip-synced-within, sync each repository
// once between them; a third job soon after passes over all of them.
func TestSyncJobsShareTheList(t *testing.T) {
	var dirs []string
	for i := range 6 {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("repo", i))
		gittest.Init(t, dir)
		gittest.CommitFiles(t, dir, "one", map[string]string{"web/a.ts": fmt.Sprintf("visitor.getFlag(\"k%d\", 1);\n", i)})
		dirs = append(dirs, dir)
	}
	db := storetest.Target(t)
	job := func() []map[string]any {
		args := append([]string{"sync", "--db", db, "--progress", "off", "--format", "json", "--skip-synced-within", "1h", "--jobs", "2"}, dirs...)
		code, out, errOut := flagscan(t, "", args...)
		if code != exitOK {
			t.Errorf("sync: exit %d\n%s%s", code, out, errOut)
		}
		var lines []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			lines = append(lines, m)
		}
		return lines
	}
	var (
		wg   sync.WaitGroup
		outs [2][]map[string]any
	)
	for i := range outs {
		wg.Add(1)
		go func() { defer wg.Done(); outs[i] = job() }()
	}
	wg.Wait()
	synced, passed := map[string]int{}, map[string]int{}
	for _, lines := range outs {
		for _, l := range lines {
			switch {
			case l["skipped"] != nil && l["branch"] == nil:
				passed[l["path"].(string)]++
			case l["branch"] == "main":
				synced[l["path"].(string)]++
			default:
				t.Errorf("unexpected line %v", l)
			}
		}
	}
	for _, d := range dirs {
		if synced[d] != 1 || passed[d] != 1 {
			t.Errorf("%s: synced by %d jobs, passed over by %d; want 1 and 1", d, synced[d], passed[d])
		}
	}
	for _, l := range job() {
		if l["skipped"] == nil || l["branch"] != nil {
			t.Errorf("a job right after synced again: %v", l)
		}
	}
}
