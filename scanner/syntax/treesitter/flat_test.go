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

// TestFlatTree checks the flat copy of a tree against go-tree-sitter's
// methods on every node of the SDK samples of every grammar, and of every
// few bytes' prefix of them (trees with errors and missing nodes): the
// extraction reads only the copy.
func TestFlatTree(t *testing.T) {
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
		fields := []string{"no_such_field"}
		for f := range l.fields {
			fields = append(fields, f)
		}
		p := sitter.NewParser()
		p.SetLanguage(l.ts)
		var f flat
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			for cut := len(src); cut >= 0; cut -= 97 {
				tree := p.Parse(nil, src[:cut])
				root := tree.RootNode()
				if err := f.load(root, l.names); err != nil {
					t.Fatal(err)
				}
				x := &extraction{lang: l, tree: &f}
				var walk func(n *sitter.Node, parent *node) *node
				walk = func(n *sitter.Node, parent *node) *node {
					checked++
					m := f.of(n)
					if m == nil {
						t.Fatalf("%s (%d bytes): %s at %d is not in the flat tree", name, cut, n.Type(), n.StartByte())
					}
					if m.Type() != n.Type() || m.StartByte() != n.StartByte() || m.EndByte() != n.EndByte() || m.StartPoint() != n.StartPoint() {
						t.Fatalf("%s (%d bytes): node %s %d-%d %v, flat %s %d-%d %v", name, cut, n.Type(), n.StartByte(), n.EndByte(), n.StartPoint(), m.Type(), m.StartByte(), m.EndByte(), m.StartPoint())
					}
					if got := m.Parent(); !(got == nil && parent == nil || got != nil && got.Equal(parent)) {
						t.Fatalf("%s (%d bytes): parent of %s at %d differs", name, cut, n.Type(), n.StartByte())
					}
					if m.ChildCount() != n.ChildCount() || m.NamedChildCount() != n.NamedChildCount() {
						t.Fatalf("%s (%d bytes): %s at %d: %d/%d children, flat %d/%d", name, cut, n.Type(), n.StartByte(), n.ChildCount(), n.NamedChildCount(), m.ChildCount(), m.NamedChildCount())
					}
					for i := 0; i < int(n.NamedChildCount()); i++ {
						if !m.NamedChild(i).Equal(f.of(n.NamedChild(i))) {
							t.Fatalf("%s (%d bytes): named child %d of %s at %d differs", name, cut, i, n.Type(), n.StartByte())
						}
					}
					for _, fn := range fields {
						got, want := x.field(m, fn), n.ChildByFieldName(fn)
						if want == nil && got != nil || want != nil && !got.Equal(f.of(want)) {
							t.Fatalf("%s (%d bytes): field %s of %s at %d: got %v, want %v", name, cut, fn, n.Type(), n.StartByte(), got != nil, want != nil)
						}
					}
					for i := 0; i < int(n.ChildCount()); i++ {
						// Node.FieldNameForChild can give an extra (a
						// comment) the field of the child after it, and
						// the children of an ERROR fields that
						// ChildByFieldName does not find there: the flat
						// tree has the fields ChildByFieldName finds.
						if got, want := m.FieldNameForChild(i), n.FieldNameForChild(i); got != want && !n.Child(i).IsExtra() && n.Type() != "ERROR" {
							t.Fatalf("%s (%d bytes): field of child %d of %s at %d: got %q, want %q", name, cut, i, n.Type(), n.StartByte(), got, want)
						}
						if c := walk(n.Child(i), m); !m.Child(i).Equal(c) {
							t.Fatalf("%s (%d bytes): child %d of %s at %d differs", name, cut, i, n.Type(), n.StartByte())
						}
						// Node.PrevSibling can answer the last child of
						// the sibling before: the sibling is what is meant.
						if prev := m.Child(i).PrevSibling(); i == 0 && prev != nil || i > 0 && !prev.Equal(f.of(n.Child(i-1))) {
							t.Fatalf("%s (%d bytes): the sibling before child %d of %s at %d differs", name, cut, i, n.Type(), n.StartByte())
						}
					}
					return m
				}
				if r := walk(root, nil); !r.Equal(f.root()) {
					t.Fatalf("%s: the root is not the flat tree's first node", name)
				}
				tree.Close()
			}
		}
		p.Close()
	}
	if checked < 50000 {
		t.Fatalf("only %d nodes checked", checked)
	}
}
