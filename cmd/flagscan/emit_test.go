package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/version"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/listen"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"

	"github.com/flagscan/flagscan/analyzer/event"

	"github.com/spf13/cobra"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/outbox"
	"github.com/flagscan/flagscan/emitter/signing"
)

// emitRoot is a root command with the delivery commands only.
func emitRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{Use: "flagscan", SilenceUsage: true, SilenceErrors: true}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cli.Usage(err) })
	root.AddCommand(newDeliverCmd(), newDeliveriesCmd(), newWebhookCmd(), newListenCmd())
	return root
}

// runEmit runs a delivery command line and returns its output and error.
func runEmit(ctx context.Context, args ...string) (string, string, error) {
	var stdout, stderr syncBuffer
	root := emitRoot(&stdout, &stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return stdout.String(), stderr.String(), err
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newSecret(t *testing.T) string {
	b := make([]byte, 24)
	rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// receiver is an httptest server that verifies signatures with the
// Standard Webhooks reference library and answers with answer(id, n).
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	ids  []string
	errs []error
	body [][]byte
	hdr  []http.Header
}

func newReceiver(t *testing.T, secret string, answer func(id string, n int) int) *receiver {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := r.Header.Get("webhook-id")
		rc.mu.Lock()
		rc.ids = append(rc.ids, id)
		rc.errs = append(rc.errs, wh.Verify(body, r.Header))
		rc.body = append(rc.body, body)
		rc.hdr = append(rc.hdr, r.Header.Clone())
		n := 0
		for _, other := range rc.ids {
			if other == id {
				n++
			}
		}
		rc.mu.Unlock()
		status := 204
		if answer != nil {
			status = answer(id, n)
		}
		w.WriteHeader(status)
		io.WriteString(w, "answered "+id)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) received() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for i, err := range rc.errs {
		if err != nil {
			panic("request " + rc.ids[i] + ": reference library: " + err.Error())
		}
	}
	return append([]string(nil), rc.ids...)
}

func writeConfig(t *testing.T, dir, yml string) string {
	t.Helper()
	p := filepath.Join(dir, "flagscan.yml")
	if err := os.WriteFile(p, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDeliverAndDeliveriesCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	secret := newSecret(t)
	const token = "tok-9f8e7d"
	t.Setenv("EMIT_TEST_SECRET", secret)
	t.Setenv("EMIT_TEST_TOKEN", token)
	rc := newReceiver(t, secret, func(id string, n int) int {
		if id == "evt_2" {
			return 500
		}
		return 204
	})
	cfgPath := writeConfig(t, dir, `
account: {id: acc_1, name: Acme}
webhooks:
  - description: cleanup bot
    events: [Flag.new, Flag.deleted]
    url: `+rc.URL+`/hooks/`+token+`
    secret: ${EMIT_TEST_SECRET}
    headers:
      Authorization: Bearer ${EMIT_TEST_TOKEN}
    payload:
      source: flagscan
delivery:
  allow_hosts: [127.0.0.1]
  retry_schedule: [1h]
`)
	dbPath := filepath.Join(dir, "flagscan.db")
	db, err := workspace.OpenStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := workspace.LoadConfig(cfgPath, "", "")
	if err != nil {
		t.Fatal(err)
	}
	subs, err := workspace.Subscriptions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var events []outbox.Event
	for _, e := range []struct{ id, typ, key string }{{"evt_1", event.FlagNew, "checkout"}, {"evt_2", event.FlagDeleted, "legacy"}} {
		body, _ := json.Marshal(map[string]string{"event": e.typ, "flag_key": e.key, "date": "2005-08-15T15:52:01+00:00"})
		events = append(events, outbox.Event{ID: e.id, Type: e.typ, FlagKey: e.key, Body: body})
	}
	if err := outbox.Enqueue(ctx, tx, subs, events); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var outputs strings.Builder
	run := func(args ...string) string {
		t.Helper()
		out, errOut, err := runEmit(ctx, append(args, "--db", dbPath, "--config", cfgPath)...)
		outputs.WriteString(out + errOut)
		if err != nil {
			t.Fatalf("flagscan %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
		}
		return out
	}

	if out := run("deliver"); !strings.Contains(out, "1 delivered, 1 to retry, 0 given up") {
		t.Errorf("deliver: %s", out)
	}
	var listed []map[string]any
	sc := bufio.NewScanner(strings.NewReader(run("deliveries", "--format", "json")))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		listed = append(listed, m)
	}
	if len(listed) != 2 || listed[0]["state"] != "delivered" || listed[1]["state"] != "pending" || listed[1]["last_status"] != 500.0 {
		t.Errorf("deliveries: %v", listed)
	}
	if out := run("deliveries", "--format", "table"); !regexp.MustCompile(`evt_2\s+Flag.deleted\s+legacy\s+cleanup bot\s+pending\s+1\s+500 http_status\s+next in (59m|1h)`).MatchString(out) {
		t.Errorf("deliveries table:\n%s", out)
	}
	if out := run("deliveries", "--state", "delivered", "--format", "csv"); !strings.Contains(out, "evt_1") || strings.Contains(out, "evt_2") {
		t.Errorf("deliveries --state delivered:\n%s", out)
	}
	show := run("deliveries", "show", "evt_2")
	for _, want := range []string{"flag key legacy", `"flag_key": "legacy"`, "500", "http_status", "answer: answered evt_2", "due "} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	var detail report.EventOut
	if err := json.Unmarshal([]byte(run("deliveries", "show", "evt_1", "--format", "json")), &detail); err != nil {
		t.Fatal(err)
	}
	if detail.ID != "evt_1" || len(detail.Attempts) != 1 || detail.Attempts[0].Status != 204 {
		t.Errorf("show --format json: %+v", detail)
	}

	if out := run("deliveries", "replay", "evt_1"); !strings.Contains(out, "1 deliveries queued again") {
		t.Errorf("replay: %s", out)
	}
	if out := run("deliver"); !strings.Contains(out, "1 delivered, 0 to retry") {
		t.Errorf("deliver after replay: %s", out)
	}
	if got := rc.received(); strings.Join(got, " ") != "evt_1 evt_2 evt_1" && strings.Join(got, " ") != "evt_2 evt_1 evt_1" {
		t.Errorf("received %v, want evt_1 twice (replayed, same id) and evt_2 once", got)
	}
	rc.mu.Lock()
	first := rc.body[0]
	auth := rc.hdr[0].Get("Authorization")
	agent := rc.hdr[0].Get("User-Agent")
	rc.mu.Unlock()
	if !bytes.Contains(first, []byte(`"source":"flagscan"`)) || auth != "Bearer "+token {
		t.Errorf("payload or header missing: %s %q", first, auth)
	}
	// Receivers can tell which build sent an event.
	if want := "flagscan/" + version.Build().Short(); agent != want {
		t.Errorf("User-Agent %q, want %q", agent, want)
	}

	// Mistakes are usage errors.
	for _, args := range [][]string{
		{"deliveries", "replay"},
		{"deliveries", "show", "nope"},
		{"deliveries", "--state", "lost"},
		{"deliver", "--watch", "--budget", "1s"},
	} {
		_, _, err := runEmit(ctx, append(args, "--db", dbPath, "--config", cfgPath)...)
		var ue cli.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("flagscan %s: %v, want a usage error", strings.Join(args, " "), err)
		}
	}
	if _, _, err := runEmit(ctx, "deliveries", "--db", filepath.Join(dir, "missing.db")); err == nil || !strings.Contains(err.Error(), "no store at") {
		t.Errorf("a missing store: %v", err)
	}
	for _, s := range []string{strings.TrimPrefix(secret, "whsec_"), token} {
		if strings.Contains(outputs.String(), s) {
			t.Errorf("a secret appears in the output:\n%s", outputs.String())
		}
	}
}

func TestWebhookTestAndListen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	secret := newSecret(t)
	t.Setenv("EMIT_TEST_SECRET", secret)
	t.Setenv(listen.SecretEnv, secret)

	// `flagscan listen` on a free port.
	var listenOut, listenErr syncBuffer
	root := emitRoot(&listenOut, &listenErr)
	root.SetArgs([]string{"listen", "--port", "0"})
	listenDone := make(chan error, 1)
	go func() { listenDone <- root.ExecuteContext(ctx) }()
	addr := ""
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" {
		if m := regexp.MustCompile(`listening on (http://\S+/)`).FindStringSubmatch(listenErr.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("listen did not start: %s", listenErr.String())
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) }))
	defer gone.Close()
	cfgPath := writeConfig(t, dir, `
account: {id: acc_1, name: Acme}
environments: [{id: env_prod, name: production, paths: ["**"]}]
webhooks:
  - description: local listener
    events: [Flag.new]
    url: `+addr+`hooks
    secret: ${EMIT_TEST_SECRET}
  - description: gone
    events: [Flag.deleted]
    url: `+gone.URL+`
delivery:
  allow_hosts: [127.0.0.1]
`)
	out, _, err := runEmit(ctx, "webhook", "test", "local listener", "--config", cfgPath)
	if err != nil || !strings.Contains(out, `webhook "local listener" -> http://127.0.0.1:`) || !strings.Contains(out, "accepted, HTTP 204") {
		t.Fatalf("webhook test: %v\n%s", err, out)
	}
	got := listenOut.String()
	for _, want := range []string{"POST /hooks", "webhook-id test_", "signature ok", `"flag_key": "flagscan-webhook-test"`, `"test": true`, `"account_id": "acc_1"`, `"environment_name": "production"`} {
		if !strings.Contains(got, want) {
			t.Errorf("listen output lacks %q:\n%s", want, got)
		}
	}
	// All webhooks: the gone one fails, and the command says so.
	out, _, err = runEmit(ctx, "webhook", "test", "--config", cfgPath)
	if err == nil || !strings.Contains(out, `FAILED (gone), HTTP 410`) || strings.Count(out, "accepted") != 1 {
		t.Errorf("webhook test (all): %v\n%s", err, out)
	}
	if _, _, err := runEmit(ctx, "webhook", "test", "nope", "--config", cfgPath); err == nil || !strings.Contains(err.Error(), `"local listener", "gone"`) {
		t.Errorf("unknown webhook: %v", err)
	}
	out, _, err = runEmit(ctx, "webhook", "list", "--config", cfgPath, "--db", filepath.Join(dir, "none.db"))
	if err != nil || !strings.Contains(out, "local listener") || !strings.Contains(out, emitter.SubscriptionID("gone", gone.URL)) || strings.Contains(out, secret) {
		t.Errorf("webhook list: %v\n%s", err, out)
	}

	cancel()
	select {
	case err := <-listenDone:
		if err != nil {
			t.Errorf("listen: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("listen did not stop")
	}
	if strings.Contains(listenOut.String()+listenErr.String(), strings.TrimPrefix(secret, "whsec_")) {
		t.Error("listen printed the secret")
	}
}

func TestListenHandlerRefusesBadSignatures(t *testing.T) {
	key, _ := signing.NewKey(newSecret(t))
	other, _ := signing.NewKey(newSecret(t))
	var out bytes.Buffer
	now := time.Now()
	h := listen.NewHandler(&out, &key, 204, func() time.Time { return now })
	body := []byte(`{"event":"Flag.new","flag_key":"k"}`)
	for _, tc := range []struct {
		k    signing.Key
		want int
		say  string
	}{{key, 204, "signature ok"}, {other, 401, "signature INVALID"}} {
		out.Reset()
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		tc.k.SetHeaders(req.Header, "evt_1", now, body)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want || !strings.Contains(out.String(), tc.say) || !strings.Contains(out.String(), `"flag_key": "k"`) {
			t.Errorf("answer %d, output %q; want %d and %q", rec.Code, out.String(), tc.want, tc.say)
		}
	}
	out.Reset()
	req := httptest.NewRequest("POST", "/", bytes.NewReader(bytes.Repeat([]byte("x"), emitter.DefaultMaxBodySize+1)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized body: %d", rec.Code)
	}
	out.Reset()
	listen.NewHandler(&out, nil, 503, time.Now).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", bytes.NewReader(body)))
	if !strings.Contains(out.String(), "signature not checked  -> 503") {
		t.Errorf("without a secret: %q", out.String())
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2h":                   now.Add(-2 * time.Hour),
		"1d":                   now.Add(-24 * time.Hour),
		"2026-02-01T10:00:00Z": time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC),
		"2026-02-01":           time.Date(2026, 2, 1, 0, 0, 0, 0, time.Local),
	} {
		if got, err := delivery.ParseSince(in, now); err != nil || !got.Equal(want) {
			t.Errorf("delivery.ParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := delivery.ParseSince("yesterday", now); err == nil {
		t.Error("parsed yesterday")
	}
}
