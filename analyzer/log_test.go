package analyzer

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"

	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git/gittest"
	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/source"
)

// TestLogMatchesWholeScans builds a random history and checks that Log
// gives, commit by commit, exactly the transitions found by scanning each
// commit whole and diffing the key sets.
func TestLogMatchesWholeScans(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	rnd := rand.New(rand.NewSource(7))
	files := map[string][]string{} // path -> keys
	var commits []string
	for i := 0; i < 25; i++ {
		change := map[string]string{}
		for n := 1 + rnd.Intn(3); n > 0; n-- {
			path := fmt.Sprintf("src/m%d/f%d.js", rnd.Intn(3), rnd.Intn(6))
			switch op := rnd.Intn(4); {
			case op == 0 && len(files[path]) > 0: // delete the file
				delete(files, path)
				change[path] = ""
			default: // rewrite it with a few keys from a small pool
				var keys []string
				for k := rnd.Intn(3); k > 0; k-- {
					keys = append(keys, fmt.Sprintf("key-%d", rnd.Intn(8)))
				}
				if len(keys) == 0 {
					files[path] = []string{}
					change[path] = "// no flags here\n"
				} else {
					files[path] = keys
					change[path] = flagJS(keys...)
				}
			}
		}
		for p, c := range change {
			if c == "" && !fileExists(r, p) {
				delete(change, p)
			}
		}
		commits = append(commits, r.Commit(fmt.Sprintf("commit %d", i), change))
	}

	// Replayed in windows of one blob, of a few and of the default size:
	// the windows must not show.
	logs := map[int][]string{}
	for _, window := range []int{1, 3, replayWindow} {
		a := h.analyzer()
		a.window = window
		err := a.Log(context.Background(), "main", "", commits[len(commits)-1], func(e event.Event) error {
			logs[window] = append(logs[window], e.Body.Commit.SHA[:8]+" "+e.Body.Event+" "+e.Body.FlagKey)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got := logs[replayWindow]
	for _, window := range []int{1, 3} {
		if !slices.Equal(logs[window], got) {
			t.Errorf("log in windows of %d:\n%s\nin one window:\n%s", window, strings.Join(logs[window], "\n"), strings.Join(got, "\n"))
		}
	}

	engine, err := scanner.NewEngine(rules.New(true, nil, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := scanner.New(engine, scanner.Options{})
	var want []string
	prev := map[string]bool{}
	for _, c := range commits {
		src, err := source.Rev(r.Dir, c)
		if err != nil {
			t.Fatal(err)
		}
		res, err := sc.Scan(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for _, ref := range res.References {
			keys[ref.FlagKey] = true
		}
		var lines []string
		for k := range keys {
			if !prev[k] {
				lines = append(lines, c[:8]+" Flag.new "+k)
			}
		}
		for k := range prev {
			if !keys[k] {
				lines = append(lines, c[:8]+" Flag.deleted "+k)
			}
		}
		slices.Sort(lines)
		want = append(want, lines...)
		prev = keys
	}
	// Log gives each commit's events sorted by key; compare as sets per
	// commit by sorting within commits the same way.
	sortWithinCommits(got)
	sortWithinCommits(want)
	if len(want) < 10 {
		t.Fatalf("the random history has only %d transitions: not a test", len(want))
	}
	if !slices.Equal(got, want) {
		t.Errorf("log:\n%s\nwhole scans:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func fileExists(r *gittest.Repo, path string) bool {
	return r.Git("ls-files", path) != ""
}

// sortWithinCommits sorts lines "sha event key" by key within runs of the
// same sha, keeping the order of commits.
func sortWithinCommits(lines []string) {
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && lines[j][:8] == lines[i][:8] {
			j++
		}
		slices.Sort(lines[i:j])
		i = j
	}
}
