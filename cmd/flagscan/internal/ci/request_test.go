package ci_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/action"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// requestRepo: main has c0 ("legacy") then c2 (adds "mainonly"); topic
// branches off c0 and replaces "legacy" with "checkout" (c1). The change
// of topic is from the merge base c0: "mainonly" is not part of it.
func requestRepo(t *testing.T) (r *gittest.Repo, c2, c1 string) {
	t.Helper()
	r = gittest.New(t)
	r.Commit("c0", map[string]string{"web/a.ts": "visitor.getFlag(\"legacy\", 1);\n"})
	r.Git("checkout", "-q", "-b", "topic")
	c1 = r.Commit("c1", map[string]string{"web/a.ts": "const x = 0;\nvisitor.getFlag(\"checkout\", true);\n"})
	r.Git("checkout", "-q", "main")
	c2 = r.Commit("c2", map[string]string{"web/m.ts": "visitor.getFlag(\"mainonly\", 1);\n"})
	return r, c2, c1
}

// commentServer stands in for the comment endpoints of GitHub's REST API
// or GitLab's notes API: it checks every request and keeps the comments.
type commentServer struct {
	t      *testing.T
	list   string // path of the request's comments
	item   string // prefix of the path of one comment
	update string // method that edits one
	auth   func(h http.Header) error

	mu       sync.Mutex
	comments []map[string]any // id, body
	calls    []string
}

func (s *commentServer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, req.Method+" "+req.URL.Path)
	if err := s.auth(req.Header); err != nil {
		s.t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var in struct{ Body string }
	if req.Method != http.MethodGet {
		if ct := req.Header.Get("Content-Type"); ct != "application/json" {
			s.t.Errorf("%s %s: Content-Type %q", req.Method, req.URL.Path, ct)
		}
		data, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(data, &in); err != nil || !strings.Contains(in.Body, "<!-- flagscan:request-report -->") {
			s.t.Errorf("%s %s: body %s lacks the marker (%v)", req.Method, req.URL.Path, data, err)
		}
	}
	switch {
	case req.Method == http.MethodGet && req.URL.Path == s.list:
		if req.URL.Query().Get("per_page") != "100" || req.URL.Query().Get("page") != "1" {
			s.t.Errorf("GET %s", req.URL)
		}
		json.NewEncoder(w).Encode(s.comments)
	case req.Method == http.MethodPost && req.URL.Path == s.list:
		c := map[string]any{"id": 1000 + len(s.comments), "body": in.Body}
		s.comments = append(s.comments, c)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(c)
	case req.Method == s.update && strings.HasPrefix(req.URL.Path, s.item):
		id := strings.TrimPrefix(req.URL.Path, s.item)
		for _, c := range s.comments {
			if fmt.Sprint(c["id"]) == id {
				c["body"] = in.Body
				json.NewEncoder(w).Encode(c)
				return
			}
		}
		s.t.Errorf("%s of unknown comment %s", req.Method, id)
		http.NotFound(w, req)
	default:
		s.t.Errorf("unexpected %s %s", req.Method, req.URL.Path)
		http.NotFound(w, req)
	}
}

