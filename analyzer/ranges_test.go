package analyzer

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// rangeHistory commits n changes to a test repository, each rewriting one
// of a few files with keys drawn from a small pool, so that keys come and
// go, also within a range of a few commits. It returns the commit ids,
// the base first.
func rangeHistory(t *testing.T, h *harness, seed int64, n int) []string {
	t.Helper()
	rnd := rand.New(rand.NewSource(seed))
	shas := []string{h.repo.Commit("base", map[string]string{"a.js": flagJS("k0", "k1")})}
	for i := 1; i <= n; i++ {
		var keys []string
		for k := 0; k < 6; k++ {
			if rnd.Intn(3) == 0 {
				keys = append(keys, fmt.Sprintf("k%d", k))
			}
		}
		file := fmt.Sprintf("%c.js", 'a'+rnd.Intn(3))
		shas = append(shas, h.repo.Commit(fmt.Sprintf("c%d", i), map[string]string{file: flagJS(keys...)}))
	}
	return shas
}

// eventIDs returns the ids of the events the harness's sink recorded, sorted.
func (h *harness) eventIDs() []string {
	h.t.Helper()
	rows, err := h.db.Query(`SELECT id || ' ' || event || ' ' || key || ' ' || sha FROM test_events ORDER BY 1`)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestPushRangesAnyOrderReportEachTransitionOnce pushes the same ranges of
// one history in every order onto a fresh store: each order reports
// exactly the events of the in-order run, and the snapshot ends at the tip.
// It is the case of issue 9: C100..C150, then C0..C50, then C50..C100 lost
// the last range, because the snapshot only knew the oldest commit a run
// had started from, not which ranges were analysed.
func TestPushRangesAnyOrderReportEachTransitionOnce(t *testing.T) {
	repo := newTestRepo(t)
	first := newHarness(t, repo)
	shas := rangeHistory(t, first, 1, 12)
	ranges := [][2]int{{0, 4}, {4, 8}, {8, 12}}
	for _, r := range ranges {
		first.push(shas[r[0]], shas[r[1]])
	}
	want := first.eventIDs()
	if len(want) == 0 {
		t.Fatal("the history has no transitions")
	}
	for _, order := range [][]int{{2, 0, 1}, {1, 2, 0}, {2, 1, 0}, {0, 2, 1}, {1, 0, 2}} {
		h := newHarness(t, repo)
		for _, i := range order {
			h.push(shas[ranges[i][0]], shas[ranges[i][1]])
		}
		// Pushed again, in any order, they report nothing more.
		for _, i := range order {
			h.push(shas[ranges[i][0]], shas[ranges[i][1]])
		}
		equal(t, fmt.Sprintf("events of order %v", order), h.eventIDs(), want)
		snap, err := store.LoadSnapshot(context.Background(), h.db, "test", "main")
		if err != nil || snap == nil || snap.Commit != shas[12] {
			t.Errorf("order %v: snapshot %+v, %v; want it at the tip", order, snap, err)
		}
	}
}

// TestPushRangeAheadOfSnapshotLeavesTheGap: a run that arrives before the
// one for the range just below it reports only its own range and moves
// the snapshot; the late run then reports the range between.
func TestPushRangeAheadOfSnapshotLeavesTheGap(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", nil)
	c1 := r.Commit("one", map[string]string{"a.js": flagJS("first")})
	r.Commit("two", map[string]string{"b.js": flagJS("between")})
	c3 := r.Commit("three", map[string]string{"a.js": flagJS("first", "also-between")})
	c4 := r.Commit("four", map[string]string{"c.js": flagJS("last")})
	equal(t, "first range", h.push(c0, c1), []string{"Flag.new first"})
	equal(t, "range ahead", h.push(c3, c4), []string{"Flag.new last"})
	equal(t, "the range between, late", h.push(c1, c3), []string{"Flag.new also-between", "Flag.new between"})
	equal(t, "all of it again", h.push(c0, c4), nil)
}

// TestPushStressOutOfOrderRanges runs the ranges of one history as
// concurrent pushes from 8 processes onto a fresh store, several times:
// every transition the in-order run reports is reported exactly once, and
// nothing else is.
func TestPushStressOutOfOrderRanges(t *testing.T) {
	if os.Getenv("FLAGSCAN_TEST_RANGE_PUSH") != "" {
		return // a child process: see rangePushChild
	}
	trials := 6
	if testing.Short() {
		trials = 2
	}
	repo := newTestRepo(t)
	ordered := newHarness(t, repo)
	shas := rangeHistory(t, ordered, 2, 24)
	const procs = 8
	step := (len(shas) - 1) / procs
	for i := 0; i < procs; i++ {
		ordered.push(shas[i*step], shas[(i+1)*step])
	}
	want := ordered.eventIDs()
	for trial := 0; trial < trials; trial++ {
		h := newHarness(t, repo)
		cmds := make([]*exec.Cmd, procs)
		outs := make([]strings.Builder, procs)
		for i := range cmds {
			cmds[i] = exec.Command(os.Args[0], "-test.run=^TestRangePushChild$", "-test.v")
			cmds[i].Env = append(os.Environ(), "FLAGSCAN_TEST_RANGE_PUSH="+strings.Join([]string{repo.Dir, h.dbPath, shas[i*step], shas[(i+1)*step]}, ","))
			cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
			if err := cmds[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("process %d: %v\n%s", i, err, outs[i].String())
			}
		}
		got := h.eventIDs()
		if !slices.Equal(got, want) {
			t.Errorf("trial %d: %d events, want %d:\n%s", trial, len(got), len(want), diffLines(got, want))
		}
	}
}

// TestRangePushChild is one process of TestPushStressOutOfOrderRanges.
func TestRangePushChild(t *testing.T) {
	arg := os.Getenv("FLAGSCAN_TEST_RANGE_PUSH")
	if arg == "" {
		t.Skip("run by TestPushStressOutOfOrderRanges")
	}
	f := strings.Split(arg, ",")
	h := &harness{t: t, repo: &gittest.Repo{TB: t, Dir: f[0]}, dbPath: f[1]}
	h.open()
	h.push(f[2], f[3])
}

// diffLines lists the lines only one of two sorted lists has.
func diffLines(got, want []string) string {
	var b strings.Builder
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok {
			b.WriteString("+ " + g + "\n")
		}
	}
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok {
			b.WriteString("- " + w + "\n")
		}
	}
	return b.String()
}
