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

// links builds web links for commits and files, for forges that use
// GitHub's and GitLab's URL scheme: <base>/commit/<sha> and
// <base>/blob/<sha>/<path>#L<line>.
type links struct{ base string }

func (l links) commit(sha string) string {
	if l.base == "" {
		return ""
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
	return fmt.Sprintf("%s/blob/%s/%s#L%d", l.base, sha, strings.Join(segs, "/"), line)
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
