// Package ci is flagscan ci: the run of flagscan action on any CI system.
// It reads the push (or the merge request) from the variables of the
// provider it detects and hands it to the action's analysis: deepening
// shallow clones, delivering within the budget, the outputs and summary.
package ci

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/action"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/scanner/git"
)

// The providers flagscan ci knows.
const (
	GitHub    = "GitHub Actions"
	GitLab    = "GitLab CI"
	Bitbucket = "Bitbucket Pipelines"
	Azure     = "Azure Pipelines"
	CircleCI  = "CircleCI"
	Jenkins   = "Jenkins"
)

// Run detects the provider, reads the run from its variables and analyzes it.
func Run(ctx context.Context, o action.Options, std cli.IO) error {
	lookup := o.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	p, err := Detect(lookup, o.Event)
	if err != nil {
		return err
	}
	fmt.Fprintf(std.Err, "flagscan: %s, %s of %s at %s\n", p.Provider, p.Event, cli.Printable(p.Ref), cli.Short(p.After))
	return action.RunPush(ctx, o, p, std)
}

// Detect returns the run the environment describes. event is the GitHub
// event payload when not $GITHUB_EVENT_PATH.
func Detect(lookup func(string) (string, bool), event string) (*action.Push, error) {
	e := env(lookup)
	switch {
	case e.get("GITHUB_ACTIONS") == "true":
		if event == "" {
			event = e.get("GITHUB_EVENT_PATH")
		}
		if event == "" {
			return nil, cli.Usagef("GitHub Actions without GITHUB_EVENT_PATH: give --event FILE")
		}
		return action.GitHubPush(event, lookup)
	case e.get("GITLAB_CI") == "true":
		return gitlab(e, lookup), nil
	case e.get("BITBUCKET_BUILD_NUMBER") != "":
		return bitbucket(e), nil
	case strings.EqualFold(e.get("TF_BUILD"), "true"):
		return azure(e), nil
	case e.get("CIRCLECI") == "true":
		return circleci(e), nil
	case e.get("JENKINS_URL") != "" || e.get("JENKINS_HOME") != "":
		return jenkins(e)
	}
	return nil, cli.Usagef("no CI provider in the environment (GitHub Actions, GitLab CI, Bitbucket Pipelines, Azure Pipelines, CircleCI, Jenkins): run flagscan push OLD NEW REF instead")
}

type env func(string) (string, bool)

func (e env) get(names ...string) string {
	for _, n := range names {
		if v, ok := cli.LookupNonEmpty(e, n); ok {
			return v
		}
	}
	return ""
}

// refOf returns the full ref of a tag or a branch.
func refOf(tag, branch string) string {
	if tag != "" {
		return "refs/tags/" + tag
	}
	if branch == "" || strings.HasPrefix(branch, "refs/") {
		return branch
	}
	return "refs/heads/" + branch
}

// gitlab reads GitLab CI's predefined variables. A push pipeline has the
// commit before the push (all zeros for a new branch); the first pipeline
// of the default branch, and pipelines of other sources, bring the stored
// snapshot up to the commit. A merge-request pipeline is a Request.
func gitlab(e env, lookup func(string) (string, bool)) *action.Push {
	p := &action.Push{
		Provider: GitLab, Event: e.get("CI_PIPELINE_SOURCE"),
		After:      e.get("CI_COMMIT_SHA"),
		Ref:        refOf(e.get("CI_COMMIT_TAG"), e.get("CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME")),
		PusherName: e.get("GITLAB_USER_LOGIN"), PusherEmail: e.get("GITLAB_USER_EMAIL"),
		Repository: e.get("CI_PROJECT_PATH"), DefaultBranch: e.get("CI_DEFAULT_BRANCH"),
	}
	if u := e.get("CI_PROJECT_URL"); u != "" {
		p.WebURL = strings.TrimSuffix(u, "/") + "/-"
	}
	if p.Event == "" {
		p.Event = "push"
	}
	if iid := e.get("CI_MERGE_REQUEST_IID"); iid != "" && p.Event == "merge_request_event" {
		n, _ := strconv.Atoi(iid)
		r := &action.Request{
			Forge: action.ForgeGitLab, Number: n,
			Base: e.get("CI_MERGE_REQUEST_DIFF_BASE_SHA"), MergeBase: true,
			Head:    e.get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "CI_COMMIT_SHA"),
			BaseRef: e.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"), HeadRef: e.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
			URL:    e.get("CI_MERGE_REQUEST_PROJECT_URL") + "/-/merge_requests/" + iid,
			APIURL: e.get("CI_API_V4_URL"), Project: e.get("CI_MERGE_REQUEST_PROJECT_ID", "CI_PROJECT_ID"),
			Token: e.get("FLAGSCAN_TOKEN", "GITLAB_TOKEN"),
		}
		if r.Base == "" {
			r.Base, r.MergeBase = e.get("CI_MERGE_REQUEST_TARGET_BRANCH_SHA"), false
		}
		p.Request, p.After, p.Ref = r, r.Head, refOf("", r.HeadRef)
		return p
	}
	if p.Event == "push" {
		p.Before = e.get("CI_COMMIT_BEFORE_SHA")
		branch, _ := strings.CutPrefix(p.Ref, "refs/heads/")
		if git.IsZeroID(p.Before) && (branch == p.DefaultBranch || p.Before == "") {
			p.Before = "" // a first pipeline: a baseline, not the whole history as new
		}
	}
	return p
}

