package ci_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/action"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/ci"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

func TestMain(m *testing.M) {
	gittest.Isolate()
	os.Exit(m.Run())
}

// repo has c0 referencing "legacy" and c1 referencing "checkout" instead.
func repo(t *testing.T) (r *gittest.Repo, c0, c1 string) {
	t.Helper()
	r = gittest.New(t)
	c0 = r.Commit("c0", map[string]string{"web/a.ts": "visitor.getFlag(\"legacy\", 1);\n"})
	c1 = r.Commit("c1", map[string]string{"web/a.ts": "const x = 0;\nvisitor.getFlag(\"checkout\", true);\n"})
	return r, c0, c1
}

type body struct {
	Event      string `json:"event"`
	FlagKey    string `json:"flag_key"`
	UserID     string `json:"user_id"`
	UserEmail  string `json:"user_email"`
	Repository string `json:"repository"`
	Branch     string `json:"branch"`
	Commit     struct {
		SHA string `json:"sha"`
		URL string `json:"url"`
	} `json:"commit"`
}

// runCI runs flagscan ci in dir with only the variables of vars, and
// returns the event bodies it prints.
func runCI(t *testing.T, dir, db string, vars map[string]string, o action.Options) ([]body, string, error) {
	t.Helper()
	o.Workspace = workspace.Flags{Repo: dir, DB: db, Scan: workspace.ScanSettings{ContextLines: -1}}
	o.Format = "json"
	o.NoFetch = true
	o.LookupEnv = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	var out, errOut bytes.Buffer
	err := ci.Run(context.Background(), o, cli.IO{Out: &out, Err: &errOut})
	var bodies []body
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), `{"event"`) {
			var b body
			if err := json.Unmarshal(sc.Bytes(), &b); err != nil {
				t.Fatalf("%v: %s", err, sc.Text())
			}
			bodies = append(bodies, b)
		}
	}
	return bodies, out.String() + errOut.String(), err
}

func keys(bodies []body) []string {
	var out []string
	for _, b := range bodies {
		out = append(out, b.Event+" "+b.FlagKey)
	}
	slices.Sort(out)
	return out
}

