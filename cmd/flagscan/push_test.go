package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/scanner/git/gittest"

	"github.com/flagscan/flagscan/analyzer"
)

// pushRepo is a repository with two commits: the second adds one key and
// removes another.
func pushRepo(t *testing.T) (dir, c0, c1 string) {
	t.Helper()
	dir = t.TempDir()
	gittest.Run(t, dir, "init", "-q", "-b", "main")
	gittest.WriteFile(t, filepath.Join(dir, "web", "a.ts"), "visitor.getFlag(\"legacy\", 1);\n")
	gittest.Run(t, dir, "add", "-A")
	gittest.Run(t, dir, "commit", "-qm", "base")
	c0 = gittest.Run(t, dir, "rev-parse", "HEAD")
	gittest.WriteFile(t, filepath.Join(dir, "web", "a.ts"), "const f = visitor.getFlag(\"checkout\");\nf.getValue(true);\n")
	gittest.Run(t, dir, "add", "-A")
	gittest.Run(t, dir, "commit", "-qm", "checkout flag")
	c1 = gittest.Run(t, dir, "rev-parse", "HEAD")
	return dir, c0, c1
}

// TestPushDelivers runs `flagscan push` end to end: the events it prints
// as JSON lines are the ones a real receiver gets, signed, within the
// inline budget; pushing again emits nothing.
func TestPushDelivers(t *testing.T) {
	dir, c0, c1 := pushRepo(t)
	secret := newSecret(t)
	t.Setenv("PUSH_TEST_SECRET", secret)
	rc := newReceiver(t, secret, nil)
	cfg := writeConfig(t, t.TempDir(), `
account: {id: acc_1, name: Acme}
environments:
  - {id: env_web, name: web, paths: ["web/**"]}
`+receiverConfig(rc.URL, ""))
	db := storetest.Target(t)
	t.Setenv("FLAGSCAN_USER_ID", "ada")
	args := []string{"push", "-C", dir, "--db", db, "--config", cfg, "--format", "json", c0, c1, "refs/heads/main"}
	code, out, errOut := flagscan(t, "", args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var printed []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var b event.Body
		if err := json.Unmarshal([]byte(line), &b); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if b.AccountID != "acc_1" || b.EnvironmentID != "env_web" || b.UserID != "ada" || b.Commit.SHA != c1 {
			t.Errorf("body %+v", b)
		}
		printed = append(printed, b.Event+" "+b.FlagKey)
	}
	slices.Sort(printed)
	if want := []string{"Flag.deleted legacy", "Flag.new checkout"}; !slices.Equal(printed, want) {
		t.Fatalf("printed %q, want %q", printed, want)
	}

	ids := rc.received() // panics on a signature the reference library refuses
	var delivered []string
	rc.mu.Lock()
	for _, body := range rc.body {
		var b event.Body
		json.Unmarshal(body, &b)
		delivered = append(delivered, b.Event+" "+b.FlagKey)
	}
	rc.mu.Unlock()
	slices.Sort(delivered)
	if len(ids) != 2 || !slices.Equal(delivered, printed) {
		t.Fatalf("delivered %q (ids %q), want %q", delivered, ids, printed)
	}

	// The same push again, reported as a hook would on stdin: nothing new.
	stdin := fmt.Sprintf("%s %s refs/heads/main\n", c0, c1)
	code, out, errOut = flagscan(t, stdin, "push", "-C", dir, "--db", db, "--config", cfg, "--stdin")
	if code != exitOK || !strings.Contains(out, "0 events") || !strings.Contains(errOut, analyzer.SkipAnalyzed) {
		t.Fatalf("second push: exit %d, out %q, err %q", code, out, errOut)
	}
	if got := rc.received(); len(got) != 2 {
		t.Fatalf("receiver got %d requests after the second push, want still 2", len(got))
	}
}

