package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/flagscan/flagscan/analyzer/store/storetest"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// apiRequest is one request a stand-in API got.
type apiRequest struct {
	Method, Path string
	Query        url.Values
	Header       http.Header
	Body         []byte
	SignatureErr error
}

// standIn is an HTTP server standing in for an API a recipe calls: it
// records every request and checks its Standard Webhooks signature.
type standIn struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []apiRequest
}

func newStandIn(t *testing.T, secret string) *standIn {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	s := &standIn{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, apiRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(),
			Body: body, SignatureErr: wh.Verify(body, r.Header)})
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	return s
}

// recipe returns the configuration of the recipe name in docs/webhooks.md,
// with the API's scheme and host replaced by base and a signing secret
// added, so that the test runs exactly what the documentation says.
func recipe(t *testing.T, name, base string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "webhooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- recipe " + name + " -->\n```yaml\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/webhooks.md has no recipe %s", name)
	}
	cfg := regexp.MustCompile(`(?m)^(    url: )https://[^/]+`).ReplaceAllString(string(m[1]), "${1}"+base)
	cfg = strings.Replace(cfg, "    events:", "    secret: ${RECIPE_SECRET}\n    events:", 1)
	return cfg + "delivery:\n  allow_hosts: [127.0.0.1]\n  inline_budget: 10s\n"
}

// pushRecipe delivers the push of pushRepo (Flag.deleted legacy, Flag.new
// checkout) through the recipe name and returns the requests its stand-in
// got, sorted by body.
func pushRecipe(t *testing.T, name string, env map[string]string) []apiRequest {
	t.Helper()
	dir, c0, c1 := pushRepo(t)
	secret := newSecret(t)
	t.Setenv("RECIPE_SECRET", secret)
	for k, v := range env {
		t.Setenv(k, v)
	}
	api := newStandIn(t, secret)
	cfg := writeConfig(t, t.TempDir(), recipe(t, name, api.URL))
	db := storetest.Target(t)
	if code, _, errOut := flagscan(t, "", "push", "-C", dir, "--db", db, "--config", cfg, c0, c1, "refs/heads/main"); code != exitOK || errOut != "" {
		t.Fatalf("push: exit %d: %s", code, errOut)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	reqs := append([]apiRequest(nil), api.reqs...)
	sort.Slice(reqs, func(i, j int) bool { return string(reqs[i].Body) < string(reqs[j].Body) })
	for _, r := range reqs {
		if r.SignatureErr != nil {
			t.Errorf("%s %s: the reference library refuses the signature: %v", r.Method, r.Path, r.SignatureErr)
		}
		if r.Method != http.MethodPost {
			t.Errorf("method %s, want POST", r.Method)
		}
	}
	return reqs
}

func decodeJSON(t *testing.T, r apiRequest) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %s: %v", r.Body, err)
	}
	return m
}

// TestRecipeGitHubDispatch: POST /repos/{owner}/{repo}/dispatches with a
// bearer token, event_type and a client_payload of at most 10 properties
// (GitHub's REST API documents both limits).
func TestRecipeGitHubDispatch(t *testing.T) {
	reqs := pushRecipe(t, "github_dispatch", map[string]string{"GITHUB_TOKEN": "ghp_test"})
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	var keys []string
	for _, r := range reqs {
		if r.Path != "/repos/acme/app/dispatches" || r.Header.Get("Authorization") != "Bearer ghp_test" ||
			r.Header.Get("Accept") != "application/vnd.github+json" || r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" {
			t.Errorf("request %s with headers %v", r.Path, r.Header)
		}
		m := decodeJSON(t, r)
		cp, _ := m["client_payload"].(map[string]any)
		if len(cp) == 0 || len(cp) > 10 || len(m) != 2 {
			t.Fatalf("body %s: want event_type and a client_payload of 1 to 10 properties", r.Body)
		}
		if m["event_type"] != cp["event"] {
			t.Errorf("event_type %v, client_payload.event %v", m["event_type"], cp["event"])
		}
		refs, _ := cp["references"].([]any)
		commit, _ := cp["commit"].(map[string]any)
		if len(refs) == 0 || commit["sha"] == "" {
			t.Errorf("client_payload %v: want its references as a list and the commit as an object", cp)
		}
		keys = append(keys, m["event_type"].(string)+" "+cp["flag_key"].(string))
	}
	sort.Strings(keys)
	if want := "Flag.deleted legacy,Flag.new checkout"; strings.Join(keys, ",") != want {
		t.Errorf("events %q, want %s", keys, want)
	}
}