// TestProviders feeds each provider's documented variables for a push of
// c1 on main: those that say what main was before (GitLab, Jenkins) give
// the events of c0..c1 in one run; the others take a baseline on their
// first run and report the change on the next.
func TestProviders(t *testing.T) {
	want := []string{"Flag.deleted legacy", "Flag.new checkout"}
	for _, tc := range []struct {
		name     string
		vars     func(before, after string) map[string]string
		withPrev bool // the provider reports the commit before the push
		user     string
		repo     string
		url      string // of the commit, "" for none
	}{
		{name: ci.GitLab, withPrev: true, user: "ada", repo: "acme/shop", url: "https://gitlab.example/acme/shop/-/commit/",
			vars: func(before, after string) map[string]string {
				return map[string]string{"GITLAB_CI": "true", "CI": "true", "CI_PIPELINE_SOURCE": "push",
					"CI_COMMIT_BEFORE_SHA": before, "CI_COMMIT_SHA": after, "CI_COMMIT_REF_NAME": "main", "CI_COMMIT_BRANCH": "main",
					"CI_DEFAULT_BRANCH": "main", "CI_PROJECT_PATH": "acme/shop", "CI_PROJECT_URL": "https://gitlab.example/acme/shop",
					"GITLAB_USER_LOGIN": "ada", "GITLAB_USER_EMAIL": "ada@example.com"}
			}},
		{name: ci.Jenkins, withPrev: true, user: "Ada", repo: "acme/shop", url: "https://github.com/acme/shop/commit/",
			vars: func(before, after string) map[string]string {
				return map[string]string{"JENKINS_URL": "https://ci.example/", "BUILD_NUMBER": "7",
					"GIT_COMMIT": after, "GIT_PREVIOUS_SUCCESSFUL_COMMIT": before, "GIT_BRANCH": "origin/main",
					"GIT_URL": "https://github.com/acme/shop.git"}
			}},
		{name: ci.Bitbucket, user: "{1234-uuid}", repo: "acme/shop", url: "https://bitbucket.org/acme/shop/commits/",
			vars: func(_, after string) map[string]string {
				return map[string]string{"CI": "true", "BITBUCKET_BUILD_NUMBER": "3", "BITBUCKET_COMMIT": after, "BITBUCKET_BRANCH": "main",
					"BITBUCKET_REPO_FULL_NAME": "acme/shop", "BITBUCKET_STEP_TRIGGERER_UUID": "{1234-uuid}",
					"BITBUCKET_GIT_HTTP_ORIGIN": "http://bitbucket.org/acme/shop"}
			}},
		{name: ci.Azure, user: "Ada Lovelace", repo: "acme/shop", url: "https://github.com/acme/shop/commit/",
			vars: func(_, after string) map[string]string {
				return map[string]string{"TF_BUILD": "True", "BUILD_REASON": "IndividualCI", "BUILD_SOURCEVERSION": after,
					"BUILD_SOURCEBRANCH": "refs/heads/main", "BUILD_REQUESTEDFOR": "Ada Lovelace", "BUILD_REQUESTEDFOREMAIL": "ada@example.com",
					"BUILD_REPOSITORY_NAME": "acme/shop", "BUILD_REPOSITORY_PROVIDER": "GitHub", "BUILD_REPOSITORY_URI": "https://github.com/acme/shop"}
			}},
		{name: ci.Azure + " Repos", user: "Ada Lovelace", repo: "shop", url: "https://dev.azure.com/acme/web/_git/shop/commit/",
			vars: func(_, after string) map[string]string {
				return map[string]string{"TF_BUILD": "True", "BUILD_REASON": "IndividualCI", "BUILD_SOURCEVERSION": after,
					"BUILD_SOURCEBRANCH": "refs/heads/main", "BUILD_REQUESTEDFOR": "Ada Lovelace",
					"BUILD_REPOSITORY_NAME": "shop", "BUILD_REPOSITORY_PROVIDER": "TfsGit", "BUILD_REPOSITORY_URI": "https://dev.azure.com/acme/web/_git/shop"}
			}},
		{name: ci.CircleCI, user: "ada", repo: "acme/shop", url: "https://github.com/acme/shop/commit/",
			vars: func(_, after string) map[string]string {
				return map[string]string{"CI": "true", "CIRCLECI": "true", "CIRCLE_SHA1": after, "CIRCLE_BRANCH": "main",
					"CIRCLE_USERNAME": "ada", "CIRCLE_PROJECT_USERNAME": "acme", "CIRCLE_PROJECT_REPONAME": "shop",
					"CIRCLE_REPOSITORY_URL": "git@github.com:acme/shop.git"}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, c0, c1 := repo(t)
			db := storetest.Target(t)
			if !tc.withPrev {
				got, log, err := runCI(t, r.Dir, db, tc.vars("", c0), action.Options{})
				if err != nil || len(got) != 0 {
					t.Fatalf("first run at c0: %v, events %v, want a baseline\n%s", err, keys(got), log)
				}
			}
			got, log, err := runCI(t, r.Dir, db, tc.vars(c0, c1), action.Options{})
			if err != nil {
				t.Fatalf("%v\n%s", err, log)
			}
			if !slices.Equal(keys(got), want) {
				t.Fatalf("events %v, want %v\n%s", keys(got), want, log)
			}
			for _, b := range got {
				if b.UserID != tc.user || b.Repository != tc.repo || b.Branch != "main" || b.Commit.SHA != c1 {
					t.Errorf("body %+v: want user %q, repository %q, branch main, commit %s", b, tc.user, tc.repo, c1)
				}
				if tc.url == "" && b.Commit.URL != "" || tc.url != "" && b.Commit.URL != tc.url+c1 {
					t.Errorf("commit URL %q, want %q", b.Commit.URL, tc.url)
				}
			}
		})
	}
}

// TestGitLabFirstPipelines: the all-zero CI_COMMIT_BEFORE_SHA of the
// default branch's first pipeline is a baseline (not every key as new);
// that of a new branch starts where it branches off the default branch.
func TestGitLabFirstPipelines(t *testing.T) {
	r, _, c1 := repo(t)
	db := storetest.Target(t)
	vars := func(branch, sha string) map[string]string {
		return map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BEFORE_SHA": git.ZeroID,
			"CI_COMMIT_SHA": sha, "CI_COMMIT_BRANCH": branch, "CI_COMMIT_REF_NAME": branch, "CI_DEFAULT_BRANCH": "main",
			"CI_PROJECT_PATH": "acme/shop"}
	}
	t.Setenv("FLAGSCAN_BRANCHES", "main,topic") // the configuration reads the process environment
	got, log, err := runCI(t, r.Dir, db, vars("main", c1), action.Options{})
	if err != nil || len(got) != 0 {
		t.Fatalf("first pipeline of main: %v, events %v, want a baseline\n%s", err, keys(got), log)
	}
	r.Git("checkout", "-q", "-b", "topic")
	c2 := r.Commit("c2", map[string]string{"web/b.ts": "visitor.getFlag(\"topic_flag\", 1);\n"})
	got, log, err = runCI(t, r.Dir, db, vars("topic", c2), action.Options{})
	if err != nil || !slices.Equal(keys(got), []string{"Flag.new topic_flag"}) {
		t.Fatalf("new branch topic: %v, events %v\n%s", err, keys(got), log)
	}
}

func TestNoProvider(t *testing.T) {
	_, _, err := runCI(t, t.TempDir(), "", map[string]string{"CI": "true"}, action.Options{})
	if !cli.IsUsage(err) || !strings.Contains(err.Error(), "flagscan push") {
		t.Errorf("no provider: %v, want a usage error pointing at flagscan push", err)
	}
}
