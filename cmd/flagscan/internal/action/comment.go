package action

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// comment posts body as the request's flagscan comment: it updates the
// comment a hidden marker finds, else posts one (unless there is nothing
// to say). It returns what it did.
func comment(ctx context.Context, r *Request, body string, changed bool) (string, error) {
	if r.Token == "" {
		if r.Forge == ForgeGitLab {
			return "", errors.New("no token: set FLAGSCAN_TOKEN or GITLAB_TOKEN to a token with the api scope")
		}
		return "", errors.New("no token: set FLAGSCAN_TOKEN or GITHUB_TOKEN (with permissions: pull-requests: write)")
	}
	f := forgeAPI(r)
	id, err := f.find(ctx)
	if err != nil {
		return "", err
	}
	switch {
	case id != "":
		return "updated the comment on", f.send(ctx, http.MethodPatch, id, body)
	case !changed:
		return "", nil // no change, and nothing said before: no comment
	}
	return "commented on", f.send(ctx, http.MethodPost, "", body)
}

// forge is the comment API of a forge.
type forge struct {
	client *http.Client
	// list is the URL of the request's comments; item that of one.
	list string
	item func(id string) string
	// auth sets the token's header.
	auth func(h http.Header)
	// update is the method that edits a comment.
	update string
}

func forgeAPI(r *Request) *forge {
	api := strings.TrimSuffix(r.APIURL, "/")
	f := &forge{client: &http.Client{Timeout: 30 * time.Second}}
	if r.Forge == ForgeGitLab {
		base := fmt.Sprintf("%s/projects/%s/merge_requests/%d/notes", api, url.PathEscape(r.Project), r.Number)
		f.list, f.update = base, http.MethodPut
		f.item = func(id string) string { return base + "/" + id }
		f.auth = func(h http.Header) { h.Set("PRIVATE-TOKEN", r.Token) }
		return f
	}
	f.list, f.update = fmt.Sprintf("%s/repos/%s/issues/%d/comments", api, r.Project, r.Number), http.MethodPatch
	f.item = func(id string) string { return fmt.Sprintf("%s/repos/%s/issues/comments/%s", api, r.Project, id) }
	f.auth = func(h http.Header) {
		h.Set("Authorization", "Bearer "+r.Token)
		h.Set("Accept", "application/vnd.github+json")
		h.Set("X-GitHub-Api-Version", "2022-11-28")
	}
	return f
}

// maxCommentPages bounds the pages of 100 comments searched for the marker.
const maxCommentPages = 50

// find returns the id of the comment holding the marker, "" for none.
func (f *forge) find(ctx context.Context) (string, error) {
	for page := 1; page <= maxCommentPages; page++ {
		var comments []struct {
			ID   int64  `json:"id"`
			Body string `json:"body"`
		}
		u := f.list + "?per_page=100&page=" + strconv.Itoa(page)
		if err := f.do(ctx, http.MethodGet, u, nil, &comments); err != nil {
			return "", err
		}
		for _, c := range comments {
			if strings.Contains(c.Body, requestMarker) {
				return strconv.FormatInt(c.ID, 10), nil
			}
		}
		if len(comments) < 100 {
			break
		}
	}
	return "", nil
}

// send posts a new comment (id "") or updates comment id.
func (f *forge) send(ctx context.Context, method, id, body string) error {
	u := f.list
	if id != "" {
		u, method = f.item(id), f.update
	}
	return f.do(ctx, method, u, map[string]string{"body": body}, nil)
}

func (f *forge) do(ctx context.Context, method, u string, in, out any) error {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	f.auth(req.Header)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		msg := strings.TrimSpace(string(data))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		hint := ""
		if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound {
			hint = " (does the token allow commenting?)"
		}
		return fmt.Errorf("%s %s: %s%s: %s", method, req.URL.Path, resp.Status, hint, msg)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
		}
	}
	return nil
}
