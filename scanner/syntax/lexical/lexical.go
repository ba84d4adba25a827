// Package lexical extracts the syntax model of a file for the languages
// that have no tree-sitter grammar in the binding: Objective-C, Dart, F#
// and Visual Basic. It tokenizes with each language's rules for strings and
// comments and matches calls on tokens, never on raw lines.
//
// Each language has its own tokenizer (lex.go holds what they share) and a
// dialect: its keywords, literals, operators and the statement-level rules
// that open scopes and bind names. One parser (parse.go, expr.go) serves
// the four: it matches brackets once, then walks the tokens front to back,
// building the calls whose name the rules want, and what they are chained
// on, on demand. Every step is bounded so that a file is read in linear
// time whatever it holds.
package lexical

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// languages are the names of the dialects, sorted.
var languages = func() []string {
	var names []string
	for n := range dialects {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}()

// Languages returns the names of the languages this package reads.
func Languages() []string { return slices.Clone(languages) }

// Extract returns the syntax model of src in the named language. The calls
// it models are those whose name is in names, and the calls they are
// chained on.
func Extract(lang string, src []byte, names map[string]bool) (f *syntax.File, err error) {
	d, ok := dialects[lang]
	if !ok {
		return nil, fmt.Errorf("lexical: no tokenizer for language %q", lang)
	}
	if len(src) > math.MaxInt32 {
		return nil, fmt.Errorf("lexical: %s file of %d bytes is too large", lang, len(src))
	}
	// A bug here must cost one file, not the scan: report it as an error.
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("lexical: %s: internal error: %v", lang, r)
		}
	}()
	return extract(d, src, names), nil
}

// extract tokenizes and parses src.
func extract(d *dialect, src []byte, names map[string]bool) *syntax.File {
	l := newLexer(src, d.ops)
	d.lex(l)
	p := newParser(d, src, l, names)
	p.run()
	return p.file
}