// bitbucket reads Bitbucket Pipelines' default variables; they do not say
// what the branch pointed at before, so the snapshot is brought up to the
// commit. Bitbucket's web links are not GitHub's: set FLAGSCAN_WEB_URL
// for none.
func bitbucket(e env) *action.Push {
	return &action.Push{
		Provider: Bitbucket, Event: "push",
		After:      e.get("BITBUCKET_COMMIT"),
		Ref:        refOf(e.get("BITBUCKET_TAG"), e.get("BITBUCKET_BRANCH")),
		PusherName: e.get("BITBUCKET_STEP_TRIGGERER_UUID"),
		Repository: e.get("BITBUCKET_REPO_FULL_NAME"),
		// http://bitbucket.org/owner/name: the repository's page.
		WebURL: strings.Replace(e.get("BITBUCKET_GIT_HTTP_ORIGIN"), "http://", "https://", 1),
	}
}

// azure reads Azure Pipelines' predefined variables (as the environment
// has them: BUILD_SOURCEVERSION for Build.SourceVersion).
func azure(e env) *action.Push {
	p := &action.Push{
		Provider: Azure, Event: e.get("BUILD_REASON"),
		After: e.get("BUILD_SOURCEVERSION"), Ref: e.get("BUILD_SOURCEBRANCH"),
		PusherName: e.get("BUILD_REQUESTEDFOR"), PusherEmail: e.get("BUILD_REQUESTEDFOREMAIL"),
		Repository: e.get("BUILD_REPOSITORY_NAME"),
	}
	switch provider := e.get("BUILD_REPOSITORY_PROVIDER"); {
	case strings.EqualFold(provider, "GitHub"):
		p.WebURL = "https://github.com/" + p.Repository
	case strings.EqualFold(provider, "TfsGit"):
		// Azure Repos: https://dev.azure.com/org/project/_git/name
		p.WebURL = e.get("BUILD_REPOSITORY_URI")
	}
	return p
}

// circleci reads CircleCI's built-in variables.
func circleci(e env) *action.Push {
	p := &action.Push{
		Provider: CircleCI, Event: "push",
		After:      e.get("CIRCLE_SHA1"),
		Ref:        refOf(e.get("CIRCLE_TAG"), e.get("CIRCLE_BRANCH")),
		PusherName: e.get("CIRCLE_USERNAME"),
		WebURL:     webURL(e.get("CIRCLE_REPOSITORY_URL")),
	}
	if o, n := e.get("CIRCLE_PROJECT_USERNAME"), e.get("CIRCLE_PROJECT_REPONAME"); o != "" && n != "" {
		p.Repository = o + "/" + n
	}
	return p
}

// jenkins reads the Git plugin's variables: GIT_PREVIOUS_SUCCESSFUL_COMMIT
// (else GIT_PREVIOUS_COMMIT) is where the analysis starts when the store
// has no snapshot.
func jenkins(e env) (*action.Push, error) {
	branch := e.get("GIT_LOCAL_BRANCH", "BRANCH_NAME")
	if branch == "" {
		b := e.get("GIT_BRANCH")
		if i := strings.IndexByte(b, '/'); i > 0 && !strings.HasPrefix(b, "refs/") {
			b = b[i+1:] // origin/main
		}
		branch = b
	}
	p := &action.Push{
		Provider: Jenkins, Event: "push",
		After:      e.get("GIT_COMMIT"),
		Before:     e.get("GIT_PREVIOUS_SUCCESSFUL_COMMIT", "GIT_PREVIOUS_COMMIT"),
		Ref:        refOf(e.get("TAG_NAME"), branch),
		PusherName: e.get("GIT_COMMITTER_NAME", "GIT_AUTHOR_NAME"), PusherEmail: e.get("GIT_COMMITTER_EMAIL", "GIT_AUTHOR_EMAIL"),
		WebURL: webURL(e.get("GIT_URL")),
	}
	if p.After == "" {
		return nil, cli.Usagef("Jenkins without GIT_COMMIT: check out with the Git plugin (checkout scm)")
	}
	if p.WebURL != "" {
		p.Repository = strings.Join(strings.Split(strings.TrimSuffix(p.WebURL, "/-"), "/")[3:], "/")
	}
	return p, nil
}

// webURL is the web address of a GitHub or GitLab remote URL
// (https://host/owner/name.git or git@host:owner/name.git), "" for others.
func webURL(remote string) string {
	s := strings.TrimSuffix(remote, ".git")
	if rest, ok := strings.CutPrefix(s, "git@"); ok {
		s = "https://" + strings.Replace(rest, ":", "/", 1)
	}
	s = strings.Replace(s, "http://", "https://", 1)
	if !strings.HasPrefix(s, "https://") {
		return ""
	}
	if i := strings.Index(s[8:], "@"); i >= 0 {
		s = "https://" + s[8+i+1:] // credentials
	}
	host, path, _ := strings.Cut(s[8:], "/")
	if strings.Count(path, "/") < 1 {
		return ""
	}
	if strings.Contains(host, "gitlab") {
		return s + "/-"
	}
	if strings.Contains(host, "github") {
		return s
	}
	return ""
}
