package analyzer

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// TestPushFromStoredKeys: a push starts from the references its stored
// snapshot's keys hold for the files it does not change, instead of
// reading every file's result from the blob cache. Over a random history
// (two environments, one covering part of the other, files no environment
// covers, several keys and the same key twice on one line, a constants
// module and its uses, links, an environment's paths changed halfway),
// pushed in random ranges, every event is
// the same, byte for byte, as that of the same pushes made with the
// snapshot read from the blob cache, and the blob cache is read less.
func TestPushFromStoredKeys(t *testing.T) {
	r := newTestRepo(t)
	stored, blobs := newHarness(t, r), newHarness(t, r)
	for _, h := range []*harness{stored, blobs} {
		h.opts.WebURL = "https://github.com/acme/app"
		h.opts.Now = func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }
		h.opts.Environments = []Environment{
			{ID: "prod", Name: "production", Match: func(p string) bool { return !strings.HasPrefix(p, "tools/") }},
			{ID: "checkout", Name: "checkout", Match: func(p string) bool { return strings.HasPrefix(p, "checkout/") }},
		}
	}
	rnd := rand.New(rand.NewSource(10))
	dirs := []string{"web", "checkout", "tools"}
	key := func() string { return fmt.Sprintf("k%d", rnd.Intn(6)) }
	file := func() string {
		var b strings.Builder
		b.WriteString("// generated\n")
		for n := rnd.Intn(4); n > 0; n-- {
			switch rnd.Intn(4) {
			case 0: // two calls on one line
				fmt.Fprintf(&b, "visitor.getFlag(%q, false); visitor.getFlag(%q, true);\n", key(), key())
			case 1:
				b.WriteString("const x = 1;\n")
			default:
				fmt.Fprintf(&b, "visitor.getFlag(%q, false);\n", key())
			}
		}
		return b.String()
	}
	commits := []string{r.Commit("base", map[string]string{
		"web/flags.ts":    flagsTS("checkout-v1"),
		"web/use.ts":      useTS("CHECKOUT"),
		"checkout/use.ts": strings.Replace(useTS("SEARCH"), "./flags", "../web/flags", 1),
		"web/a.js":        file(),
		"checkout/a.js":   file(),
		"tools/a.js":      file(),
	})}
	for i := 0; i < 24; i++ {
		files := map[string]string{}
		for n := 1 + rnd.Intn(3); n > 0; n-- {
			p := fmt.Sprintf("%s/%c.js", dirs[rnd.Intn(len(dirs))], 'a'+rnd.Intn(3))
			files[p] = file()
		}
		if rnd.Intn(5) == 0 {
			files["web/flags.ts"] = flagsTS(fmt.Sprintf("checkout-v%d", i))
		}
		if rnd.Intn(4) == 0 {
			files["web/use.ts"] = useTS([]string{"CHECKOUT", "SEARCH"}[rnd.Intn(2)])
		}
		commits = append(commits, r.Commit(fmt.Sprintf("change %d", i), files))
	}
	var cachedStored, cachedBlobs int
	old := zero
	for at := 0; at < len(commits); at += 1 + rnd.Intn(3) {
		if at > len(commits)/2 {
			// The configuration changes: the stored keys are those of
			// environments that covered other paths.
			for _, h := range []*harness{stored, blobs} {
				h.opts.Environments[1].Match = func(p string) bool { return !strings.HasPrefix(p, "checkout/") }
			}
		}
		u := Update{Old: old, New: commits[at], Ref: "refs/heads/main"}
		var got [2][]string
		for i, h := range []*harness{stored, blobs} {
			out, err := h.analyzer().Push(context.Background(), u, h.sink)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range out.Events {
				body, err := json.Marshal(e.Body)
				if err != nil {
					t.Fatal(err)
				}
				got[i] = append(got[i], e.ID+" "+string(body))
			}
			if h == blobs {
				// As a store of the previous version would say: the
				// snapshot may hold use files it does not list.
				if _, err := h.db.Exec(`UPDATE snapshots SET uses_kept = 0`); err != nil {
					t.Fatal(err)
				}
				cachedBlobs += out.Cached
			} else {
				cachedStored += out.Cached
			}
		}
		equal(t, fmt.Sprintf("push to commit %d", at), got[0], got[1])
		old = commits[at]
	}
	if cachedStored >= cachedBlobs {
		t.Errorf("pushes from the stored keys read %d results from the blob cache, from the blob cache %d: want fewer", cachedStored, cachedBlobs)
	}
}
