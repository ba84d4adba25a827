package treesitter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sitter "github.com/smacker/go-tree-sitter"
)

// TestWalkMatchesQuery runs every built-in query that is a walkQuery both
// as a walk and as a tree-sitter query, over the SDK samples of its
// language, every few bytes' prefix of them (trees with errors) and
// garbage: the captures must be the same, in the same order.
func TestWalkMatchesQuery(t *testing.T) {
	walked := map[string]bool{}
	for lang, glob := range sampleGlobs {
		ts, g := languages()[lang]()
		queries := map[string]string{"base": g.query()}
		if mg, ok := g.(moduleGrammar); ok {
			queries["module"] = g.query() + mg.moduleQuery()
		}
		files, _ := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "sdk", glob))
		if len(files) == 0 {
			t.Fatalf("no %s samples", lang)
		}
		var inputs [][]byte
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			for cut := 0; cut < len(src); cut += 7 {
				inputs = append(inputs, src[:cut])
			}
			inputs = append(inputs, src)
		}
		inputs = append(inputs, []byte(strings.Repeat("f(", 300)), []byte(")(][}{\"'`$@#\\"))
		for kind, src := range queries {
			w, ok := parseWalkQuery(src)
			if !ok {
				continue
			}
			walked[lang+" "+kind] = true
			q, err := sitter.NewQuery([]byte(src), ts)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, kind, err)
			}
			names := captureNames(q)
			parser := sitter.NewParser()
			parser.SetLanguage(ts)
			parser.SetOperationLimit(int(time.Second / time.Microsecond)) // some grammars spin on some unfinished code
			wk := newWalker()
			cursor := sitter.NewQueryCursor()
			for i, in := range inputs {
				tree, err := parser.ParseCtx(context.Background(), nil, in)
				if err != nil {
					parser.Reset()
					continue
				}
				root := tree.RootNode()
				var f flat
				if err := f.load(root, newSymbolNames(ts)); err != nil {
					t.Fatal(err)
				}
				var want, got []string
				cursor.Exec(q, root)
				for {
					m, idx, ok := cursor.NextCapture()
					if !ok {
						break
					}
					n := f.of(m.Captures[idx].Node)
					if n == nil {
						t.Fatalf("%s %s, input %d: the query captured a node the flat tree has not", lang, kind, i)
					}
					want = append(want, describe(n, names[m.Captures[idx].Index]))
				}
				if err := wk.start(w, root, &f); err != nil {
					t.Fatalf("%s %s: %v", lang, kind, err)
				}
				for {
					n, c, ok := wk.next()
					if !ok {
						break
					}
					got = append(got, describe(&f.nodes[n], c))
				}
				if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
					t.Fatalf("%s %s, input %d (%q): walk gave\n%s\nthe query\n%s", lang, kind, i, in[max(0, len(in)-80):], g, w)
				}
				tree.Close()
			}
			cursor.Close()
			wk.free()
			parser.Close()
		}
	}
	// The queries that are walks today: if one stops being one, say so
	// here.
	for _, want := range []string{"go base", "go module", "python base", "java base", "kotlin base", "kotlin module", "swift base", "typescript base", "typescript module", "tsx base", "tsx module", "csharp base", "csharp module", "php base", "php module"} {
		if !walked[want] {
			t.Errorf("%s query is not walked", want)
		}
	}
}

func describe(n *node, capture string) string {
	return fmt.Sprintf("%s %s %d-%d #%d", capture, n.Type(), n.StartByte(), n.EndByte(), n.ID())
}

// TestParseWalkQuery: only patterns of one node by its type are walks.
func TestParseWalkQuery(t *testing.T) {
	for src, ok := range map[string]bool{
		"(a) @x\n[(b) (c_d)] @y\n; comment\n(a) @y": true,
		"(a (b)) @x":        true,
		"(a field: (b)) @x": true,
		"(a) @x\n(arrow parameter: (identifier) @params)": true,
		"(a (b) (c)) @x":         false,
		"(a (b (c))) @x":         false,
		"(a field: (b) @y) @x":   false,
		"(a) @x (#eq? @x \"k\")": false,
		"(a)":                    false,
		"[(a) \"b\"] @x":         false,
		"(_) @x":                 false,
		"":                       false,
	} {
		if _, got := parseWalkQuery(src); got != ok {
			t.Errorf("%q: walk %v, want %v", src, got, ok)
		}
	}
}
