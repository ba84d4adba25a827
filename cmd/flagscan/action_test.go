package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/action"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

var updateAction = flag.Bool("update-action", false, "rewrite the golden files of testdata/action")

// actionRepo is a repository whose history the action tests push:
//
//	c0  web/a.ts references "legacy"
//	c1  web/a.ts references "checkout" instead
//	c2  services/pay/p.py references "beta_pay"
//	c3  web/a.ts no longer references "checkout"
func actionRepo(t *testing.T) (dir string, c []string) {
	t.Helper()
	dir = t.TempDir()
	gittest.Run(t, dir, "init", "-q", "-b", "main")
	steps := []struct{ path, content string }{
		{"web/a.ts", "visitor.getFlag(\"legacy\", 1);\n"},
		{"web/a.ts", "const f = visitor.getFlag(\"checkout\");\nf.getValue(true);\n"},
		{"services/pay/p.py", "flag = visitor.get_flag(\"beta_pay\", False)\n"},
		{"web/a.ts", "export const f = 1;\n"},
	}
	for i, s := range steps {
		gittest.WriteFile(t, filepath.Join(dir, filepath.FromSlash(s.path)), s.content)
		date := "2026-03-0" + string(rune('1'+i)) + "T10:00:00+00:00"
		gittest.Options{Date: date}.Run(t, dir, "add", "-A")
		gittest.Options{Date: date}.Run(t, dir, "commit", "-qm", "step "+string(rune('0'+i)))
		c = append(c, gittest.Run(t, dir, "rev-parse", "HEAD"))
	}
	return dir, c
}

// githubEnv is the environment of a GitHub Actions step running the
// action, without a configuration file: everything comes from variables.
type githubEnv struct {
	output, summary string
}

func setGitHubEnv(t *testing.T, event map[string]any, receiverURL, secret string) githubEnv {
	t.Helper()
	tmp := t.TempDir()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	ev := filepath.Join(tmp, "event.json")
	if err := os.WriteFile(ev, payload, 0o644); err != nil {
		t.Fatal(err)
	}
	g := githubEnv{output: filepath.Join(tmp, "output"), summary: filepath.Join(tmp, "summary.md")}
	for k, v := range map[string]string{
		"GITHUB_EVENT_PATH":   ev,
		"GITHUB_EVENT_NAME":   "push",
		"GITHUB_OUTPUT":       g.output,
		"GITHUB_STEP_SUMMARY": g.summary,
		"GITHUB_REPOSITORY":   "acme/shop",
		"GITHUB_SERVER_URL":   "https://github.example",
		"GITHUB_ACTOR":        "ada-gh",
		"GITHUB_SHA":          "",
		"GITHUB_REF":          "",

		"FLAGSCAN_ACCOUNT_ID":          "acc_1",
		"FLAGSCAN_ACCOUNT_NAME":        "Acme",
		"FLAGSCAN_ENVIRONMENT_ID":      "env_prod",
		"FLAGSCAN_ENVIRONMENT_NAME":    "production",
		"FLAGSCAN_WEBHOOK_URL":         receiverURL,
		"FLAGSCAN_WEBHOOK_DESCRIPTION": "cleanup bot",
		"FLAGSCAN_WEBHOOK_SECRET":      secret,
		"FLAGSCAN_WEBHOOK_EVENTS":      "",
		"FLAGSCAN_ALLOW_HOSTS":         "127.0.0.1",
		"FLAGSCAN_DELIVERY_BUDGET":     "10s",
		"FLAGSCAN_BRANCHES":            "",
		"FLAGSCAN_CONFIG":              "",
		"FLAGSCAN_REPOSITORY":          "",
		"FLAGSCAN_WEB_URL":             "",
		"FLAGSCAN_USER_ID":             "",
		"FLAGSCAN_USER_EMAIL":          "",
		"FLAGSCAN_USER_ROLE":           "",
		"CI_PROJECT_PATH":              "",
		"CI_PROJECT_URL":               "",
		"GL_PROJECT_PATH":              "",
		"GL_USERNAME":                  "",
	} {
		t.Setenv(k, v)
	}
	return g
}