func (s *commentServer) bodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.comments {
		out = append(out, c["body"].(string))
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkRequestReport checks the outputs, the summary and the comments of
// two runs of a request: the comment is posted once, then updated.
func checkRequestReport(t *testing.T, srv *commentServer, run func(head string) (out, summary string), r *gittest.Repo, c1 string) {
	t.Helper()
	out, summary := run(c1)
	for _, want := range []string{`added_flags=["checkout"]`, `removed_flags=["legacy"]`, `changes=[{"change":"added","flag_key":"checkout"`} {
		if !strings.Contains(out, want) {
			t.Errorf("outputs lack %s:\n%s", want, out)
		}
	}
	if !strings.Contains(summary, "| added | `checkout` |") || !strings.Contains(summary, "| removed | `legacy` | last seen:") || strings.Contains(summary, "mainonly") {
		t.Errorf("summary:\n%s", summary)
	}
	if b := srv.bodies(); len(b) != 2 || !strings.Contains(b[1], "`checkout`") {
		t.Fatalf("after the first run, comments %q: want the other one and flagscan's", b)
	}
	// A later push to the branch updates the comment.
	r.Git("checkout", "-q", "topic")
	c3 := r.Commit("c3", map[string]string{"web/b.ts": "visitor.getFlag(\"second\", 1);\n"})
	run(c3)
	b := srv.bodies()
	if len(b) != 2 || !strings.Contains(b[1], "`second`") || !strings.Contains(b[0], "unrelated") {
		t.Fatalf("after the second run, comments %q: want flagscan's updated, not repeated", b)
	}
}

func TestGitHubPullRequest(t *testing.T) {
	r, c2, c1 := requestRepo(t)
	srv := &commentServer{t: t, list: "/repos/acme/shop/issues/5/comments", item: "/repos/acme/shop/issues/comments/", update: http.MethodPatch,
		comments: []map[string]any{{"id": 1, "body": "unrelated review"}},
		auth: func(h http.Header) error {
			if h.Get("Authorization") != "Bearer ghs_tok" || h.Get("Accept") != "application/vnd.github+json" || h.Get("X-GitHub-Api-Version") != "2022-11-28" {
				return fmt.Errorf("headers %v", h)
			}
			return nil
		}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	tmp := t.TempDir()
	db := filepath.Join(tmp, "flagscan.db")
	run := func(head string) (string, string) {
		payload, _ := json.Marshal(map[string]any{
			"action": "synchronize", "number": 5,
			"pull_request": map[string]any{"number": 5, "html_url": "https://github.example/acme/shop/pull/5",
				"base": map[string]any{"ref": "main", "sha": c2}, "head": map[string]any{"ref": "topic", "sha": head}},
			"repository": map[string]any{"full_name": "acme/shop", "html_url": "https://github.example/acme/shop", "default_branch": "main"},
			"sender":     map[string]any{"login": "ada"},
		})
		ev := filepath.Join(tmp, "event.json")
		os.WriteFile(ev, payload, 0o644)
		output, summary := filepath.Join(tmp, "out"+head), filepath.Join(tmp, "sum"+head)
		vars := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": ev,
			"GITHUB_API_URL": hs.URL, "GITHUB_TOKEN": "ghs_tok", "GITHUB_OUTPUT": output, "GITHUB_STEP_SUMMARY": summary}
		got, log, err := runCI(t, r.Dir, db, vars, action.Options{Comment: true})
		if err != nil || len(got) != 0 {
			t.Fatalf("pull request: %v, events %v\n%s", err, keys(got), log)
		}
		return readFile(t, output), readFile(t, summary)
	}
	checkRequestReport(t, srv, run, r, c1)
	if _, summary := run(c1); !strings.Contains(summary, "[web/a.ts:2](https://github.example/acme/shop/blob/"+c1+"/web/a.ts#L2)") {
		t.Errorf("summary links:\n%s", summary)
	}
}

func TestGitLabMergeRequest(t *testing.T) {
	r, c2, c1 := requestRepo(t)
	srv := &commentServer{t: t, list: "/api/v4/projects/42/merge_requests/7/notes", item: "/api/v4/projects/42/merge_requests/7/notes/", update: http.MethodPut,
		comments: []map[string]any{{"id": 1, "body": "unrelated note"}},
		auth: func(h http.Header) error {
			if h.Get("PRIVATE-TOKEN") != "glpat-tok" {
				return fmt.Errorf("headers %v", h)
			}
			return nil
		}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	tmp := t.TempDir()
	db := filepath.Join(tmp, "flagscan.db")
	base := gittest.Output(t, r.Dir, "merge-base", c2, c1)
	run := func(head string) (string, string) {
		output, summary := filepath.Join(tmp, "out"+head), filepath.Join(tmp, "sum"+head)
		vars := map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_SHA": head,
			"CI_COMMIT_REF_NAME": "topic", "CI_COMMIT_BEFORE_SHA": "0000000000000000000000000000000000000000",
			"CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_PROJECT_ID": "42", "CI_PROJECT_ID": "42",
			"CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "topic",
			"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_API_V4_URL": hs.URL + "/api/v4",
			"CI_PROJECT_PATH": "acme/shop", "CI_PROJECT_URL": "https://gitlab.example/acme/shop", "GITLAB_TOKEN": "glpat-tok"}
		got, log, err := runCI(t, r.Dir, db, vars, action.Options{Comment: true, Output: output, Summary: summary})
		if err != nil || len(got) != 0 {
			t.Fatalf("merge request: %v, events %v\n%s", err, keys(got), log)
		}
		return readFile(t, output), readFile(t, summary)
	}
	checkRequestReport(t, srv, run, r, c1)
}

// TestPullRequestScope: a pull request's change goes only to the webhooks
// whose scopes ask for pull requests, with the request in the body; the
// others, and the snapshot, see nothing of a change that is not merged.
func TestPullRequestScope(t *testing.T) {
	r, c2, c1 := requestRepo(t)
	type got struct {
		mu     sync.Mutex
		bodies []map[string]any
	}
	receiver := func(g *got) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			var b map[string]any
			json.NewDecoder(req.Body).Decode(&b)
			g.mu.Lock()
			g.bodies = append(g.bodies, b)
			g.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(s.Close)
		return s
	}
	var prs, pushes got
	prURL, pushURL := receiver(&prs).URL, receiver(&pushes).URL
	gittest.WriteFile(t, filepath.Join(r.Dir, ".flagscan.yml"), fmt.Sprintf(`webhooks:
  - description: reviews
    events: [Flag.new, Flag.deleted]
    url: %s/pr
    scopes: [pull_request]
  - description: production
    events: [Flag.new, Flag.deleted]
    url: %s/push
delivery:
  allow_hosts: [127.0.0.1]
`, prURL, pushURL))
	tmp := t.TempDir()
	payload, _ := json.Marshal(map[string]any{
		"action": "opened", "number": 5,
		"pull_request": map[string]any{"number": 5, "html_url": "https://github.example/acme/shop/pull/5",
			"base": map[string]any{"ref": "main", "sha": c2}, "head": map[string]any{"ref": "topic", "sha": c1}},
		"repository": map[string]any{"full_name": "acme/shop", "html_url": "https://github.example/acme/shop", "default_branch": "main"},
		"sender":     map[string]any{"login": "ada"},
	})
	ev := filepath.Join(tmp, "event.json")
	os.WriteFile(ev, payload, 0o644)
	vars := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": ev}
	if _, log, err := runCI(t, r.Dir, filepath.Join(tmp, "flagscan.db"), vars, action.Options{}); err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	var keys []string
	for _, b := range prs.bodies {
		req, _ := b["request"].(map[string]any)
		if req["kind"] != "pull_request" || req["number"] != float64(5) || b["branch"] != "topic" || b["commit"].(map[string]any)["sha"] != c1 {
			t.Errorf("body %v", b)
		}
		keys = append(keys, fmt.Sprint(b["event"], " ", b["flag_key"]))
	}
	slices.Sort(keys)
	if want := []string{"Flag.deleted legacy", "Flag.new checkout"}; !slices.Equal(keys, want) {
		t.Errorf("the pull_request webhook got %q, want %q", keys, want)
	}
	if len(pushes.bodies) != 0 {
		t.Errorf("the push webhook got %d events of an unmerged change", len(pushes.bodies))
	}
}
