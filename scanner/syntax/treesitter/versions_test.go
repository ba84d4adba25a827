package treesitter

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
)

// edited returns src with a few random line edits: lines deleted,
// repeated, moved, inserted and changed within.
func edited(r *rand.Rand, src []byte) []byte {
	lines := splitLines(src)
	out := make([][]byte, len(lines))
	copy(out, lines)
	for n := 1 + r.Intn(4); n > 0 && len(out) > 0; n-- {
		i := r.Intn(len(out))
		switch r.Intn(5) {
		case 0:
			out = append(out[:i], out[i+1:]...)
		case 1:
			out = append(out[:i+1], out[i:]...)
		case 2:
			j := r.Intn(len(out))
			l := out[i]
			out = append(out[:i], out[i+1:]...)
			j = min(j, len(out))
			out = append(out[:j], append([][]byte{l}, out[j:]...)...)
		case 3:
			out = append(out[:i], append([][]byte{[]byte("// a new line\n")}, out[i:]...)...)
		case 4:
			l := bytes.Clone(out[i])
			if len(l) > 1 {
				l[r.Intn(len(l)-1)] = 'x'
			}
			out[i] = l
		}
	}
	return bytes.Join(out, nil)
}

// pointAt returns the tree-sitter point of offset off of doc.
func pointAt(doc []byte, off int) sitter.Point {
	row := bytes.Count(doc[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(doc[:off], '\n') + 1)
	return sitter.Point{Row: uint32(row), Column: uint32(col)}
}

// TestEdits applies the edits between random versions of the SDK samples
// as tree-sitter does, last first: each must describe the document as the
// edits after it left it, and together they must turn old into new.
func TestEdits(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "sdk", "*", "*"))
	files = append(files, "") // the empty file
	var checked int
	for _, name := range files {
		var src []byte
		if name != "" {
			var err error
			if src, err = os.ReadFile(name); err != nil {
				t.Fatal(err)
			}
		}
		for trial := 0; trial < 20; trial++ {
			old, new := src, edited(r, src)
			if trial%5 == 4 {
				old, new = new, src
			}
			if trial%7 == 6 && len(new) > 0 && new[len(new)-1] == '\n' {
				new = new[:len(new)-1] // no newline at the end
			}
			doc := bytes.Clone(old)
			for _, e := range edits(old, new) {
				if e.StartIndex > e.OldEndIndex || int(e.OldEndIndex) > len(doc) || e.NewEndIndex < e.StartIndex {
					t.Fatalf("%s: edit %+v out of the document (%d bytes)", name, e, len(doc))
				}
				if got := pointAt(doc, int(e.StartIndex)); got != e.StartPoint {
					t.Fatalf("%s: edit %+v: start is at %v", name, e, got)
				}
				if got := pointAt(doc, int(e.OldEndIndex)); got != e.OldEndPoint {
					t.Fatalf("%s: edit %+v: old end is at %v", name, e, got)
				}
				// What follows the edit is new's already.
				tail := len(doc) - int(e.OldEndIndex)
				ins := new[len(new)-tail-int(e.NewEndIndex-e.StartIndex) : len(new)-tail]
				doc = append(append(bytes.Clone(doc[:e.StartIndex]), ins...), doc[e.OldEndIndex:]...)
				if got := pointAt(doc, int(e.NewEndIndex)); got != e.NewEndPoint {
					t.Fatalf("%s: edit %+v: new end is at %v", name, e, got)
				}
				checked++
			}
			if !bytes.Equal(doc, new) {
				t.Fatalf("%s: the edits give\n%s\nwant\n%s", name, doc, new)
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d edits checked", checked)
	}
}

// TestDiffLinesShortest: the edit script is a shortest one, in lines.
func TestDiffLinesShortest(t *testing.T) {
	lines := func(s string) [][]byte { return splitLines([]byte(s)) }
	for _, c := range []struct {
		a, b    string
		changed int // lines deleted plus lines inserted
	}{
		{"a\nb\nc\n", "a\nb\nc\n", 0},
		{"a\nb\nc\n", "a\nc\n", 1},
		{"r1\nx\ny\nz\n", "r2\nx\nz\n", 3},
		{"a\nb\n", "c\nd\n", 4},
		{"", "a\n", 1},
	} {
		var n int
		for _, h := range diffLines(lines(c.a), lines(c.b)) {
			n += h.a1 - h.a0 + h.b1 - h.b0
		}
		if n != c.changed {
			t.Errorf("%q to %q: %d lines changed, want %d", c.a, c.b, n, c.changed)
		}
	}
	// Past maxEditScript: one hunk.
	var a, b strings.Builder
	for i := 0; i < 2*maxEditScript; i++ {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	if h := diffLines(lines(a.String()), lines(b.String())); len(h) != 1 {
		t.Errorf("%d hunks past the bound, want 1", len(h))
	}
}

// TestParseFromLastVersion: a file parsed from the tree of an earlier
// version of it yields exactly what it yields parsed alone, node for node,
// for random versions of every SDK sample.
func TestParseFromLastVersion(t *testing.T) {
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, n := range []string{"getFlag", "getValue", "getModification", "useFsFlag", "get", "has", "getFlags", "get_flag", "GetFlag", "getFlagValue"} {
		names[n] = true
	}
	r := rand.New(rand.NewSource(2))
	ctx := context.Background()
	alone, after := reg.NewParser(), reg.NewParser()
	defer alone.Close()
	defer after.Close()
	var reused int
	for lang, glob := range sampleGlobs {
		files, _ := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "sdk", glob))
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			v := NewVersions(1 << 20)
			prev := Previous{Versions: v, Path: name}
			version := src
			for step := 0; step < 16; step++ {
				module := step%3 == 2
				want, werr := alone.extract(ctx, lang, version, names, module, nil, nil, Previous{})
				kept := v.files[name] != nil
				got, gerr := after.ExtractAfter(ctx, prev, lang, version, names, module)
				if (werr == nil) != (gerr == nil) {
					t.Fatalf("%s step %d: errors %v and %v", name, step, werr, gerr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s step %d (from a kept tree: %v): parsed from the last version\n%+v\nalone\n%+v\nversion:\n%s", name, step, kept, got, want, version)
				}
				if kept {
					reused++
				}
				if step%4 == 3 {
					version = src // back to the start, far from the last one
				} else {
					version = edited(r, version)
				}
			}
			v.Close()
		}
	}
	if reused < 200 {
		t.Fatalf("only %d parses from a kept tree", reused)
	}
}