// TestPushUsage checks the arguments of push.
func TestPushUsage(t *testing.T) {
	dir, c0, _ := pushRepo(t)
	for _, tc := range []struct {
		args  []string
		stdin string
		msg   string
	}{
		{[]string{"push", "-C", dir, c0}, "", "push takes <old> <new> <ref>"},
		{[]string{"push", "-C", dir, "abc", c0, "refs/heads/main"}, "", "is not a full commit id"},
		{[]string{"push", "-C", dir, "--stdin"}, "not a ref update\n", "standard input line 1"},
		{[]string{"push", "-C", dir, "--format", "xml", c0, c0, "refs/heads/main"}, "", `--format "xml"`},
	} {
		code, _, errOut := flagscan(t, tc.stdin, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, errOut, exitUsage, tc.msg)
		}
	}
}

// TestLogCommand: `flagscan log --format json` prints each transition of
// the history, commit by commit.
func TestLogCommand(t *testing.T) {
	dir, c0, c1 := pushRepo(t)
	code, out, errOut := flagscan(t, "", "log", "-C", dir, "--db", filepath.Join(t.TempDir(), "db"), "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var b event.Body
		if err := json.Unmarshal([]byte(line), &b); err != nil {
			t.Fatal(err)
		}
		got = append(got, b.Commit.SHA[:7]+" "+b.Event+" "+b.FlagKey)
	}
	want := []string{c0[:7] + " Flag.new legacy", c1[:7] + " Flag.new checkout", c1[:7] + " Flag.deleted legacy"} // by key within a commit
	if !slices.Equal(got, want) {
		t.Errorf("log:\n got %q\nwant %q", got, want)
	}
}

