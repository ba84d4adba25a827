package treesitter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// The helpers below are shared by the Go, Python, Java and Kotlin grammar
// tests; their gpjk prefix keeps them apart from other grammars' helpers
// in this package.

// gpjkNames are the call names the tests ask the extractor to model.
var gpjkNames = map[string]bool{
	"getFlag": true, "get_flag": true, "getFlags": true, "[]": true, "value": true,
	"getModification": true, "get_modification": true, "activateModification": true,
	"GetModificationString": true, "GetModificationObject": true, "GetModificationInfo": true,
}

// gpjkExtract extracts src as lang with gpjkNames.
func gpjkExtract(t *testing.T, lang, src string) *syntax.File {
	t.Helper()
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.NewParser()
	defer p.Close()
	f, err := p.Extract(context.Background(), lang, []byte(src), gpjkNames)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// gpjkExpr describes an expression as kind:value, or kind{...}/kind[...]
// for objects and arrays, or call(name) for a call.
func gpjkExpr(e syntax.Expr) string {
	switch e.Kind {
	case syntax.Object:
		var props []string
		for _, p := range e.Props {
			props = append(props, p.Key+"="+gpjkExpr(p.Value))
		}
		return "object{" + strings.Join(props, ",") + "}"
	case syntax.Array:
		var elems []string
		for _, el := range e.Elems {
			elems = append(elems, gpjkExpr(el))
		}
		return "array[" + strings.Join(elems, ",") + "]"
	case syntax.CallExpr:
		return "call(" + e.Call.Name + ")"
	case syntax.String, syntax.Number, syntax.Bool, syntax.Ident:
		return e.Kind.String() + ":" + e.Value
	}
	return e.Kind.String()
}

// gpjkCalls describes the calls of f, one line each:
// line:col name recv=... (args) [=assigned] #scope.
func gpjkCalls(f *syntax.File) []string {
	var out []string
	for _, c := range f.Calls {
		var args []string
		for _, a := range c.Args {
			s := gpjkExpr(a.Value)
			if a.Label != "" {
				s = a.Label + "=" + s
			}
			args = append(args, s)
		}
		s := fmt.Sprintf("%d:%d %s", c.Pos.Line, c.Pos.Column, c.Name)
		if c.Receiver != nil {
			s += " recv=" + gpjkExpr(*c.Receiver)
		}
		s += " (" + strings.Join(args, ", ") + ")"
		if c.Assigned != "" {
			s += " =" + c.Assigned
		}
		out = append(out, s+fmt.Sprintf(" #%d", c.Scope))
	}
	return out
}

// gpjkBindings describes the bindings of f: [const ]name=expr #scope.
func gpjkBindings(f *syntax.File) []string {
	var out []string
	for _, b := range f.Bindings {
		s := b.Name + "=" + gpjkExpr(b.Value) + fmt.Sprintf(" #%d", b.Scope)
		if b.Const {
			s = "const " + s
		}
		out = append(out, s)
	}
	return out
}

// gpjkComments lists the comments of f as line:col text.
func gpjkComments(f *syntax.File) []string {
	var out []string
	for _, c := range f.Comments {
		out = append(out, fmt.Sprintf("%d:%d %s", c.Pos.Line, c.Pos.Column, c.Text))
	}
	return out
}

// gpjkCheck compares a description with what is expected, line by line.
func gpjkCheck(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got: %s\nwant: %s", what, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

// gpjkRobust extracts every prefix of the SDK samples of a language (cut
// every few bytes, so through tokens, strings and comments) and garbage,
// to show that no input makes a grammar panic.
func gpjkRobust(t *testing.T, lang, ext string) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "sdk", lang, "*."+ext))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s samples: %v", lang, err)
	}
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	// One Parser per input: a Parser reused right after a parse can be
	// left cancelled by go-tree-sitter's context watcher (see the report
	// on extract.go); this test is about the grammars.
	extract := func(name string, src []byte) {
		p := reg.NewParser()
		defer p.Close()
		if _, err := p.Extract(context.Background(), lang, src, gpjkNames); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut <= len(src); cut += 5 {
			extract(fmt.Sprintf("%s cut at %d", name, cut), src[:cut])
		}
	}
	deep := strings.Repeat("getFlag(", 2000) + strings.Repeat("[{", 2000)
	for _, src := range []string{"", "\x00\xff\xfe", ")(][}{\"'`", deep, "getFlag(\"k\"" + strings.Repeat(", 1", 5000)} {
		extract(fmt.Sprintf("%q", syntax.Clip(src)), []byte(src))
	}
}

func TestGoModel(t *testing.T) {
	f := gpjkExtract(t, "go", `package p

// fe:flag: k, 1
const Key, Other = "k-1", "o"

const (
	Prefixed = "a" + "b"
	Dyn      = "a" + b
)

var Raw = `+"`r\\n`"+`

func f(v *V) {
	s, err := v.GetModificationString(Key, "d\tx", true)
	v.GetModificationObject(pkg.Key, map[string]any{"a": 1, "n": []int{-2}}, false)
	g := func() { info, _ := v.GetModificationInfo(fmt.Sprintf("k-%d", 1)); _ = info }
	x += "y"
	ignored(v.Unrelated("k"))
}
`)
	gpjkCheck(t, "calls", gpjkCalls(f), []string{
		`14:14 GetModificationString recv=ident:v (ident:Key, string:d	x, bool:true) =s #1`,
		`15:4 GetModificationObject recv=ident:v (ident:Key, object{a=number:1,n=array[number:-2]}, bool:false) #1`,
		`16:29 GetModificationInfo recv=ident:v (template) =info #2`,
	})
	gpjkCheck(t, "bindings", gpjkBindings(f), []string{
		`const Key=string:k-1 #0`, `const Other=string:o #0`,
		`const Prefixed=string:ab #0`, `const Dyn=template #0`,
		`Raw=string:r\n #0`,
		`s=other #1`, `err=other #1`,
		`g=other #1`, `info=other #2`, `x=other #1`,
	})
	gpjkCheck(t, "comments", gpjkComments(f), []string{`3:1 // fe:flag: k, 1`})
}

func TestGoRobust(t *testing.T) { gpjkRobust(t, "go", "go") }
