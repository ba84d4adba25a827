package action

import (
	"encoding/json"
	"os"

	"github.com/flagscan/flagscan/analyzer"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/scanner/git"
)

// Push is what a CI run analyzes, as its provider reports it: a push (a
// ref update), a run of another kind on a branch (a schedule, a manual
// run: the stored snapshot is brought up to the commit), or a pull or
// merge request (Request).
type Push struct {
	Provider string // "GitHub Actions", "GitLab CI", ...
	Event    string // "push", or what else triggered the run
	// Before is the ref's commit before the push, all zeros for a new
	// branch, "" when the provider does not say: the analysis then starts
	// from the stored snapshot. After is the commit of the run.
	Before, After, Ref string
	Forced             bool
	Commits            int // commits the push brings, when known (to deepen a shallow clone)
	PusherName         string
	PusherEmail        string
	Repository, WebURL string // the repository's name (owner/name) and web address
	DefaultBranch      string
	Request            *Request
}

// Request is a pull or merge request: the change from the merge base of
// Base and Head to Head.
type Request struct {
	Forge  string // ForgeGitHub or ForgeGitLab
	Number int    // the pull request's number, the merge request's iid
	// Base and Head are the commits of the target and source branches;
	// with MergeBase set, Base is their merge base already.
	Base, Head       string
	MergeBase        bool
	BaseRef, HeadRef string // the branches
	URL              string
	// APIURL, Project and Token are what commenting needs: the REST API's
	// root, the repository (owner/name, or GitLab's project id) and a
	// token allowed to comment.
	APIURL, Project, Token string
}

// The forges pull- and merge-request comments are posted to.
const (
	ForgeGitHub = "github"
	ForgeGitLab = "gitlab"
)

// CatchUp reports whether the run brings the stored snapshot up to After
// rather than analyzing a known ref update.
func (p *Push) CatchUp() bool { return p.Before == "" }

// update is the ref update the run analyzes.
func (p *Push) update() (analyzer.Update, error) {
	if p.Ref == "" || p.After == "" {
		return analyzer.Update{}, cli.Usagef("%s: the run's commit and ref are not known", p.Provider)
	}
	before, after := p.Before, p.After
	if before == "" {
		before = after
	}
	u, err := analyzer.ParseUpdate(before + " " + after + " " + p.Ref)
	if err != nil {
		return u, cli.Usagef("%s: %v", p.Provider, err)
	}
	return u, nil
}

// githubEvent is what flagscan reads of a GitHub event payload.
type githubEvent struct {
	Ref     string `json:"ref"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Forced  bool   `json:"forced"`
	Commits []struct {
		ID string `json:"id"`
	} `json:"commits"`
	Pusher struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"pusher"`
	Repository struct {
		FullName      string `json:"full_name"`
		HTMLURL       string `json:"html_url"`
		DefaultBranch string `json:"default_branch"`
		MasterBranch  string `json:"master_branch"`
	} `json:"repository"`
	PullRequest *struct {
		Number  int    `json:"number"`
		HTMLURL string `json:"html_url"`
		Base    struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"base"`
		Head struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"head"`
	} `json:"pull_request"`
	Sender struct {
		Login string `json:"login"`
	} `json:"sender"`
}

// GitHubPush reads the run of a GitHub Actions job: the event payload at
// path, and $GITHUB_EVENT_NAME, $GITHUB_SHA and $GITHUB_REF for events
// other than push and pull_request.
func GitHubPush(path string, lookup func(string) (string, bool)) (*Push, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, cli.Usagef("event payload: %v", err)
	}
	var ev githubEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, cli.Usagef("event payload %s: %v", path, err)
	}
	get := func(name string) string { v, _ := cli.LookupNonEmpty(lookup, name); return v }
	p := &Push{
		Provider: "GitHub Actions", Event: get("GITHUB_EVENT_NAME"),
		Repository: ev.Repository.FullName, WebURL: ev.Repository.HTMLURL,
		DefaultBranch: ev.Repository.DefaultBranch,
		PusherName:    ev.Pusher.Name, PusherEmail: ev.Pusher.Email,
	}
	if p.DefaultBranch == "" {
		p.DefaultBranch = ev.Repository.MasterBranch
	}
	if p.Event == "" {
		p.Event = "push"
	}
	if p.PusherName == "" {
		p.PusherName = get("GITHUB_ACTOR")
	}
	switch {
	case p.Event == "push":
		p.Before, p.After, p.Ref, p.Forced, p.Commits = ev.Before, ev.After, ev.Ref, ev.Forced, len(ev.Commits)
		if p.Before == "" {
			p.Before = git.ZeroID
		}
		if p.After == "" {
			p.After = git.ZeroID
		}
	case ev.PullRequest != nil:
		pr := ev.PullRequest
		p.Request = &Request{
			Forge: ForgeGitHub, Number: pr.Number, Base: pr.Base.SHA, Head: pr.Head.SHA,
			BaseRef: pr.Base.Ref, HeadRef: pr.Head.Ref, URL: pr.HTMLURL,
			APIURL: get("GITHUB_API_URL"), Project: ev.Repository.FullName, Token: githubToken(lookup),
		}
		if p.Request.APIURL == "" {
			p.Request.APIURL = "https://api.github.com"
		}
		if p.PusherName == "" {
			p.PusherName = ev.Sender.Login
		}
		p.After, p.Ref = pr.Head.SHA, "refs/heads/"+pr.Head.Ref
	default:
		p.After, p.Ref = get("GITHUB_SHA"), get("GITHUB_REF")
		if p.After == "" || p.Ref == "" {
			return nil, cli.Usagef("a %s event: GITHUB_SHA and GITHUB_REF must be set", p.Event)
		}
	}
	return p, nil
}

// githubToken is the token for the pull-request comment: FLAGSCAN_TOKEN,
// else GITHUB_TOKEN.
func githubToken(lookup func(string) (string, bool)) string {
	for _, n := range []string{"FLAGSCAN_TOKEN", "GITHUB_TOKEN"} {
		if v, ok := cli.LookupNonEmpty(lookup, n); ok {
			return v
		}
	}
	return ""
}
