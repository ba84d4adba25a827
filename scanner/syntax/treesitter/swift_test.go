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

// The helpers below are shared by the Swift, C# and PHP grammar tests;
// their scp prefix keeps them apart from other grammars' helpers in this
// package.

// scpNames are the call names the tests ask the extractor to model.
var scpNames = map[string]bool{
	"getFlag": true, "GetFlag": true, "getFlags": true, "GetFlags": true,
	"getModification": true, "GetModification": true,
	"value": true, "getValue": true, "GetValue": true,
	"get": true, "Get": true, "[]": true,
}

// scpExtract extracts src as lang with scpNames.
func scpExtract(t *testing.T, lang, src string) *syntax.File {
	t.Helper()
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.NewParser()
	defer p.Close()
	f, err := p.Extract(context.Background(), lang, []byte(src), scpNames)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// scpExpr describes an expression as kind:value, kind{...} or kind[...]
// for objects and arrays, call(name) for a call.
func scpExpr(e syntax.Expr) string {
	switch e.Kind {
	case syntax.Object:
		var props []string
		for _, p := range e.Props {
			props = append(props, p.Key+"="+scpExpr(p.Value))
		}
		return "object{" + strings.Join(props, ",") + "}"
	case syntax.Array:
		var elems []string
		for _, el := range e.Elems {
			elems = append(elems, scpExpr(el))
		}
		return "array[" + strings.Join(elems, ",") + "]"
	case syntax.CallExpr:
		return "call(" + e.Call.Name + ")"
	case syntax.String, syntax.Number, syntax.Bool, syntax.Ident:
		return e.Kind.String() + ":" + e.Value
	}
	return e.Kind.String()
}

// scpCalls describes the calls of f in source order, one line each:
// line:col name recv=... (label=arg, ...) [=assigned] #scope.
func scpCalls(f *syntax.File) []string {
	calls := slices.Clone(f.Calls)
	slices.SortStableFunc(calls, func(a, b *syntax.Call) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Column - b.Pos.Column
	})
	var out []string
	for _, c := range calls {
		var args []string
		for _, a := range c.Args {
			s := scpExpr(a.Value)
			if a.Label != "" {
				s = a.Label + "=" + s
			}
			args = append(args, s)
		}
		s := fmt.Sprintf("%d:%d %s", c.Pos.Line, c.Pos.Column, c.Name)
		if c.Receiver != nil {
			s += " recv=" + scpExpr(*c.Receiver)
		}
		s += " (" + strings.Join(args, ", ") + ")"
		if c.Assigned != "" {
			s += " =" + c.Assigned
		}
		out = append(out, s+fmt.Sprintf(" #%d", c.Scope))
	}
	return out
}

// scpBindings describes the bindings of f: [const ]name=expr #scope.
func scpBindings(f *syntax.File) []string {
	var out []string
	for _, b := range f.Bindings {
		s := b.Name + "=" + scpExpr(b.Value) + fmt.Sprintf(" #%d", b.Scope)
		if b.Const {
			s = "const " + s
		}
		out = append(out, s)
	}
	return out
}

// scpComments lists the comments of f as line:col text.
func scpComments(f *syntax.File) []string {
	var out []string
	for _, c := range f.Comments {
		out = append(out, fmt.Sprintf("%d:%d %s", c.Pos.Line, c.Pos.Column, c.Text))
	}
	return out
}

// scpScopes lists each scope's parent, scope 0 (the file) left out.
func scpScopes(f *syntax.File) []int {
	var out []int
	for _, s := range f.Scopes[1:] {
		out = append(out, s.Parent)
	}
	return out
}

// scpCheck compares a description with what is expected, line by line.
func scpCheck[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got: %v\nwant: %v", what, got, want)
	}
}

// scpRobust extracts every prefix of the SDK samples of a language (cut
// every few bytes, so through tokens, strings and comments) and garbage,
// to show that no input makes a grammar panic or recurse without bound.
// Each prefix ends with tail.
func scpRobust(t *testing.T, lang, ext, tail string, garbage ...string) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "sdk", lang, "*."+ext))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s samples: %v", lang, err)
	}
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	// One Parser per input, so that this test is about the grammar alone.
	extract := func(name string, src []byte) {
		p := reg.NewParser()
		defer p.Close()
		if _, err := p.Extract(context.Background(), lang, src, scpNames); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut <= len(src); cut += 5 {
			extract(fmt.Sprintf("%s cut at %d", name, cut), append(slices.Clip(src[:cut]), tail...))
		}
	}
	for _, src := range append(garbage, "", "\x00\xff\xfe", ")(][}{\"'`$@#\\") {
		extract(fmt.Sprintf("%q", syntax.Clip(src)), []byte(src))
	}
}

func TestSwiftModel(t *testing.T) {
	f := scpExtract(t, "swift", `// fe:flag: k, 1
let Key = "k-1", Count = 2
var mutable = "m"
enum Keys { static let btn = "b\u{41}\n" }

/* block */
func f(visitor: FSVisitor) async throws {
    let a = Flagship.sharedInstance.getModification(Key, defaultString: "x", activate: true)
    let b = try await visitor.getFlag(key: Keys.btn).value(defaultValue: -1.5, visitorExposed: true)
    _ = visitor.getFlags()["k"]?.value(defaultValue: ["a": 1])
    if let c = visitor.getFlag(key: #"raw\n"#) { print(c) }
    mutable = "n"
    items.map { x in x.getFlag(key: "tc-\(x)", defaultValue: [nil, true]) }
    visitor.getFlag(key: """
        multi
          line
        """)
}
`)
	scpCheck(t, "calls", scpCalls(f), []string{
		`8:37 getModification recv=ident:sharedInstance (ident:Key, defaultString=string:x, activate=bool:true) =a #1`,
		`9:31 getFlag recv=ident:visitor (key=ident:btn) #1`,
		`9:54 value recv=call(getFlag) (defaultValue=number:-1.5, visitorExposed=bool:true) =b #1`,
		`10:17 getFlags recv=ident:visitor () #1`,
		`10:27 [] recv=call(getFlags) (string:k) #1`,
		`10:34 value recv=call([]) (defaultValue=object{a=number:1}) #1`,
		`11:24 getFlag recv=ident:visitor (key=string:raw\n) =c #1`,
		`13:24 getFlag recv=ident:x (key=template, defaultValue=array[null,bool:true]) #2`,
		`14:13 getFlag recv=ident:visitor (key=string:multi
  line) #1`,
	})
	scpCheck(t, "bindings", scpBindings(f), []string{
		`const Key=string:k-1 #0`, `const Count=number:2 #0`, `mutable=string:m #0`,
		"const btn=string:bA\n #0",
		`const a=call(getModification) #1`, `const b=call(value) #1`, `mutable=string:n #1`,
	})
	scpCheck(t, "comments", scpComments(f), []string{`1:1 // fe:flag: k, 1`, `6:1 /* block */`})
	scpCheck(t, "scopes", scpScopes(f), []int{0, 1})
}

func TestSwiftRobust(t *testing.T) {
	// The Swift grammar's scanner spins until ParseTimeout at the end of a
	// file that ends, without a newline, right after "=", "try" or
	// "await"; Extract adds the newline, so the prefixes here are cut raw.
	scpRobust(t, "swift", "swift", "",
		strings.Repeat("getFlag(key: ", 2000)+strings.Repeat("[[", 2000),
		`visitor.getFlag(key: "k"`+strings.Repeat(", defaultValue: 1", 3000),
		`let s = """`+"\n"+`visitor.getFlag(key: "\(`)
}