// TestVersionsBounded: the trees kept stay within the bytes given; the
// oldest go first; a file's language must match.
func TestVersionsBounded(t *testing.T) {
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.NewParser()
	defer p.Close()
	v := NewVersions(1000)
	defer v.Close()
	src := []byte("const a = 1;\n" + strings.Repeat("// padding\n", 20)) // 233 bytes
	for i := 0; i < 10; i++ {
		if _, err := p.ExtractAfter(context.Background(), Previous{Versions: v, Path: fmt.Sprint("f", i)}, "typescript", src, nil, false); err != nil {
			t.Fatal(err)
		}
		if v.bytes > 1000 {
			t.Fatalf("%d bytes kept, more than 1000", v.bytes)
		}
	}
	if len(v.files) != 4 || v.files["f9"] == nil || v.files["f5"] != nil {
		t.Fatalf("kept %d files (f9 %v, f5 %v), want the last 4", len(v.files), v.files["f9"] != nil, v.files["f5"] != nil)
	}
	if old := v.take("f9", "python"); old != nil {
		t.Fatal("a TypeScript tree was given for a Python file")
	}
	if v.files["f9"] != nil {
		t.Fatal("the tree of another language was kept")
	}
	big := bytes.Repeat([]byte("// big\n"), 200)
	if _, err := p.ExtractAfter(context.Background(), Previous{Versions: v, Path: "big"}, "typescript", big, nil, false); err != nil {
		t.Fatal(err)
	}
	if v.files["big"] != nil {
		t.Fatal("a file past the bound was kept")
	}
}
