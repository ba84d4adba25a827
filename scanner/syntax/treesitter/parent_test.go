package treesitter

import (
	"os"
	"path/filepath"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
)

// sampleGlobs are the SDK samples of each grammar (under testdata/sdk).
var sampleGlobs = map[string]string{
	"javascript": "javascript/*.js", "tsx": "javascript/*.jsx", "typescript": "javascript/*.ts",
	"go": "go/*.go", "python": "python/*.py", "java": "java/*.java",
	"kotlin": "kotlin/*.kt", "swift": "swift/*.swift", "csharp": "csharp/*.cs", "php": "php/*.php",
}

// TestNodeHelpers checks the helpers of parent.go against go-tree-sitter's
// methods on every node of the SDK samples of every grammar: they read the
// TSNode inside a sitter.Node, which a new version of go-tree-sitter could
// move.
func TestNodeHelpers(t *testing.T) {
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	var checked int
	for lang, glob := range sampleGlobs {
		l, err := reg.langs[lang].get()
		if err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "sdk", glob))
		if len(files) == 0 {
			t.Fatalf("no %s samples", lang)
		}
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			p := sitter.NewParser()
			p.SetLanguage(l.ts)
			tree := p.Parse(nil, src)
			root := tree.RootNode()
			ps := newParents(root)
			x := &extraction{lang: l}
			fields := []string{"no_such_field"}
			for f := range l.fields {
				fields = append(fields, f)
			}
			var walk func(n *sitter.Node)
			walk = func(n *sitter.Node) {
				checked++
				if got, want := ps.of(n), n.Parent(); !sameNode(got, want) {
					t.Fatalf("%s: parent of %s at %d: got %v, want %v", name, n.Type(), n.StartByte(), got, want)
				}
				for _, f := range fields {
					if got, want := x.field(n, f), n.ChildByFieldName(f); !sameNode(got, want) {
						t.Fatalf("%s: field %s of %s at %d: got %v, want %v", name, f, n.Type(), n.StartByte(), got, want)
					}
				}
				for i := 0; i < int(n.ChildCount()); i++ {
					walk(n.Child(i))
				}
			}
			walk(root)
			ps.close()
			tree.Close()
			p.Close()
		}
	}
	if checked < 10000 {
		t.Fatalf("only %d nodes checked", checked)
	}
}

func sameNode(a, b *sitter.Node) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.ID() == b.ID() && a.StartByte() == b.StartByte() && a.EndByte() == b.EndByte() && a.Type() == b.Type()
}