// TestRecipeGitLabTrigger: POST /projects/:id/trigger/pipeline, form
// encoded, with token, ref and variables[NAME] (GitLab's pipeline trigger
// API).
func TestRecipeGitLabTrigger(t *testing.T) {
	reqs := pushRecipe(t, "gitlab_trigger", map[string]string{"GITLAB_TRIGGER_TOKEN": "glptt-test"})
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	var keys []string
	for _, r := range reqs {
		if r.Path != "/api/v4/projects/42/trigger/pipeline" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("request %s, Content-Type %q", r.Path, r.Header.Get("Content-Type"))
		}
		form, err := url.ParseQuery(string(r.Body))
		if err != nil {
			t.Fatalf("body %q: %v", r.Body, err)
		}
		if form.Get("token") != "glptt-test" || form.Get("ref") != "main" || form.Get("variables[FLAGSCAN_COMMIT_SHA]") == "" {
			t.Errorf("form %v", form)
		}
		keys = append(keys, form.Get("variables[FLAGSCAN_EVENT]")+" "+form.Get("variables[FLAGSCAN_FLAG_KEY]"))
	}
	sort.Strings(keys)
	if want := "Flag.deleted legacy,Flag.new checkout"; strings.Join(keys, ",") != want {
		t.Errorf("events %q, want %s", keys, want)
	}
}

// TestRecipeSlack: an incoming webhook takes a JSON object with text (and
// blocks of mrkdwn sections).
func TestRecipeSlack(t *testing.T) {
	reqs := pushRecipe(t, "slack", map[string]string{"SLACK_WEBHOOK_PATH": "T000/B000/XXXX"})
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	var texts []string
	for _, r := range reqs {
		if r.Path != "/services/T000/B000/XXXX" {
			t.Errorf("path %s", r.Path)
		}
		m := decodeJSON(t, r)
		text, _ := m["text"].(string)
		blocks, _ := m["blocks"].([]any)
		if len(blocks) != 1 {
			t.Errorf("blocks %v", m["blocks"])
		}
		texts = append(texts, text)
	}
	sort.Strings(texts)
	if !strings.HasPrefix(texts[0], "Flag.deleted `legacy` in ") || !strings.HasPrefix(texts[1], "Flag.new `checkout` in ") {
		t.Errorf("texts %q", texts)
	}
}

// TestRecipeTeams: a Teams incoming webhook takes a message whose
// attachment is an Adaptive Card.
func TestRecipeTeams(t *testing.T) {
	reqs := pushRecipe(t, "teams", map[string]string{"TEAMS_WEBHOOK_PATH": "abc/IncomingWebhook/def"})
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	var titles []string
	for _, r := range reqs {
		m := decodeJSON(t, r)
		att, _ := m["attachments"].([]any)
		if m["type"] != "message" || len(att) != 1 {
			t.Fatalf("body %s", r.Body)
		}
		a := att[0].(map[string]any)
		card, _ := a["content"].(map[string]any)
		body, _ := card["body"].([]any)
		if a["contentType"] != "application/vnd.microsoft.card.adaptive" || card["type"] != "AdaptiveCard" || len(body) == 0 {
			t.Fatalf("attachment %v", a)
		}
		titles = append(titles, body[0].(map[string]any)["text"].(string))
	}
	sort.Strings(titles)
	if want := "Flag.deleted: legacy,Flag.new: checkout"; strings.Join(titles, ",") != want {
		t.Errorf("titles %q, want %s", titles, want)
	}
}

// TestRecipeJira: POST /rest/api/2/issue with fields project, issuetype
// and summary (Jira's REST API), for deleted flags only.
func TestRecipeJira(t *testing.T) {
	reqs := pushRecipe(t, "jira", map[string]string{"JIRA_BASIC_AUTH": "YWRhOnRva2Vu"})
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1 (the deleted flag)", len(reqs))
	}
	r := reqs[0]
	if r.Path != "/rest/api/2/issue" || r.Header.Get("Authorization") != "Basic YWRhOnRva2Vu" {
		t.Errorf("request %s, Authorization %q", r.Path, r.Header.Get("Authorization"))
	}
	fields, _ := decodeJSON(t, r)["fields"].(map[string]any)
	project, _ := fields["project"].(map[string]any)
	issuetype, _ := fields["issuetype"].(map[string]any)
	labels, _ := fields["labels"].([]any)
	if project["key"] != "FLAG" || issuetype["name"] != "Task" || len(labels) != 1 {
		t.Errorf("fields %v", fields)
	}
	if s, _ := fields["summary"].(string); s != "Remove flag legacy from default" {
		t.Errorf("summary %q", s)
	}
}

// TestRecipeCIAPI: a bearer token from the environment, the key in the
// URL's query (escaped) and in a JSON body whose references stay a list.
func TestRecipeCIAPI(t *testing.T) {
	reqs := pushRecipe(t, "ci_api", map[string]string{"CI_TOKEN": "s3cret"})
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	var keys []string
	for _, r := range reqs {
		if r.Path != "/api/v1/jobs" || r.Header.Get("Authorization") != "Bearer s3cret" {
			t.Errorf("request %s, Authorization %q", r.Path, r.Header.Get("Authorization"))
		}
		m := decodeJSON(t, r)
		params, _ := m["parameters"].(map[string]any)
		refs, _ := params["references"].([]any)
		if m["job"] != "flag-audit" || params["flag"] != r.Query.Get("flag") || len(refs) == 0 {
			t.Errorf("query %v, body %s", r.Query, r.Body)
		}
		keys = append(keys, r.Query.Get("event")+" "+r.Query.Get("flag"))
	}
	sort.Strings(keys)
	if want := "Flag.deleted legacy,Flag.new checkout"; strings.Join(keys, ",") != want {
		t.Errorf("events %q, want %s", keys, want)
	}
}