func pushEventJSON(before, after, ref string) map[string]any {
	return map[string]any{
		"ref": ref, "before": before, "after": after,
		"created": before == git.ZeroID, "deleted": after == git.ZeroID, "forced": false,
		"commits": []map[string]string{{"id": after}},
		"pusher":  map[string]string{"name": "ada", "email": "ada@example.com"},
		"repository": map[string]any{
			"full_name": "acme/shop", "html_url": "https://github.example/acme/shop",
			"default_branch": "main", "master_branch": "main",
		},
	}
}

// dateRE matches the date of an event body, which is when it was made.
var dateRE = regexp.MustCompile(`"date":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"`)

// checkGolden compares got, with event dates replaced, to
// testdata/action/name, rewriting it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	got = dateRE.ReplaceAllString(got, `"date":"DATE"`)
	path := filepath.Join("testdata", "action", name)
	if *updateAction {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -run %s -update-action rewrites it)\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// eventsOutput returns the events output of a GITHUB_OUTPUT file.
func eventsOutput(t *testing.T, output string) []event.Body {
	t.Helper()
	for _, line := range strings.Split(output, "\n") {
		if v, ok := strings.CutPrefix(line, action.OutputEvents+"="); ok {
			var bodies []event.Body
			if err := json.Unmarshal([]byte(v), &bodies); err != nil {
				t.Fatalf("events output: %v", err)
			}
			return bodies
		}
	}
	t.Fatalf("no events output in %q", output)
	return nil
}

// receivedBodies returns the bodies a receiver got, dates replaced, sorted.
func receivedBodies(t *testing.T, rc *receiver) []string {
	t.Helper()
	rc.received() // panics on a signature the reference library refuses
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, b := range rc.body {
		out = append(out, dateRE.ReplaceAllString(string(b), `"date":"DATE"`))
	}
	slices.Sort(out)
	return out
}

// marshalBodies encodes bodies as the receiver gets them, dates replaced,
// sorted.
func marshalBodies(t *testing.T, bodies []event.Body) []string {
	t.Helper()
	var out []string
	for _, b := range bodies {
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, dateRE.ReplaceAllString(string(raw), `"date":"DATE"`))
	}
	slices.Sort(out)
	return out
}

// TestActionPush runs `flagscan action` as the GitHub Action does, with a
// synthetic push event, the GITHUB_* variables, no configuration file and
// a real receiver: first with no store (a missing cache: the baseline is
// the push's before), then a second push with the store kept, then a push
// to a branch that is not tracked.
func TestActionPush(t *testing.T) {
	dir, c := actionRepo(t)
	secret := newSecret(t)
	rc := newReceiver(t, secret, nil)
	db := filepath.Join(t.TempDir(), "store", "flagscan.db")
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
		t.Fatal(err)
	}

	// 1. c0..c2 on a fresh store.
	g := setGitHubEnv(t, pushEventJSON(c[0], c[2], "refs/heads/main"), rc.URL+"/hooks", secret)
	code, out, errOut := flagscan(t, "", "action", "-C", dir, "--db", db)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	output := readText(t, g.output)
	checkGolden(t, "fresh.output", output)
	checkGolden(t, "fresh.summary.md", readText(t, g.summary))
	events := eventsOutput(t, output)
	for _, b := range events {
		if b.UserID != "ada" || b.UserEmail != "ada@example.com" || b.Repository != "acme/shop" || b.AccountID != "acc_1" || b.EnvironmentID != "env_prod" {
			t.Errorf("body %+v: want the pusher, the payload's repository and the FLAGSCAN_* account and environment", b)
		}
	}
	if got, want := receivedBodies(t, rc), marshalBodies(t, events); !slices.Equal(got, want) {
		t.Errorf("the receiver got\n%s\nwant the events output\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(out, "3 events") {
		t.Errorf("stdout: %s", out)
	}

	// 2. c2..c3 with the store of the first run: from its snapshot, to a
	// receiver that fails; the summary says the event will be retried.
	failing := newReceiver(t, secret, func(string, int) int { return 500 })
	g = setGitHubEnv(t, pushEventJSON(c[2], c[3], "refs/heads/main"), failing.URL+"/hooks", secret)
	if code, out, errOut := flagscan(t, "", "action", "-C", dir, "--db", db); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	checkGolden(t, "next.output", readText(t, g.output))
	checkGolden(t, "next.summary.md", readText(t, g.summary))
	if n := len(receivedBodies(t, failing)); n != 1 {
		t.Errorf("the failing receiver got %d requests, want 1", n)
	}

	// 3. A branch that is not tracked: nothing, and the summary says why.
	g = setGitHubEnv(t, pushEventJSON(c[2], c[3], "refs/heads/feature"), rc.URL+"/hooks", secret)
	if code, out, errOut := flagscan(t, "", "action", "-C", dir, "--db", db); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	checkGolden(t, "untracked.output", readText(t, g.output))
	checkGolden(t, "untracked.summary.md", readText(t, g.summary))
}

