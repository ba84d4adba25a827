package main

import (
	"fmt"
	"maps"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// historyEnvironments are the environments of the differential history:
// files move between them when they move between web/ and api/.
const historyEnvironments = `environments:
  - {id: web, name: web, paths: ["web/**"]}
  - {id: api, name: api, paths: ["api/**", "big/**"]}
`

// envOf is the environment of a path under historyEnvironments.
func envOf(path string) string {
	if strings.HasPrefix(path, "web/") {
		return "web"
	}
	return "api"
}

// history writes a fast-import stream of a random first-parent history
// of n commits on main: files added, changed, deleted, renamed, moved
// between environments, a directory big/ of 1,250 files (a tree over 64
// KiB) that keeps changing, and merges of side branches. Keys come from a
// pool of 400, so that most changes change the key sets.
func history(seed int64, n int) string {
	rng := rand.New(rand.NewSource(seed))
	var b strings.Builder
	mark := 0
	next := func() int { mark++; return mark }
	files := map[string]string{} // path -> content
	blob := func(content string) int {
		m := next()
		fmt.Fprintf(&b, "blob\nmark :%d\ndata %d\n%s\n", m, len(content), content)
		return m
	}
	keys := func() string {
		var s strings.Builder
		for range 1 + rng.Intn(3) {
			fmt.Fprintf(&s, "visitor.getFlag(\"key%d\").getValue(false);\n", rng.Intn(400))
		}
		return s.String()
	}
	when := int64(1700000000)
	commit := func(ref, msg string, from, merge int, changes []string) int {
		m := next()
		when += 60
		fmt.Fprintf(&b, "commit %s\nmark :%d\nauthor Ada <ada@example.com> %d +0000\ncommitter Ada <ada@example.com> %d +0000\ndata %d\n%s\n", ref, m, when, when, len(msg), msg)
		if from > 0 {
			fmt.Fprintf(&b, "from :%d\n", from)
		}
		if merge > 0 {
			fmt.Fprintf(&b, "merge :%d\n", merge)
		}
		for _, c := range changes {
			b.WriteString(c + "\n")
		}
		b.WriteString("\n")
		return m
	}
	put := func(path, content string) string {
		files[path] = content
		return fmt.Sprintf("M 100644 :%d %s", blob(content), path)
	}

	// big/ is mostly files flagscan does not read (so that 500 scans
	// stay quick), its tree still read at every commit.
	bigFile := func(i int) string {
		if i%25 == 0 {
			return fmt.Sprintf("big/component_%05d_settings.ts", i)
		}
		return fmt.Sprintf("big/component_%05d_settings.md", i)
	}
	var changes []string
	for i := range 1250 {
		content := fmt.Sprintf("Component %d.\n", i)
		if i%25 == 0 {
			content = keys()
		}
		changes = append(changes, put(bigFile(i), content))
	}
	for i := range 20 {
		changes = append(changes, put(fmt.Sprintf("%s/f%d.ts", []string{"web", "api"}[i%2], i), keys()))
	}
	tip := commit("refs/heads/main", "initial", 0, 0, changes)
	fileCount := 20
	for c := 1; c < n; c++ {
		paths := slices.Sorted(maps.Keys(files))
		pick := func() string { return paths[rng.Intn(len(paths))] }
		changes = nil
		for range 1 + rng.Intn(3) {
			switch op := rng.Intn(10); {
			case op < 3: // change a file's keys
				changes = append(changes, put(pick(), keys()))
			case op < 5: // add a file
				fileCount++
				changes = append(changes, put(fmt.Sprintf("%s/n%d.ts", []string{"web", "api", "web/deep"}[rng.Intn(3)], fileCount), keys()))
			case op < 6: // delete a file
				p := pick()
				if strings.HasPrefix(p, "big/") {
					continue
				}
				delete(files, p)
				changes = append(changes, "D "+p)
			case op < 8: // rename, often into the other environment
				p := pick()
				if strings.HasPrefix(p, "big/") || slices.Contains(changes, "D "+p) {
					continue
				}
				fileCount++
				dir := []string{"web", "api"}[rng.Intn(2)]
				np := fmt.Sprintf("%s/moved%d.ts", dir, fileCount)
				files[np] = files[p]
				delete(files, p)
				changes = append(changes, fmt.Sprintf("R %s %s", p, np))
			default: // a file of big/
				i := rng.Intn(1250)
				changes = append(changes, put(bigFile(i), keys()))
			}
		}
		if c%25 == 0 {
			// A side branch of two commits, merged: the merge brings
			// their changes onto the first-parent line.
			side := commit("refs/heads/side", fmt.Sprintf("side %d", c), tip, 0, []string{put(fmt.Sprintf("web/side%d.ts", c), keys())})
			p := pick()
			side = commit("refs/heads/side", fmt.Sprintf("side %d again", c), side, 0, []string{put(p, keys())})
			changes = append(changes, fmt.Sprintf("M 100644 :%d web/side%d.ts", mark-3, c), fmt.Sprintf("M 100644 :%d %s", mark-1, p))
			tip = commit("refs/heads/main", fmt.Sprintf("merge side %d", c), tip, side, changes)
			continue
		}
		tip = commit("refs/heads/main", fmt.Sprintf("commit %d", c), tip, 0, changes)
	}
	return b.String()
}

// TestDifferentialHistory: over a 500-commit history written with git
// fast-import and packed as servers and clones pack it, flagscan log
// equals, at every consecutive pair of first-parent commits, the
// difference of the key sets flagscan scan --rev finds; and the same
// history pushed through the installed hooks delivers exactly those
// transitions.
func TestDifferentialHistory(t *testing.T) {
	n := 500
	if testing.Short() {
		n = 60
	}
	src := gittest.Init(t, t.TempDir(), "--bare")
	gittest.FastImport(t, src.Dir, history(1, n))
	line := strings.Fields(gittest.Run(t, src.Dir, "rev-list", "--first-parent", "--reverse", "main"))
	if len(line) != n {
		t.Fatalf("%d first-parent commits, want %d", len(line), n)
	}
	cfg := writeConfig(t, t.TempDir(), historyEnvironments)

	// The fetched clone: half the history cloned, the rest fetched as a
	// thin pack kept as it came.
	fetched := filepath.Join(t.TempDir(), "fetched.git")
	gittest.Run(t, src.Dir, "clone", "-q", "--bare", "--no-local", src.Dir, fetched)
	gittest.Run(t, fetched, "update-ref", "refs/heads/main", line[n/2])
	gittest.Run(t, fetched, "repack", "-q", "-adf")
	gittest.Run(t, fetched, "-c", "fetch.unpackLimit=1", "fetch", "-q", "file://"+src.Dir, "+refs/heads/main:refs/heads/main")

	// Expected: the differences of scan --rev at consecutive commits.
	want, keysAt := map[string][]string{}, map[string][]string{}
	prev := []string(nil)
	for _, c := range line {
		keys := scanKeys(t, fetched, c, envOf)
		keysAt[c] = keys
		if d := transitions(prev, keys); len(d) > 0 {
			want[c] = d
		}
		prev = keys
	}
	if len(want) < n/4 {
		t.Fatalf("only %d commits change keys: the history does not test much", len(want))
	}

	shapes := map[string]string{"fast-import": src.Dir, "fetched thin pack": fetched}
	for _, args := range [][]string{{"gc", "-q", "--aggressive"}, {"repack", "-q", "-adf"}} {
		dir := filepath.Join(t.TempDir(), "repacked.git")
		gittest.Run(t, src.Dir, "clone", "-q", "--bare", "--no-local", fetched, dir)
		gittest.Run(t, dir, args...)
		shapes[strings.Join(args[:1], " ")] = dir
	}
	for name, dir := range shapes {
		t.Run(name, func(t *testing.T) {
			got := logEvents(t, dir, cfg)
			for _, c := range line {
				if !slices.Equal(got[c], want[c]) {
					t.Errorf("commit %s: log %q, scans %q", c[:10], got[c], want[c])
				}
			}
			if len(got) != len(want) {
				t.Errorf("log has events at %d commits, the scans at %d", len(got), len(want))
			}
		})
	}

	t.Run("hooks", func(t *testing.T) {
		bin := hookBinary(t)
		s := newHookServer(t, bin, historyEnvironments)
		s.git(s.bare, "config", "receive.unpackLimit", "1")
		// Pushed in steps of 50 commits: each push delivers the
		// difference of the key sets at its two ends.
		step := 50
		prev := []string(nil)
		for i := step - 1; i < n+step-1; i += step {
			i = min(i, n-1)
			if out, err := s.run(fetched, "git", "push", "-q", s.bare, line[i]+":refs/heads/main"); err != nil {
				t.Fatalf("push up to commit %d: %v\n%s", i, err, out)
			}
			keys := keysAt[line[i]]
			var evs []string
			for _, tr := range transitions(prev, keys) {
				evs = append(evs, strings.Replace(tr, "@", "@main@", 1))
			}
			s.expect(fmt.Sprintf("push up to commit %d", i), receiverForm(evs)...)
			prev = keys
		}
	})
}

// receiverForm turns "event key@main@env" into the receiver's "event
// key@branch": it does not see environments.
func receiverForm(evs []string) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e[:strings.LastIndex(e, "@")]
	}
	return out
}