// TestLogMatchesScans: `flagscan log --format json` over a real history
// gives, commit by commit, exactly the transitions found by running
// `flagscan scan --rev` on every commit and diffing the key sets.
func TestLogMatchesScans(t *testing.T) {
	dir := t.TempDir()
	gittest.Run(t, dir, "init", "-q", "-b", "main")
	rnd := rand.New(rand.NewSource(11))
	var commits []string
	for i := 0; i < 15; i++ {
		for n := 1 + rnd.Intn(2); n > 0; n-- {
			path := filepath.Join(dir, fmt.Sprintf("m%d", rnd.Intn(2)), fmt.Sprintf("f%d.ts", rnd.Intn(4)))
			var b strings.Builder
			for k := rnd.Intn(3); k > 0; k-- {
				fmt.Fprintf(&b, "visitor.getFlag(\"key-%d\");\n", rnd.Intn(6))
			}
			gittest.WriteFile(t, path, b.String()+"export {};\n")
		}
		gittest.Run(t, dir, "add", "-A")
		gittest.Run(t, dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprint("commit ", i))
		commits = append(commits, gittest.Run(t, dir, "rev-parse", "HEAD"))
	}

	got := logTransitions(t, dir)
	want, _ := scanTransitions(t, dir, commits)
	if len(want) < 10 {
		t.Fatalf("the random history has only %d transitions: not a test", len(want))
	}
	if !slices.Equal(got, want) {
		t.Errorf("log:\n%s\nscans:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// logTransitions runs `flagscan log --format json` on the repository at
// dir and returns its events as "SHA8 Flag.new key" lines.
func logTransitions(t *testing.T, dir string) []string {
	t.Helper()
	code, out, errOut := flagscan(t, "", "log", "-C", dir, "--db", filepath.Join(t.TempDir(), "db"), "--format", "json")
	if code != exitOK {
		t.Fatalf("log: exit %d: %s", code, errOut)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var b event.Body
		if err := json.Unmarshal([]byte(line), &b); err != nil {
			t.Fatal(err)
		}
		got = append(got, b.Commit.SHA[:8]+" "+b.Event+" "+b.FlagKey)
	}
	return got
}

// scanTransitions runs `flagscan scan --rev` on each of the commits and
// returns the keys that appear and disappear from one to the next, as
// logTransitions gives them, and how many references were resolved
// through a name.
func scanTransitions(t *testing.T, dir string, commits []string) (lines []string, named int) {
	t.Helper()
	prev := map[string]bool{}
	for _, c := range commits {
		code, out, errOut := flagscan(t, "", "scan", "--format", "json", "--rev", c, "-C", dir)
		if code != exitOK {
			t.Fatalf("scan %s: exit %d: %s", c, code, errOut)
		}
		keys := map[string]bool{}
		for _, r := range decodeResult(t, out).References {
			keys[r.FlagKey] = true
			if r.Via != nil {
				named++
			}
		}
		var step []string
		for k := range keys {
			if !prev[k] {
				step = append(step, c[:8]+" Flag.new "+k)
			}
		}
		for k := range prev {
			if !keys[k] {
				step = append(step, c[:8]+" Flag.deleted "+k)
			}
		}
		// log orders a commit's transitions by key.
		slices.SortFunc(step, func(a, b string) int {
			return strings.Compare(a[strings.LastIndex(a, " "):], b[strings.LastIndex(b, " "):])
		})
		lines = append(lines, step...)
		prev = keys
	}
	return lines, named
}

// TestLogFormatEveryCommand: --log-format is checked for every command and
// applies to the log lines of push and deliver too, not only action and
// sync.
func TestLogFormatEveryCommand(t *testing.T) {
	dir, c0, c1 := pushRepo(t)
	if code, _, errOut := flagscan(t, "", "status", "-C", dir, "--log-format", "xml"); code != exitUsage || !strings.Contains(errOut, `--log-format "xml": use text or json`) {
		t.Fatalf("--log-format xml: exit %d, %s", code, errOut)
	}
	secret := newSecret(t)
	t.Setenv("PUSH_TEST_SECRET", secret)
	rc := newReceiver(t, secret, func(string, int) int { return 503 })
	cfg := writeConfig(t, t.TempDir(), receiverConfig(rc.URL, "  retry_schedule: [1h]\n"))
	db := storetest.Target(t)
	for _, args := range [][]string{
		{"push", "-C", dir, "--db", db, "--config", cfg, "--log-format", "json", c0, c1, "refs/heads/main"},
		{"deliver", "-C", dir, "--db", db, "--config", cfg, "--log-format", "json"},
	} {
		_, _, errOut := flagscan(t, "", args...)
		logged := 0
		for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
			if l == "" || strings.HasPrefix(l, "flagscan: ") {
				continue // a message for people, not a log line
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(l), &rec); err != nil || rec["level"] == nil {
				t.Errorf("%s: log line %q is not JSON: %v", args[0], l, err)
			}
			logged++
		}
		if args[0] == "push" && logged == 0 {
			t.Errorf("push: no JSON log line about the failed delivery in %q", errOut)
		}
	}
}

// TestReadingCommandsDoNotWaitForWriters: status, flags and deliveries
// read the store while another process holds its write lock (WAL readers
// never wait), where they used to fail with "database is locked" after the
// busy timeout.
func TestReadingCommandsDoNotWaitForWriters(t *testing.T) {
	dir, c0, c1 := pushRepo(t)
	db := storetest.Target(t)
	if code, _, errOut := flagscan(t, "", "push", "-C", dir, "--db", db, c0, c1, "refs/heads/main"); code != exitOK {
		t.Fatalf("push: %s", errOut)
	}
	writer, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	tx, err := writer.Begin() // immediate: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM snapshot_keys`); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"status", "-C", dir, "--db", db},
		{"flags", "-C", dir, "--db", db, "--branch", "main"},
		{"deliveries", "-C", dir, "--db", db, "--format", "json"},
	} {
		code, out, errOut := flagscan(t, "", args...)
		if code != exitOK {
			t.Errorf("%s while a writer holds the lock: exit %d: %s", args[0], code, errOut)
		}
		if args[0] == "flags" && !strings.Contains(out, "checkout") {
			t.Errorf("flags read the writer's uncommitted change: %s", out)
		}
	}
}

// TestWhatNewUsersTrippedOn is issue 12's list of surprises, each as it
// must be now.
func TestWhatNewUsersTrippedOn(t *testing.T) {
	dir, c0, c1 := pushRepo(t)
	clearSyncEnv(t)

	t.Run("push delivers to FLAGSCAN_WEBHOOK_URL", func(t *testing.T) {
		secret := newSecret(t)
		rc := newReceiver(t, secret, nil)
		t.Setenv("FLAGSCAN_WEBHOOK_URL", rc.URL+"/hook")
		t.Setenv("FLAGSCAN_WEBHOOK_SECRET", secret)
		t.Setenv("FLAGSCAN_ALLOW_HOSTS", "127.0.0.1")
		db := storetest.Target(t)
		if code, _, errOut := flagscan(t, "", "push", "-C", dir, "--db", db, c0, c1, "refs/heads/main"); code != exitOK {
			t.Fatalf("push: %s", errOut)
		}
		if got := rc.received(); len(got) != 2 {
			t.Errorf("the receiver got %d events, want 2", len(got))
		}
	})

	t.Run("only commands that deliver need secrets", func(t *testing.T) {
		cfg := writeConfig(t, t.TempDir(), "webhooks:\n  - description: d\n    events: [Flag.new]\n    url: https://h.example/x\n    secret: ${TRIP_UNSET_SECRET}\n")
		db := storetest.Target(t)
		for _, args := range [][]string{{"status"}, {"log", "--format", "json"}} {
			if code, _, errOut := flagscan(t, "", append(args, "-C", dir, "--db", db, "--config", cfg)...); code != exitOK {
				t.Errorf("%s: exit %d: %s", args[0], code, errOut)
			}
		}
		code, _, errOut := flagscan(t, "", "push", "-C", dir, "--db", db, "--config", cfg, c0, c1, "refs/heads/main")
		if code != exitUsage || !strings.Contains(errOut, "TRIP_UNSET_SECRET is not set") {
			t.Errorf("push: exit %d: %s", code, errOut)
		}
	})

	t.Run("events with no webhook say where they went", func(t *testing.T) {
		db := storetest.Target(t)
		_, _, errOut := flagscan(t, "", "push", "-C", dir, "--db", db, c0, c1, "refs/heads/main")
		if !strings.Contains(errOut, "no webhook is configured: these events are printed here and sent nowhere") {
			t.Errorf("push: %s", errOut)
		}
	})

	t.Run("one validation for flags, environment and file", func(t *testing.T) {
		for _, args := range [][]string{
			{"scan", "--context-lines", "99", dir},
			{"scan", "--workers", "-3", dir},
			{"scan", "--config", filepath.Join(dir, "nosuch.yml"), dir},
		} {
			if code, _, errOut := flagscan(t, "", args...); code != exitUsage {
				t.Errorf("%q: exit %d, want %d: %s", args, code, exitUsage, errOut)
			}
		}
	})

	t.Run("brace globs", func(t *testing.T) {
		gittest.WriteFile(t, filepath.Join(dir, "svc", "p.py"), "visitor.get_flag(\"py-key\", False)\n")
		cfg := writeConfig(t, t.TempDir(), "scan:\n  exclude: ['**/*.{py,go}']\n")
		code, out, errOut := flagscan(t, "", "scan", "--config", cfg, "--format", "json", dir)
		if res := decodeResult(t, out); code != exitOK || len(res.References) != 1 || res.References[0].FlagKey != "checkout" {
			t.Errorf("exit %d, references %+v: %s", code, res.References, errOut)
		}
	})

	t.Run("scan one file", func(t *testing.T) {
		code, out, errOut := flagscan(t, "", "scan", "--format", "json", filepath.Join(dir, "web", "a.ts"))
		if res := decodeResult(t, out); code != exitOK || len(res.References) != 1 || res.References[0].Path != "web/a.ts" {
			t.Errorf("exit %d, references %+v: %s", code, res.References, errOut)
		}
		code, out, _ = flagscan(t, "", "scan", "--format", "table", filepath.Join(dir, "web", "a.ts"))
		if code != exitOK || !strings.Contains(out, "1 reference to 1 key in 1 file ") {
			t.Errorf("table: %s", out)
		}
	})
}

// TestDeliveryLogs: durations in JSON logs are durations, and a 410 says
// the webhook is disabled, not that it will be retried.
func TestDeliveryLogs(t *testing.T) {
	dir, c0, c1 := pushRepo(t)
	secret := newSecret(t)
	t.Setenv("PUSH_TEST_SECRET", secret)
	rc := newReceiver(t, secret, func(string, int) int { return 410 })
	cfg := writeConfig(t, t.TempDir(), `
webhooks:
  - description: gone
    events: [Flag.new, Flag.deleted]
    url: `+rc.URL+`/hook
    secret: ${PUSH_TEST_SECRET}
delivery:
  allow_hosts: [127.0.0.1]
  inline_budget: 0s
`)
	db := storetest.Target(t)
	if code, _, errOut := flagscan(t, "", "push", "-C", dir, "--db", db, "--config", cfg, c0, c1, "refs/heads/main"); code != exitOK {
		t.Fatalf("push: %s", errOut)
	}
	_, _, errOut := flagscan(t, "", "deliver", "-C", dir, "--db", db, "--config", cfg, "--log-format", "json")
	if strings.Contains(errOut, "will retry") || !strings.Contains(errOut, "webhook disabled") {
		t.Errorf("a 410's log: %s", errOut)
	}
	timed := 0
	for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(l), &rec) != nil || rec["duration"] == nil {
			continue
		}
		timed++
		if d, ok := rec["duration"].(string); !ok || !strings.HasSuffix(d, "s") {
			t.Errorf("duration %v is not a duration string: %s", rec["duration"], l)
		}
	}
	if timed == 0 {
		t.Errorf("no JSON log line with a duration: %s", errOut)
	}
}

