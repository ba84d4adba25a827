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
