package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestLogMatchesScansWithNames: over a random history of constants
// modules, barrels and the files that name keys through them, `flagscan
// log` (which resolves names again only where a commit touched what they
// depend on) gives, commit by commit, the transitions of `flagscan scan
// --rev` on every commit (which resolves every name).
func TestLogMatchesScansWithNames(t *testing.T) {
	dir := t.TempDir()
	gittest.Run(t, dir, "init", "-q", "-b", "main")
	rnd := rand.New(rand.NewSource(10))
	key := func() string { return fmt.Sprintf("key-%d", rnd.Intn(6)) }
	var commits []string
	for i := 0; i < 20; i++ {
		for n := 1 + rnd.Intn(2); n > 0; n-- {
			m := rnd.Intn(2)
			switch r := rnd.Intn(10); {
			case r < 3:
				// A constants module changes its values, or goes.
				content := fmt.Sprintf("export const FLAGS = {\n  A: '%s',\n  B: '%s',\n};\n", key(), key())
				if rnd.Intn(6) == 0 {
					content = ""
				}
				writeOrRemove(t, filepath.Join(dir, fmt.Sprintf("m%d", m), "flags.ts"), content)
			case r < 4:
				// A barrel re-exports one module or both (then FLAGS is ambiguous).
				var b strings.Builder
				for k := 0; k < 2; k++ {
					if rnd.Intn(2) == 0 {
						fmt.Fprintf(&b, "export * from './m%d/flags';\n", k)
					}
				}
				gittest.WriteFile(t, filepath.Join(dir, "index.ts"), b.String()+"export {};\n")
			default:
				// A file names keys through its module, the other, the barrel.
				var b strings.Builder
				from := []string{"./flags", fmt.Sprintf("../m%d/flags", 1-m), "../index"}[rnd.Intn(3)]
				fmt.Fprintf(&b, "import { FLAGS } from '%s';\n", from)
				for k := rnd.Intn(3); k > 0; k-- {
					switch rnd.Intn(3) {
					case 0:
						fmt.Fprintf(&b, "visitor.getFlag(FLAGS.A);\n")
					case 1:
						fmt.Fprintf(&b, "visitor.getFlag(FLAGS.B);\n")
					default:
						fmt.Fprintf(&b, "visitor.getFlag(%q);\n", key())
					}
				}
				gittest.WriteFile(t, filepath.Join(dir, fmt.Sprintf("m%d", m), fmt.Sprintf("f%d.ts", rnd.Intn(3))), b.String())
			}
		}
		gittest.Run(t, dir, "add", "-A")
		gittest.Run(t, dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprint("commit ", i))
		commits = append(commits, gittest.Run(t, dir, "rev-parse", "HEAD"))
	}

	got := logTransitions(t, dir)
	want, named := scanTransitions(t, dir, commits)
	if len(want) < 10 || named < 20 {
		t.Fatalf("the random history has only %d transitions and %d named references: not a test", len(want), named)
	}
	if !slices.Equal(got, want) {
		t.Errorf("log:\n%s\nscans:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// writeOrRemove writes content to path, or removes the file for "".
func writeOrRemove(t *testing.T, path, content string) {
	t.Helper()
	if content != "" {
		gittest.WriteFile(t, path, content)
		return
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
}
