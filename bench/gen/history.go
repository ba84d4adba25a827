package gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"sort"
	"strings"
)

// HistoryOptions describe a generated history.
type HistoryOptions struct {
	Files     int // files of the first commit's tree
	Commits   int // commits after it
	PerCommit int // files each commit changes; 0: one to three
	// Ordinary is the share of changed files that are ordinary code, with
	// no flag reference (files of a "lib" folder); the others are files
	// of a "churn" folder that reference flags, whose keys come and go.
	// 0: every changed file references flags, a stress case.
	Ordinary float64
	Seed     int64
}

// History writes a git fast-import stream to w: a first commit holding a
// generated tree, then commits on refs/heads/main as o describes. git
// fast-import turns it into a repository in seconds, where committing one
// by one would take minutes.
func History(w io.Writer, o HistoryOptions) (Tree, error) {
	files, commits, perCommit, seed := o.Files, o.Commits, o.PerCommit, o.Seed
	bw := bufio.NewWriter(w)
	mark := 0
	when := int64(1700000000)
	data := func(s string) {
		fmt.Fprintf(bw, "data %d\n%s\n", len(s), s)
	}
	header := func(msg string) {
		mark++
		when += 60
		fmt.Fprintf(bw, "commit refs/heads/main\nmark :%d\nauthor Dev %d <dev%d@example.com> %d +0000\ncommitter Dev %d <dev%d@example.com> %d +0000\n",
			mark, mark%7, mark%7, when, mark%7, mark%7, when)
		data(msg)
	}
	header("generated tree")
	t, err := Each(files, 0.10, seed, func(name, content string) error {
		fmt.Fprintf(bw, "M 100644 inline %s\n", name)
		data(content)
		return nil
	})
	if err != nil {
		return t, err
	}
	r := rand.New(rand.NewSource(seed + 1))
	churn := map[string][]string{} // path -> keys
	for i := 0; i < commits; i++ {
		header(fmt.Sprintf("change %d", i))
		fmt.Fprintf(bw, "from :%d\n", mark-1)
		n := perCommit
		if n == 0 {
			n = 1 + r.Intn(3)
		}
		touched := map[string]bool{}
		for ; n > 0; n-- {
			if r.Float64() < o.Ordinary {
				path := fmt.Sprintf("lib/mod%02d/file%03d.ts", r.Intn(20), r.Intn(50))
				if touched[path] {
					n++
					continue
				}
				touched[path] = true
				fmt.Fprintf(bw, "M 100644 inline %s\n", path)
				data(fmt.Sprintf("// revision %d\n", i) + tsBody(r, i, 1))
				continue
			}
			path := fmt.Sprintf("churn/area%02d/file%03d.ts", r.Intn(20), r.Intn(50))
			if touched[path] {
				n++
				continue
			}
			touched[path] = true
			keys := churn[path]
			switch {
			case len(keys) > 0 && r.Intn(3) == 0:
				keys = keys[:len(keys)-1]
			default:
				keys = append(keys, fmt.Sprintf("churn-%d", r.Intn(300)))
			}
			churn[path] = keys
			fmt.Fprintf(bw, "M 100644 inline %s\n", path)
			data(churnFile(i, keys))
		}
	}
	return t, bw.Flush()
}

func churnFile(i int, keys []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// revision %d\nexport function render(visitor: Visitor): string[] {\n  const out: string[] = [];\n", i)
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	for _, k := range sorted {
		fmt.Fprintf(&b, "  out.push(String(visitor.getFlag(%q).getValue(\"off\")));\n", k)
	}
	b.WriteString("  return out;\n}\n")
	return b.String()
}

// Constants writes a git fast-import stream to w that continues
// refs/heads/main of an existing repository with a tree that routes keys
// through a constants module: a commit adding the module (keys names,
// FLAGS.K000 ...) and uses files, each taking one key from it through a
// relative import, then on refs/heads/main a commit that changes only the
// value of one key of the module, and on refs/heads/unrelated, from the
// same parent, a commit that changes only a module that names no key.
func Constants(w io.Writer, uses, keys int) error {
	bw := bufio.NewWriter(w)
	data := func(s string) {
		fmt.Fprintf(bw, "data %d\n%s\n", len(s), s)
	}
	header := func(ref string, mark int, msg string) {
		when := 1800000000 + mark*60
		fmt.Fprintf(bw, "commit %s\nmark :%d\nauthor Dev <dev@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\n", ref, mark, when, when)
		data(msg)
	}
	module := func(renamed int) string {
		var b strings.Builder
		b.WriteString("export const FLAGS = {\n")
		for k := 0; k < keys; k++ {
			v := fmt.Sprintf("const-%d", k)
			if k == renamed {
				v += "-v2"
			}
			fmt.Fprintf(&b, "  K%03d: '%s',\n", k, v)
		}
		b.WriteString("} as const;\n")
		return b.String()
	}
	const modulePath = "packages/flags/src/keys.ts"
	header("refs/heads/main", 1, "constants module and its uses")
	fmt.Fprintf(bw, "from refs/heads/main^0\nM 100644 inline %s\n", modulePath)
	data(module(-1))
	bw.WriteString("M 100644 inline packages/app/src/util.ts\n")
	data(util(1))
	for i := 0; i < uses; i++ {
		fmt.Fprintf(bw, "M 100644 inline packages/app/src/feat%04d/index.ts\n", i)
		data(fmt.Sprintf("import { FLAGS } from '../../../flags/src/keys';\n\nexport function feature%d(visitor: Visitor): boolean {\n  return visitor.getFlag(FLAGS.K%03d, false).getValue();\n}\n", i, i%keys))
	}
	header("refs/heads/main", 2, "rename a key in the constants module")
	fmt.Fprintf(bw, "from :1\nM 100644 inline %s\n", modulePath)
	data(module(0))
	header("refs/heads/unrelated", 3, "an unrelated change")
	bw.WriteString("from :1\nM 100644 inline packages/app/src/util.ts\n")
	data(util(2))
	return bw.Flush()
}

// util is a module of the constants tree that names no key.
func util(rev int) string {
	return fmt.Sprintf("// revision %d\nexport function clamp(x: number, lo: number, hi: number): number {\n  return Math.min(hi, Math.max(lo, x));\n}\n", rev)
}
