package lexical

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// checkPositions fails unless every position in f lies within src: a line
// that exists, a column at most one past the line's last character.
func checkPositions(t *testing.T, lang string, src []byte, f *syntax.File) {
	t.Helper()
	var width []int // characters on each line
	for _, l := range bytes.Split(src, []byte("\n")) {
		width = append(width, utf8.RuneCount(l))
	}
	valid := func(what string, p syntax.Pos) {
		t.Helper()
		if p.Line < 1 || p.Line > len(width) || p.Column < 1 || p.Column > width[p.Line-1]+1 {
			t.Fatalf("%s: %s at %d:%d is outside the file (%d lines)", lang, what, p.Line, p.Column, len(width))
		}
	}
	var expr func(what string, e syntax.Expr, depth int)
	seen := make(map[*syntax.Call]bool)
	call := func(what string, c *syntax.Call, depth int) {
		if seen[c] {
			return
		}
		seen[c] = true
		valid(what+" call "+c.Name, c.Pos)
		if c.Line < 1 || c.Line > c.Pos.Line {
			t.Fatalf("%s: call %s at %d:%d starts on line %d", lang, c.Name, c.Pos.Line, c.Pos.Column, c.Line)
		}
		if c.Scope < 0 || c.Scope >= len(f.Scopes) {
			t.Fatalf("%s: call %s in scope %d of %d", lang, c.Name, c.Scope, len(f.Scopes))
		}
		if c.Receiver != nil {
			expr(what+" receiver", *c.Receiver, depth+1)
		}
		for _, a := range c.Args {
			expr(what+" argument", a.Value, depth+1)
		}
	}
	expr = func(what string, e syntax.Expr, depth int) {
		valid(what+" "+e.Kind.String(), e.Pos)
		if len(e.Text) > syntax.MaxText+len("…") {
			t.Fatalf("%s: %s text of %d bytes", lang, what, len(e.Text))
		}
		for _, p := range e.Props {
			expr(what+" property", p.Value, depth+1)
		}
		for _, x := range e.Elems {
			expr(what+" element", x, depth+1)
		}
		if e.Kind == syntax.CallExpr && e.Call != nil {
			call(what, e.Call, depth+1)
		}
	}
	for _, c := range f.Calls {
		call("", c, 0)
	}
	for _, b := range f.Bindings {
		expr("binding "+b.Name, b.Value, 0)
		if b.Scope < 0 || b.Scope >= len(f.Scopes) {
			t.Fatalf("%s: binding %s in scope %d of %d", lang, b.Name, b.Scope, len(f.Scopes))
		}
	}
	for _, c := range f.Comments {
		valid("comment", c.Pos)
	}
	for i, s := range f.Scopes[1:] {
		if s.Parent < 0 || s.Parent > i {
			t.Fatalf("%s: scope %d has parent %d", lang, i+1, s.Parent)
		}
	}
}

// FuzzExtract runs every language's extraction on arbitrary bytes: it
// must not panic, and every position it reports must lie in the file.
//
//	go test -run XXX -fuzz FuzzExtract -fuzztime 60s ./scanner/syntax/lexical/
func FuzzExtract(f *testing.F) {
	samples, _ := filepath.Glob("../../../testdata/sdk/*/*")
	for _, s := range samples {
		if b, err := os.ReadFile(s); err == nil && len(b) < 1<<16 {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`"${"${x}"}" '''a''' r"\" $"{ {1} }" $$"""{{x}}""" @"a""b" "a"c #1/2/2024#`,
		"(* (* \"*)\" *) (*) '\\n' 'T `` a b `` let f x =\n  x.GetFlag(\"k\")",
		"#define K @\"k\" \\\n  @\"more\"\n[[a b:c d:[e f]] g:@{@\"k\": @[@1]}]",
		"Dim x = _\n  v.GetFlag(\"k\") ' c\nSub(a)\nEnd Sub\nREM x",
		"x.getFlag(\"k\"..\"k\")..getFlag(1)?..value()![0]",
		"\xff\xfe\x00\"\xc3", "@", "#", "'", "\"", "$\"{", "(*", "/*", "${",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, lang := range Languages() {
			start := time.Now()
			file := extract(dialects[lang], src, ruleNames)
			// The fuzzer's inputs are small: a slow one means work that is
			// not linear in the input.
			if d := time.Since(start); d > time.Second && len(src) < 1<<16 {
				t.Fatalf("%s: %d bytes took %v", lang, len(src), d)
			}
			checkPositions(t, lang, src, file)
		}
	})
}