// TestActionShallow runs the action in a shallow clone (actions/checkout's
// default depth of 1) with no store: the push's before commit is missing
// and is fetched by deepening the clone from its origin over file://, which
// honours the depth. Without a way to fetch, the message says what to do.
func TestActionShallow(t *testing.T) {
	src, c := actionRepo(t)
	tmp := t.TempDir()
	origin := filepath.Join(tmp, "origin.git")
	gittest.Run(t, tmp, "clone", "-q", "--bare", src, origin)

	for _, tc := range []struct {
		name        string
		noRemote    bool
		wantErr     []string
		wantMessage string
	}{
		{name: "deepened", wantMessage: "flagscan: shallow checkout: fetching 50 more commits of refs/heads/main to reach " + cli.Short(c[0])},
		{name: "impossible", noRemote: true, wantErr: []string{
			"commit " + cli.Short(c[0]) + ", where the analysis of this push starts, is not in this shallow checkout and could not be fetched from origin",
			"check out with fetch-depth: 0 (actions/checkout)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clone := filepath.Join(t.TempDir(), "shop")
			gittest.Run(t, tmp, "clone", "-q", "--depth", "1", "file://"+origin, clone)
			if got := gittest.Run(t, clone, "rev-parse", "--is-shallow-repository"); got != "true" {
				t.Fatalf("the clone is not shallow: %s", got)
			}
			if tc.noRemote {
				gittest.Run(t, clone, "remote", "remove", "origin")
			}
			secret := newSecret(t)
			rc := newReceiver(t, secret, nil)
			g := setGitHubEnv(t, pushEventJSON(c[0], c[2], "refs/heads/main"), rc.URL+"/hooks", secret)
			db := storetest.Target(t)
			code, out, errOut := flagscan(t, "", "action", "-C", clone, "--db", db)
			if tc.wantErr != nil {
				if code != exitError {
					t.Fatalf("exit %d, want %d\n%s%s", code, exitError, out, errOut)
				}
				for _, want := range tc.wantErr {
					if !strings.Contains(errOut, want) {
						t.Errorf("stderr lacks %q:\n%s", want, errOut)
					}
				}
				return
			}
			if code != exitOK {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			if !strings.Contains(errOut, tc.wantMessage) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantMessage, errOut)
			}
			// The same outputs and summary as from a full clone.
			checkGolden(t, "fresh.output", readText(t, g.output))
			checkGolden(t, "fresh.summary.md", readText(t, g.summary))
			if n := len(receivedBodies(t, rc)); n != 3 {
				t.Errorf("the receiver got %d events, want 3", n)
			}
		})
	}
}

