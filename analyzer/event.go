package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
)

// Event types of the Flagship webhook contract.
const (
	FlagNew     = "Flag.new"
	FlagDeleted = "Flag.deleted"
)

// DateLayout is the layout of an event's date: ISO-8601 with a numeric
// offset, never "Z", as the contract's example has it:
// 2005-08-15T15:52:01+00:00.
const DateLayout = "2006-01-02T15:04:05-07:00"

// Contract is the fields of the Flagship webhook contract's event body, in
// the contract's order.
type Contract struct {
	Event           string `json:"event"`
	UserID          string `json:"user_id"`
	UserEmail       string `json:"user_email"`
	UserRole        string `json:"user_role"`
	Date            string `json:"date"` // formatted with DateLayout
	AccountID       string `json:"account_id"`
	AccountName     string `json:"account_name"`
	EnvironmentID   string `json:"environment_id"`
	EnvironmentName string `json:"environment_name"`
	FlagKey         string `json:"flag_key"`
}

// Body is the JSON body of a Flag.new or Flag.deleted event: the contract's
// fields, then the documented additions (docs/events.md).
type Body struct {
	Contract

	Repository string      `json:"repository"`
	Branch     string      `json:"branch"`
	Commit     Commit      `json:"commit"`
	References []Reference `json:"references"`
}

// Commit is the commit that introduced or removed a key.
type Commit struct {
	SHA         string `json:"sha"`
	AuthorName  string `json:"author_name"`
	AuthorEmail string `json:"author_email"`
	Time        string `json:"time"`
	Message     string `json:"message"`
	URL         string `json:"url,omitempty"`
}

// Reference is where a key is referenced: for Flag.new its references, for
// Flag.deleted the last ones it had.
type Reference struct {
	Path string `json:"path"`
	Line int    `json:"line"`
	Code string `json:"code"`
	URL  string `json:"url,omitempty"`
}

// Event is one event as written to the outbox.
type Event struct {
	ID   string // stable: the same transition analyzed twice has the same id
	Body Body
}

// eventID derives an event's id from what identifies the transition, so
// that analyzing the same push twice, or again after losing the database,
// names the same event.
func eventID(repo, branch, env, typ, key, commit string) string {
	h := sha256.New()
	for _, part := range []string{repo, branch, env, typ, key, commit} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "flg_" + hex.EncodeToString(h.Sum(nil)[:16])
}

func formatDate(t time.Time) string { return t.Format(DateLayout) }

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

func commitOf(c *git.Commit, l links) Commit {
	return Commit{
		SHA:         c.ID.String(),
		AuthorName:  c.Author.Name,
		AuthorEmail: c.Author.Email,
		Time:        formatDate(c.Author.When),
		Message:     strings.TrimSpace(c.Message),
		URL:         l.commit(c.ID.String()),
	}
}

// eventRefs turns scanner references into event references, linked at sha.
func eventRefs(refs []scanner.Reference, sha string, l links) []Reference {
	out := make([]Reference, 0, len(refs))
	for _, r := range refs {
		out = append(out, Reference{Path: r.Path, Line: r.Line, Code: r.Code, URL: l.line(sha, r.Path, r.Line)})
	}
	return out
}