// TestRobust feeds each language what breaks naive scanners: unterminated
// strings and comments, deep nesting, a megabyte on one line, invalid
// UTF-8. Each must come back quickly with positions inside the file.
func TestRobust(t *testing.T) {
	// A megabyte for what must be linear on one long line; a quarter of
	// one for the rest, to keep the test quick.
	const mb, size = 1 << 20, 1 << 18
	rep := func(s string, n int) string { return string(bytes.Repeat([]byte(s), n)) }
	inputs := map[string]string{
		"nested parens":       rep("getFlag(", 200000) + rep(")", 100000),
		"nested brackets":     rep("[[", 100000) + rep("]", 100000),
		"nested braces":       rep("{", 200000) + rep("}", 199999),
		"nested holes":        rep(`"${`, 60000) + rep(`}"`, 30000),
		"nested fs holes":     rep(`$"{`, 60000),
		"long chain":          "v" + rep(".getFlag(\"k\")", mb/13),
		"long member chain":   "v" + rep(".a", size/2) + ".getFlag(\"k\")",
		"long line of calls":  rep(`v.getFlag("k", 1).value(2); `, mb/28),
		"long string":         `v.getFlag("` + rep("k", mb) + `")`,
		"unterminated string": `v.getFlag("` + rep("k ", size/2),
		"unterminated block":  "/* " + rep("v.getFlag(\"k\") ", size/16),
		"unterminated nested": "(* (* " + rep("\"\\\" ", size/4),
		"quotes":              rep(`"\"`, size/2),
		"assignments":         rep("a = ", size/4) + "1",
		"cascades":            "v" + rep("..getFlag(1)", size/12),
		"selectors":           "[v " + rep("a:b ", size/4) + "]",
		"lets":                rep("let f x =\n ", size/12),
		"subs":                rep("Sub A()\n", size/8) + rep("End Sub\n", size/8),
		"invalid utf8":        rep("\xff\xc3(\x80\"", size/5),
		"commas":              "f(" + rep(",", size) + ")",
		"generics":            rep("f<a<b,", size/6) + "(",
		"closers":             rep(")]}", size/3),
		"holes closing out":   rep("(", size/8) + rep(`"${)}"`, size/8),
	}
	for name, src := range inputs {
		for _, lang := range Languages() {
			t.Run(fmt.Sprintf("%s/%s", lang, name), func(t *testing.T) {
				file := extract(dialects[lang], []byte(src), ruleNames)
				checkPositions(t, lang, []byte(src), file)
			})
		}
	}
}

// BenchmarkExtract measures each language on its SDK samples, repeated to
// a file of about 1 MB.
func BenchmarkExtract(b *testing.B) {
	for _, lang := range Languages() {
		dir := map[string]string{"objc": "objc", "dart": "dart", "fsharp": "fsharp", "vb": "vb"}[lang]
		files, _ := filepath.Glob("../../../testdata/sdk/" + dir + "/*")
		var one []byte
		for _, f := range files {
			if filepath.Ext(f) != ".want" {
				src, _ := os.ReadFile(f)
				one = append(append(one, src...), '\n')
			}
		}
		if len(one) == 0 {
			b.Fatalf("no samples for %s", lang)
		}
		src := bytes.Repeat(one, 1<<20/len(one)+1)
		b.Run(lang, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				extract(dialects[lang], src, ruleNames)
			}
		})
	}
}