// TestStatusCountsUncoveredKeys: keys in files that no environment covers
// are in no event; status says which files hold them.
func TestStatusCountsUncoveredKeys(t *testing.T) {
	dir, c0, _ := pushRepo(t)
	gittest.WriteFile(t, filepath.Join(dir, "tools", "x.js"), "visitor.getFlag(\"tooling\", 1);\n")
	c2 := gittest.CommitFiles(t, dir, "tools", nil)
	cfg := writeConfig(t, t.TempDir(), "environments:\n  - {id: env_web, name: web, paths: [\"web/**\"]}\n")
	db := storetest.Target(t)
	if code, _, errOut := flagscan(t, "", "push", "-C", dir, "--db", db, "--config", cfg, c0, c2, "refs/heads/main"); code != exitOK {
		t.Fatalf("push: %s", errOut)
	}
	code, out, errOut := flagscan(t, "", "status", "-C", dir, "--db", db, "--config", cfg)
	if code != exitOK || !strings.Contains(out, "main: 1 file with references under no environment's paths, whose keys are in no event: tools/x.js") {
		t.Errorf("status: exit %d\n%s%s", code, out, errOut)
	}
}

// receiverConfig is the configuration of one webhook to the receiver at
// url, signed with $PUSH_TEST_SECRET, delivered inline; extra is more of
// the delivery section.
func receiverConfig(url, extra string) string {
	return `webhooks:
  - description: test receiver
    events: [Flag.new, Flag.deleted]
    url: ` + url + `/hook
    secret: ${PUSH_TEST_SECRET}
delivery:
  allow_hosts: [127.0.0.1]
  inline_budget: 10s
` + extra
}
