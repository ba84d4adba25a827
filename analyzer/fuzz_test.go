package analyzer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/source"
)

// FuzzPush turns arbitrary bytes into a random history of random files
// (keys added, moved, removed, files deleted, flag calls broken) pushed in
// random ranges, and checks after every push that the stored snapshot's
// keys are those of a whole scan of the pushed commit, and that the events
// of all the pushes, replayed, give the same key set.
//
//	go test -run XXX -fuzz FuzzPush -fuzztime 10m ./analyzer/
func FuzzPush(f *testing.F) {
	f.Add([]byte{3, 1, 7, 2, 0, 9, 4, 4, 1})
	f.Add([]byte("a history of a few commits, pushed two at a time"))
	f.Add([]byte{0, 0, 0, 255, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	engine, err := scanner.NewEngine(rules.New(true, nil, nil), nil)
	if err != nil {
		f.Fatal(err)
	}
	whole := scanner.New(engine, scanner.Options{Workers: 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			ops = ops[:64] // a few commits: each costs git processes
		}
		next := func() int {
			if len(ops) == 0 {
				return 0
			}
			b := int(ops[0])
			ops = ops[1:]
			return b
		}
		r := newTestRepo(t)
		h := newHarness(t, r)
		a := h.analyzer()
		var commits []string
		present := map[string]bool{}
		for len(ops) > 0 && len(commits) < 8 {
			change := map[string]string{}
			onDisk := maps.Clone(present)
			for n := next()%3 + 1; n > 0; n-- {
				path := fmt.Sprintf("m%d/f%d.%s", next()%2, next()%4, []string{"js", "py", "go"}[next()%3])
				switch op := next() % 5; {
				case op == 0 && present[path]:
					change[path] = ""
					delete(present, path)
				case op == 1:
					change[path] = "visitor.getFlag(\"broken\", \n" // a call that does not close
					present[path] = true
				default:
					var keys []string
					for k := next() % 3; k > 0; k-- {
						keys = append(keys, fmt.Sprintf("key-%d", next()%6))
					}
					change[path] = flagJS(keys...) + "// filler\n"
					present[path] = true
				}
			}
			for p, c := range change {
				if c == "" && !onDisk[p] {
					delete(change, p) // written and removed in one commit: never on disk
				}
			}
			commits = append(commits, r.Commit(fmt.Sprintf("c%d", len(commits)), change))
		}
		if len(commits) == 0 {
			return
		}
		ctx := context.Background()
		replayed := map[string]bool{}
		old := git.ZeroID
		for i := 0; i < len(commits); {
			i += next()%3 + 1
			i = min(i, len(commits))
			tip := commits[i-1]
			out, err := a.Push(ctx, Update{Old: old, New: tip, Ref: "refs/heads/main"}, h.sink)
			if err != nil {
				t.Fatalf("push %s..%s: %v", old, tip, err)
			}
			for _, e := range out.Events {
				replayed[e.Body.FlagKey] = e.Body.Event == event.FlagNew
			}
			old = tip
			snap, err := store.LoadSnapshot(ctx, h.db, "test", "main")
			if err != nil || snap == nil || snap.Commit != tip {
				t.Fatalf("snapshot after the push to %s: %+v, %v", tip, snap, err)
			}
			src, err := source.Rev(r.Dir, tip)
			if err != nil {
				t.Fatal(err)
			}
			res, err := whole.Scan(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, ref := range res.References {
				want[ref.FlagKey] = true
			}
			got := maps.Keys(snap.Keys["default"])
			if g, w := slices.Sorted(got), slices.Sorted(maps.Keys(want)); !slices.Equal(g, w) {
				t.Fatalf("snapshot at %s has keys %q, a whole scan %q", tip, g, w)
			}
			var live []string
			for k, on := range replayed {
				if on {
					live = append(live, k)
				}
			}
			if w := slices.Sorted(maps.Keys(want)); !slices.Equal(slices.Sorted(slices.Values(live)), w) {
				t.Fatalf("the events so far give %q, a whole scan of %s %q", live, tip, w)
			}
		}
	})
}
