package analyzer

import (
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"net/url"
	"strings"
	"time"

	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
)

func formatDate(t time.Time) string { return t.Format(event.DateLayout) }

// links builds web links for commits and files in the URL scheme of the
// repository's forge, told by its host: Bitbucket Cloud
// (<base>/commits/<sha>, <base>/src/<sha>/<path>#lines-<n>), Azure Repos
// (<base>/commit/<sha>, <base>?path=/<path>&version=GC<sha>&line=<n>),
// else GitHub's and GitLab's (<base>/commit/<sha>,
// <base>/blob/<sha>/<path>#L<n>).
type links struct {
	base  string
	forge string // "bitbucket", "azure" or "" (GitHub and GitLab)
}

func newLinks(base string) links {
	base = strings.TrimSuffix(base, "/")
	l := links{base: base}
	if u, err := url.Parse(base); err == nil {
		switch h := strings.ToLower(u.Hostname()); {
		case h == "bitbucket.org":
			l.forge = "bitbucket"
		case h == "dev.azure.com" || strings.HasSuffix(h, ".visualstudio.com"):
			l.forge = "azure"
		}
	}
	return l
}

func (l links) commit(sha string) string {
	switch {
	case l.base == "":
		return ""
	case l.forge == "bitbucket":
		return l.base + "/commits/" + sha
	}
	return l.base + "/commit/" + sha
}

func (l links) line(sha, path string, line int) string {
	if l.base == "" {
		return ""
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	p := strings.Join(segs, "/")
	switch l.forge {
	case "bitbucket":
		return fmt.Sprintf("%s/src/%s/%s#lines-%d", l.base, sha, p, line)
	case "azure":
		return fmt.Sprintf("%s?path=/%s&version=GC%s&line=%d", l.base, p, sha, line)
	}
	return fmt.Sprintf("%s/blob/%s/%s#L%d", l.base, sha, p, line)
}

func commitOf(c *git.Commit, l links) event.Commit {
	return event.Commit{
		SHA:         c.ID.String(),
		AuthorName:  c.Author.Name,
		AuthorEmail: c.Author.Email,
		Time:        formatDate(c.Author.When),
		Message:     event.ClipMessage(strings.TrimSpace(c.Message)),
		URL:         l.commit(c.ID.String()),
	}
}

// eventRefs turns scanner references into event references, linked at sha.
func eventRefs(refs []scanner.Reference, sha string, l links) []event.Reference {
	out := make([]event.Reference, 0, len(refs))
	for _, r := range refs {
		out = append(out, event.Reference{Path: r.Path, Line: r.Line, Code: r.Code, URL: l.line(sha, r.Path, r.Line)})
	}
	return out
}