// TestActionNewBranch pushes a new branch on a fresh store from a checkout
// of that branch alone, as actions/checkout makes it: the default branch
// exists only as origin's (or not at all, in a shallow single-branch
// clone), and the baseline must still be where the branch forks, so that
// only the branch's own keys are new. Then the branch is deleted: nothing.
func TestActionNewBranch(t *testing.T) {
	src, c := actionRepo(t)
	gittest.Run(t, src, "checkout", "-q", "-b", "feature/x", c[1])
	gittest.WriteFile(t, filepath.Join(src, "web", "x.ts"), "visitor.getFlag(\"x_only\", 1);\n")
	gittest.Options{Date: "2026-03-05T10:00:00+00:00"}.Run(t, src, "add", "-A")
	gittest.Options{Date: "2026-03-05T10:00:00+00:00"}.Run(t, src, "commit", "-qm", "feature")
	tip := gittest.Run(t, src, "rev-parse", "HEAD")
	tmp := t.TempDir()
	origin := filepath.Join(tmp, "origin.git")
	gittest.Run(t, tmp, "clone", "-q", "--bare", src, origin)

	for _, depth := range []string{"", "1"} {
		t.Run("depth="+depth, func(t *testing.T) {
			clone := filepath.Join(t.TempDir(), "shop")
			args := []string{"clone", "-q", "-b", "feature/x", "file://" + origin, clone}
			if depth != "" {
				args = append(args, "--depth", depth)
			}
			gittest.Run(t, tmp, args...)
			if out := gittest.Run(t, clone, "for-each-ref", "--format=%(refname)", "refs/heads"); out != "refs/heads/feature/x" {
				t.Fatalf("local branches: %q", out)
			}
			secret := newSecret(t)
			rc := newReceiver(t, secret, nil)
			db := storetest.Target(t)
			g := setGitHubEnv(t, pushEventJSON(git.ZeroID, tip, "refs/heads/feature/x"), rc.URL+"/hooks", secret)
			t.Setenv("FLAGSCAN_BRANCHES", "main,feature/*")
			code, out, errOut := flagscan(t, "", "action", "-C", clone, "--db", db)
			if code != exitOK {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			if got, want := strings.SplitN(readText(t, g.output), "\n", 3)[:2], []string{`new_flags=["x_only"]`, `deleted_flags=[]`}; !slices.Equal(got, want) {
				t.Errorf("outputs %q, want %q\n%s", got, want, errOut)
			}
			if !strings.Contains(readText(t, g.summary), "the baseline is `"+cli.Short(c[1])+"`") {
				t.Errorf("summary:\n%s", readText(t, g.summary))
			}

			// The branch is deleted: nothing, and the summary says so.
			g = setGitHubEnv(t, pushEventJSON(tip, git.ZeroID, "refs/heads/feature/x"), rc.URL+"/hooks", secret)
			t.Setenv("FLAGSCAN_BRANCHES", "main,feature/*")
			if code, out, errOut := flagscan(t, "", "action", "-C", clone, "--db", db); code != exitOK {
				t.Fatalf("deletion: exit %d\n%s%s", code, out, errOut)
			}
			if got, want := readText(t, g.summary), "### flagscan: acme/shop `feature/x`\n\nNothing analyzed: branch deleted: nothing emitted, snapshot kept.\n"; got != want {
				t.Errorf("deletion summary %q, want %q", got, want)
			}
			if n := len(receivedBodies(t, rc)); n != 1 {
				t.Errorf("the receiver got %d events, want 1", n)
			}
		})
	}
}

// TestActionScheduled runs the action for an event other than a push (a
// schedule): the first run stores a baseline at GITHUB_SHA and emits
// nothing; the next brings the snapshot up to the new GITHUB_SHA.
func TestActionScheduled(t *testing.T) {
	dir, c := actionRepo(t)
	secret := newSecret(t)
	rc := newReceiver(t, secret, nil)
	db := storetest.Target(t)
	payload := map[string]any{"schedule": "17 2 * * *", "repository": map[string]any{"full_name": "acme/shop", "html_url": "https://github.example/acme/shop", "default_branch": "main"}}
	for i, tc := range []struct {
		sha, wantOutputs, wantLine string
	}{
		{c[1], "new_flags=[]\ndeleted_flags=[]\nevents=[]\n", "the baseline is `" + cli.Short(c[1]) + "`, and no event is emitted for it."},
		{c[3], "", "Run (schedule) `" + cli.Short(c[1]) + ".." + cli.Short(c[3]) + "` by ada-gh: 2 commits analyzed, 1 new flag, 1 deleted flag."},
	} {
		g := setGitHubEnv(t, payload, rc.URL+"/hooks", secret)
		t.Setenv("GITHUB_EVENT_NAME", "schedule")
		t.Setenv("GITHUB_SHA", tc.sha)
		t.Setenv("GITHUB_REF", "refs/heads/main")
		if code, out, errOut := flagscan(t, "", "action", "-C", dir, "--db", db); code != exitOK {
			t.Fatalf("run %d: exit %d\n%s%s", i, code, out, errOut)
		}
		if out := readText(t, g.output); tc.wantOutputs != "" && out != tc.wantOutputs {
			t.Errorf("run %d: outputs %q, want %q", i, out, tc.wantOutputs)
		}
		if summary := readText(t, g.summary); !strings.Contains(summary, tc.wantLine) {
			t.Errorf("run %d: summary lacks %q:\n%s", i, tc.wantLine, summary)
		}
	}
	if got := receivedBodies(t, rc); len(got) != 2 {
		t.Errorf("the receiver got %d events, want 2", len(got))
	}
}
