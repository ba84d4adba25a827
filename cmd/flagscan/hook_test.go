package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/hook"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"

	"github.com/flagscan/flagscan/scanner/git/gittest"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/holds"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// hookSecretEnv is the variable the servers' configurations take their
// webhook secret from: set in the environment of `git push`, which git
// hands to the hooks, it checks that ${NAME} works in a server's file.
const hookSecretEnv = "FLAGSCAN_TEST_HOOK_SECRET"

// hookReceiver is a local webhook receiver that verifies every request
// with the Standard Webhooks reference library.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	events []string // "<event> <key>@<branch>", in arrival order
	ids    []string
	errs   []string
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	rc := &hookReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var b struct {
			Event, FlagKey, Branch string
		}
		err := wh.Verify(body, r.Header)
		if err == nil {
			err = json.Unmarshal(body, &struct {
				Event   *string `json:"event"`
				FlagKey *string `json:"flag_key"`
				Branch  *string `json:"branch"`
			}{&b.Event, &b.FlagKey, &b.Branch})
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if err != nil {
			rc.errs = append(rc.errs, err.Error())
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.events = append(rc.events, fmt.Sprintf("%s %s@%s", b.Event, b.FlagKey, b.Branch))
		rc.ids = append(rc.ids, r.Header.Get("webhook-id"))
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// take returns the events received so far and forgets them.
func (rc *hookReceiver) take() (events, ids, errs []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	events, ids, errs = rc.events, rc.ids, rc.errs
	rc.events, rc.ids, rc.errs = nil, nil, nil
	return events, ids, errs
}

func (rc *hookReceiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.events) + len(rc.errs)
}

// hookServer is a bare repository with flagscan's hooks installed and its
// server configuration, flagscan.yml in the git directory, subscribing a
// receiver.
type hookServer struct {
	t      *testing.T
	bin    string
	root   string
	bare   string
	rc     *hookReceiver
	secret string
	// db is the store the hooks use: flagscan.db in the bare repository,
	// their default, or under FLAGSCAN_TEST_STORE=postgres a PostgreSQL
	// schema that FLAGSCAN_DB gives them.
	db string
}

// hookBinary builds flagscan once for the tests that run it as a hook.
func hookBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds flagscan and pushes with git: not in -short mode")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	bin := filepath.Join(t.TempDir(), "flagscan")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// newHookServer makes a server repository whose configuration is the
// webhook, then extra (YAML appended to the file).
func newHookServer(t *testing.T, bin, extra string) *hookServer {
	t.Helper()
	root := t.TempDir()
	s := &hookServer{t: t, bin: bin, root: root, bare: filepath.Join(root, "srv.git"), secret: hookSecret(t)}
	s.db = filepath.Join(s.bare, "flagscan.db")
	if storetest.Dialect() == store.Postgres {
		s.db = storetest.Target(t)
	}
	s.rc = newHookReceiver(t, s.secret)
	s.git(root, "init", "-q", "--bare", "-b", "main", s.bare)
	cfg := fmt.Sprintf(`webhooks:
  - description: test receiver
    events: [Flag.new, Flag.deleted]
    url: %s/hook
    secret: ${%s}
delivery:
  allow_hosts: [127.0.0.1]
  retry_schedule: [1s]
%s`, s.rc.URL, hookSecretEnv, extra)
	s.writeConfig(cfg)
	if out, err := s.run(root, bin, "hook", "install", "--repo", s.bare); err != nil {
		t.Fatalf("hook install: %v\n%s", err, out)
	}
	return s
}

func (s *hookServer) writeConfig(cfg string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.bare, "flagscan.yml"), []byte(cfg), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// env is the environment of git and flagscan: isolated from the user's
// and the machine's git configuration and from any FLAGSCAN_ setting.
func (s *hookServer) env() []string {
	return s.options().Environ()
}

func (s *hookServer) options() gittest.Options {
	env := []string{"HOME=" + s.root, hookSecretEnv + "=" + s.secret}
	if store.IsURL(s.db) {
		env = append(env, workspace.EnvDB+"="+s.db)
	}
	return gittest.Options{Drop: []string{"FLAGSCAN_"}, Env: env}
}

// run runs a command and returns its combined output.
func (s *hookServer) run(dir, name string, args ...string) (string, error) {
	out, err := s.options().Command(dir, name, args...).CombinedOutput()
	return string(out), err
}

func (s *hookServer) git(dir string, args ...string) string {
	s.t.Helper()
	out, err := s.run(dir, "git", args...)
	if err != nil {
		s.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

// clone returns a new clone of the server repository.
func (s *hookServer) clone(name string) string {
	s.t.Helper()
	dir := filepath.Join(s.root, name)
	s.git(s.root, "clone", "-q", s.bare, dir)
	s.git(dir, "checkout", "-q", "-B", "main")
	return dir
}

// commit writes files ("" deletes one) and commits them.
func (s *hookServer) commit(dir, msg string, files map[string]string) {
	s.t.Helper()
	gittest.WriteFiles(s.t, dir, files)
	s.git(dir, "add", "-A")
	s.git(dir, "commit", "-q", "-m", msg)
}

// push runs git push and returns its output; ok is whether git accepted.
func (s *hookServer) push(dir string, args ...string) (string, bool) {
	s.t.Helper()
	out, err := s.run(dir, "git", append([]string{"push", "origin"}, args...)...)
	return out, err == nil
}

// mustPush pushes and fails the test when git refuses.
func (s *hookServer) mustPush(dir string, args ...string) string {
	s.t.Helper()
	out, ok := s.push(dir, args...)
	if !ok {
		s.t.Fatalf("git push %s was refused:\n%s", strings.Join(args, " "), out)
	}
	return out
}

// counts returns the outbox's deliveries by state.
func (s *hookServer) counts() map[string]int {
	s.t.Helper()
	db, err := workspace.OpenStore(context.Background(), s.db)
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	c, err := outbox.Counts(context.Background(), db)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// expect waits until the receiver has got as many requests as want
// lists, then checks that they are exactly want (in any order, each id
// once) and that the outbox has nothing left to send or held.
func (s *hookServer) expect(what string, want ...string) {
	s.t.Helper()
	s.expectHeld(what, 0, want...)
}

// expectHeld is expect with held deliveries left in the outbox.
func (s *hookServer) expectHeld(what string, held int, want ...string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for s.rc.count() < len(want) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	c := s.counts()
	got, ids, errs := s.rc.take()
	if len(errs) > 0 {
		s.t.Errorf("%s: the receiver refused requests: %q", what, errs)
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		s.t.Errorf("%s: received\n  %q\nwant\n  %q", what, got, want)
	}
	if n := len(slices.Compact(slices.Sorted(slices.Values(ids)))); n != len(ids) {
		s.t.Errorf("%s: an event id was received twice: %q", what, ids)
	}
	if c["pending"] != 0 || c["held"] != held {
		s.t.Errorf("%s: the outbox has %d pending and %d held deliveries, want 0 and %d", what, c["pending"], c["held"], held)
	}
}

// hookSecret returns a random whsec_ signing secret.
func hookSecret(t *testing.T) string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

func js(keys ...string) string {
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "visitor.getFlag(%q).getValue(false);\n", k)
	}
	return b.String()
}

// TestHookPushes pushes for real, over git's local transport, into bare
// repositories with flagscan's pre-receive and post-receive hooks
// installed, and checks that a local receiver gets exactly the events it
// should: none for a deletion or a push another hook rejects.
func TestHookPushes(t *testing.T) {
	bin := hookBinary(t)

	t.Run("a few commits", func(t *testing.T) {
		s := newHookServer(t, bin, "")
		w := s.clone("w")
		s.commit(w, "one", map[string]string{"a.js": js("alpha"), "b.js": js("beta")})
		out := s.mustPush(w, "main")
		if !strings.Contains(out, "Flag.new alpha, beta (sent once the push is accepted)") {
			t.Errorf("pre-receive did not report the held events:\n%s", out)
		}
		s.expect("first push", "Flag.new alpha@main", "Flag.new beta@main")

		s.commit(w, "two", map[string]string{"c.js": js("gamma")})
		s.commit(w, "three", map[string]string{"a.js": ""})
		s.commit(w, "four", map[string]string{"d.js": js("delta", "beta")})
		s.mustPush(w, "main")
		s.expect("three commits", "Flag.new gamma@main", "Flag.new delta@main", "Flag.deleted alpha@main")

		// Nothing new: nothing sent.
		s.commit(w, "five", map[string]string{"README.md": "docs\n"})
		s.mustPush(w, "main")
		s.expect("a commit without keys")
	})

	t.Run("one commit of 600 files, a pack in quarantine", func(t *testing.T) {
		s := newHookServer(t, bin, "")
		w := s.clone("w")
		s.commit(w, "base", map[string]string{"base.js": js("base")})
		s.mustPush(w, "main")
		s.expect("base", "Flag.new base@main")
		files := map[string]string{}
		var want []string
		for i := range 600 {
			name := fmt.Sprintf("src/m%02d/f%03d.txt", i%20, i)
			files[name] = fmt.Sprintf("plain text %d\n", i)
			if i%12 == 0 {
				key := fmt.Sprintf("bulk-%03d", i)
				files[strings.TrimSuffix(name, ".txt")+".js"] = js(key)
				want = append(want, "Flag.new "+key+"@main")
			}
		}
		s.commit(w, "many files", files)
		out := s.mustPush(w, "main")
		// pre-receive read the pushed pack itself, within its budget.
		if !strings.Contains(out, "(sent once the push is accepted)") || strings.Contains(out, "the push goes through") {
			t.Errorf("pre-receive did not analyze the pack:\n%s", out)
		}
		s.expect("600 files", want...)
	})

	t.Run("branch deletion", func(t *testing.T) {
		s := newHookServer(t, bin, "branches: [main, feature/*]\n")
		w := s.clone("w")
		s.commit(w, "base", map[string]string{"a.js": js("alpha")})
		s.mustPush(w, "main")
		s.expect("main", "Flag.new alpha@main")
		s.git(w, "checkout", "-q", "-b", "feature/x")
		s.commit(w, "feature", map[string]string{"x.js": js("feature-x")})
		s.mustPush(w, "feature/x")
		s.expect("feature branch", "Flag.new feature-x@feature/x")
		s.mustPush(w, "--delete", "feature/x")
		s.expect("deletion")
		if got := s.git(s.bare, "branch", "--list", "feature/x"); got != "" {
			t.Errorf("the branch was not deleted: %q", got)
		}
	})

	t.Run("two pushes at once", func(t *testing.T) {
		s := newHookServer(t, bin, "branches: [main, feature/*]\n")
		w := s.clone("w")
		s.commit(w, "base", map[string]string{"a.js": js("alpha")})
		s.mustPush(w, "main")
		s.expect("base", "Flag.new alpha@main")
		var want []string
		var cmds []*exec.Cmd
		outs := make([]strings.Builder, 2)
		for i, name := range []string{"a", "b"} {
			dir := s.clone("w" + name)
			s.git(dir, "checkout", "-q", "-b", "feature/"+name)
			files := map[string]string{}
			for j := range 150 { // a pack each
				files[fmt.Sprintf("%s/f%03d.js", name, j)] = js(fmt.Sprintf("%s-%03d", name, j))
				want = append(want, fmt.Sprintf("Flag.new %s-%03d@feature/%s", name, j, name))
			}
			s.commit(dir, "feature "+name, files)
			cmd := s.options().Command(dir, "git", "push", "origin", "feature/"+name)
			cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
			cmds = append(cmds, cmd)
		}
		for _, cmd := range cmds {
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("push %d: %v\n%s", i, err, outs[i].String())
			}
		}
		for i := range outs {
			// Each pre-receive held its events: none failed open on
			// the other's locks.
			if out := outs[i].String(); !strings.Contains(out, "(sent once the push is accepted)") {
				t.Errorf("push %d: pre-receive did not hold its events:\n%s", i, out)
			}
		}
		s.expect("concurrent pushes", want...)
		if t.Failed() {
			// What the hooks said, to tell a lock from a lost event.
			t.Logf("push 0:\n%s\npush 1:\n%s", outs[0].String(), outs[1].String())
		}
	})

	t.Run("push rejected by another hook", func(t *testing.T) {
		for _, tc := range []struct{ name, hook, script string }{
			{"an update hook", "update", "#!/bin/sh\necho \"policy: $1 is frozen\" >&2\nexit 1\n"},
			{"a later pre-receive step", "pre-receive", fmt.Sprintf("#!/bin/sh\nin=$(cat)\nprintf '%%s\\n' \"$in\" | %s hook pre-receive || exit 1\necho 'second check failed' >&2\nexit 1\n", hook.ShellQuote(bin))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := newHookServer(t, bin, "")
				w := s.clone("w")
				s.commit(w, "base", map[string]string{"a.js": js("alpha")})
				s.mustPush(w, "main")
				s.expect("base", "Flag.new alpha@main")

				hook := filepath.Join(s.bare, "hooks", tc.hook)
				saved, _ := os.ReadFile(hook)
				if err := os.WriteFile(hook, []byte(tc.script), 0o755); err != nil {
					t.Fatal(err)
				}
				s.commit(w, "rejected", map[string]string{"r.js": js("rejected-key"), "a.js": ""})
				out, ok := s.push(w, "main")
				if ok {
					t.Fatalf("the push went through:\n%s", out)
				}
				if !strings.Contains(out, "Flag.new rejected-key") {
					t.Errorf("flagscan's pre-receive did not run before the rejection:\n%s", out)
				}
				// Nothing is sent (post-receive, which delivers, did not
				// run); pre-receive's events wait, held.
				if got, _, _ := s.rc.take(); len(got) != 0 {
					t.Errorf("events sent for a rejected push: %q", got)
				}
				if c := s.counts(); c["held"] != 2 || c["pending"] != 0 {
					t.Errorf("outbox %v, want the 2 events of the rejected push held", c)
				}
				// confirm drops them once old enough: the commit never landed.
				out, err := s.run(s.root, bin, "hook", "confirm", "--repo", s.bare, "--max-age", "0s")
				if err != nil || !strings.Contains(out, "0 holds released, 1 discarded") {
					t.Errorf("confirm: %v\n%s", err, out)
				}
				s.expect("after confirm")

				// The next push that lands reports from the stored snapshot.
				if saved != nil {
					os.WriteFile(hook, saved, 0o755)
				} else {
					os.Remove(hook)
				}
				s.git(w, "reset", "-q", "--hard", "HEAD~1")
				s.commit(w, "accepted", map[string]string{"ok.js": js("ok-key")})
				s.mustPush(w, "main")
				s.expect("the next push", "Flag.new ok-key@main")
			})
		}
	})

	t.Run("one of two refs rejected by an update hook", func(t *testing.T) {
		// post-receive hears only of the ref git updated: the hold of the
		// other, under its own token, waits for confirm.
		s := newHookServer(t, bin, "branches: [main, frozen]\n")
		w := s.clone("w")
		s.commit(w, "base", map[string]string{"a.js": js("alpha")})
		s.mustPush(w, "main")
		s.expect("base", "Flag.new alpha@main")
		s.git(w, "checkout", "-q", "-b", "frozen")
		s.commit(w, "frozen", map[string]string{"f.js": js("frozen-key")})
		s.git(w, "checkout", "-q", "main")
		s.commit(w, "main", map[string]string{"m.js": js("main-key")})
		hook := "#!/bin/sh\n[ \"$1\" = refs/heads/frozen ] && { echo \"$1 is frozen\" >&2; exit 1; }\nexit 0\n"
		if err := os.WriteFile(filepath.Join(s.bare, "hooks", "update"), []byte(hook), 0o755); err != nil {
			t.Fatal(err)
		}
		out, ok := s.push(w, "main", "frozen")
		if ok || !strings.Contains(out, "frozen -> frozen (hook declined)") || !strings.Contains(out, "main -> main") {
			t.Fatalf("want main accepted and frozen declined:\n%s", out)
		}
		s.expectHeld("the accepted ref", 1, "Flag.new main-key@main")
		out, err := s.run(s.root, bin, "hook", "confirm", "--repo", s.bare, "--max-age", "0s")
		if err != nil || !strings.Contains(out, "0 holds released, 1 discarded") {
			t.Errorf("confirm: %v\n%s", err, out)
		}
		s.expect("after confirm")
	})

	t.Run("fail open", func(t *testing.T) {
		for _, tc := range []struct {
			name, extra string
			say         string   // in git's output
			want        []string // events, from post-receive
		}{
			{"budget of 1ms", "hook:\n  budget: 1ms\n", "did not finish within hook.budget (1ms)", []string{"Flag.new alpha@main"}},
			{"broken configuration", "scan: [not, a, mapping]\n", "scan: must be a mapping", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := newHookServer(t, bin, tc.extra)
				w := s.clone("w")
				s.commit(w, "one", map[string]string{"a.js": js("alpha")})
				start := time.Now()
				out := s.mustPush(w, "main") // accepted all the same
				if !strings.Contains(out, tc.say) || !strings.Contains(out, "the push goes through") {
					t.Errorf("git push said:\n%s\nwant %q and that the push goes through", out, tc.say)
				}
				if got := s.git(s.bare, "rev-parse", "main"); got != s.git(w, "rev-parse", "HEAD") {
					t.Errorf("the server's main is %s", got)
				}
				s.expect(tc.name, tc.want...)
				t.Logf("push took %v", time.Since(start))
			})
		}
	})

	t.Run("budget kept while the store is locked", func(t *testing.T) {
		// Another process holds the store's write lock: pre-receive
		// would wait for SQLite's busy timeout (10s); it gives up at its
		// budget instead and lets the push through.
		s := newHookServer(t, bin, "hook:\n  budget: 500ms\nbranches: ['*']\n")
		w := s.clone("w")
		s.commit(w, "one", map[string]string{"a.js": js("alpha")})
		s.mustPush(w, "main")
		s.expect("base", "Flag.new alpha@main")
		db, err := workspace.OpenStore(context.Background(), s.db)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		tx, err := db.Begin() // SQLite: immediate, takes the write lock
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		lock := `DELETE FROM hook_holds`
		if store.IsURL(s.db) {
			lock = `LOCK TABLE snapshots, outbox_events, hook_holds IN ACCESS EXCLUSIVE MODE`
		}
		if _, err := tx.Exec(lock); err != nil {
			t.Fatal(err)
		}
		head := s.git(w, "rev-parse", "HEAD")
		cmd := exec.Command(bin, "hook", "pre-receive")
		cmd.Dir, cmd.Env = s.bare, append(s.env(), "GIT_DIR=.")
		cmd.Stdin = strings.NewReader(strings.Repeat("0", 40) + " " + head + " refs/heads/other\n")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(start)
		t.Logf("pre-receive took %v with a budget of 500ms", took)
		if err != nil || !strings.Contains(string(out), "did not finish within hook.budget (500ms)") {
			t.Errorf("pre-receive: %v\n%s", err, out)
		}
		// The process's own start and exit are outside what it can
		// measure; allow for them, and for a loaded machine.
		if took > 500*time.Millisecond+300*time.Millisecond {
			t.Errorf("pre-receive took %v, over its 500ms budget", took)
		}
	})

	t.Run("fail closed and key policy", func(t *testing.T) {
		for _, tc := range []struct {
			name, extra string
			files       map[string]string
			say         string
		}{
			{"budget with on_error reject", "hook:\n  budget: 1ms\n  policy:\n    on_error: reject\n", map[string]string{"a.js": js("alpha")}, "push refused: the analysis did not finish within hook.budget (1ms)"},
			{"key pattern", "hook:\n  policy:\n    key_pattern: '[a-z][a-z0-9-]*'\n", map[string]string{"a.js": js("fine-key"), "b.js": "\n\n" + js("Not OK")}, `"Not OK" at b.js:3`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := newHookServer(t, bin, tc.extra)
				w := s.clone("w")
				s.commit(w, "one", tc.files)
				out, ok := s.push(w, "main")
				if ok || !strings.Contains(out, tc.say) || !strings.Contains(out, "pre-receive hook declined") {
					t.Errorf("git push (accepted: %v) said:\n%s\nwant it refused with %q", ok, out, tc.say)
				}
				s.expect(tc.name)
			})
		}
	})

	t.Run("pre-receive only, with confirm", func(t *testing.T) {
		s := newHookServer(t, bin, "")
		if err := os.Remove(filepath.Join(s.bare, "hooks", "post-receive")); err != nil {
			t.Fatal(err)
		}
		w := s.clone("w")
		s.commit(w, "one", map[string]string{"a.js": js("alpha", "beta")})
		s.mustPush(w, "main")
		if got, _, _ := s.rc.take(); len(got) != 0 {
			t.Fatalf("sent before confirm: %q", got)
		}
		if c := s.counts(); c["held"] != 2 {
			t.Fatalf("outbox %v, want 2 held", c)
		}
		out, err := s.run(s.root, bin, "hook", "confirm", "--repo", s.bare)
		if err != nil || !strings.Contains(out, "1 holds released, 0 discarded, 0 waiting") {
			t.Fatalf("confirm: %v\n%s", err, out)
		}
		if out, err := s.run(s.root, bin, "deliver", "--repo", s.bare, "--config", filepath.Join(s.bare, "flagscan.yml")); err != nil {
			t.Fatalf("deliver: %v\n%s", err, out)
		}
		s.expect("after confirm and deliver", "Flag.new alpha@main", "Flag.new beta@main")
	})

	t.Run("pushed configuration adds rules, never webhooks", func(t *testing.T) {
		s := newHookServer(t, bin, "")
		other := newHookReceiver(t, s.secret)
		w := s.clone("w")
		s.commit(w, "config", map[string]string{
			".flagscan.yml": fmt.Sprintf(`rules:
  - name: team
    calls: [teamFlag]
webhooks:
  - description: somewhere else
    events: [Flag.new]
    url: %s/steal?secret=${%s}
`, other.URL, hookSecretEnv),
			"a.js": "teamFlag('team-key');\n" + js("sdk-key"),
		})
		out := s.mustPush(w, "main")
		if !strings.Contains(out, ".flagscan.yml: ignored in hook mode, where only the server's configuration sets them: webhooks") {
			t.Errorf("no warning about the pushed webhooks:\n%s", out)
		}
		s.expect("custom rule", "Flag.new team-key@main", "Flag.new sdk-key@main")
		if got, _, errs := other.take(); len(got)+len(errs) != 0 {
			t.Errorf("the pushed webhook was called: %q %q", got, errs)
		}
	})

	t.Run("pushed configuration cannot raise the server's limits", func(t *testing.T) {
		s := newHookServer(t, bin, "scan:\n  max_file_size: 1KiB\n")
		w := s.clone("w")
		s.commit(w, "big", map[string]string{
			".flagscan.yml": "scan:\n  max_file_size: 1000GiB\n",
			"big.js":        js("big-key") + "// " + strings.Repeat("x", 4096) + "\n",
			"small.js":      js("small-key"),
		})
		out := s.mustPush(w, "main")
		if !strings.Contains(out, "scan.max_file_size 1000GiB is more than the server's 1KiB, which applies") {
			t.Errorf("no word about the pushed limit:\n%s", out)
		}
		s.expect("the server's limit", "Flag.new small-key@main")
	})

	t.Run("held events are released, not copied", func(t *testing.T) {
		s := newHookServer(t, bin, "")
		w := s.clone("w")
		s.commit(w, "one", map[string]string{"a.js": js("alpha", "beta", "gamma")})
		if out := s.mustPush(w, "main"); !strings.Contains(out, "(sent once the push is accepted)") {
			t.Fatalf("pre-receive held nothing:\n%s", out)
		}
		s.expect("push", "Flag.new alpha@main", "Flag.new beta@main", "Flag.new gamma@main")
		db, err := workspace.OpenStore(context.Background(), s.db)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var events int
		if err := db.QueryRow(`SELECT COUNT(*) FROM outbox_events`).Scan(&events); err != nil || events != 3 {
			t.Errorf("%d events stored (%v), want 3", events, err)
		}
		if hs, err := holds.List(context.Background(), db); err != nil || len(hs) != 0 {
			t.Errorf("holds left: %+v, %v", hs, err)
		}
	})
}
