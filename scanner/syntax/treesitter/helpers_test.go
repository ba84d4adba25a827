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

// The helpers below are shared by the grammar tests of this package; the
// descriptions of a model are package syntaxtest's.

// names are the call names the grammar tests ask the extractor to model.
var names = map[string]bool{
	"getFlag": true, "GetFlag": true, "get_flag": true, "getFlags": true, "GetFlags": true,
	"getModification": true, "GetModification": true, "get_modification": true, "activateModification": true,
	"GetModificationString": true, "GetModificationObject": true, "GetModificationInfo": true,
	"value": true, "getValue": true, "GetValue": true,
	"get": true, "Get": true, "[]": true,
}

// extract extracts src as lang with names.
func extract(t *testing.T, lang, src string) *syntax.File {
	t.Helper()
	reg, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := reg.NewParser()
	defer p.Close()
	f, err := p.Extract(context.Background(), lang, []byte(src), names)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// callGarbage is garbage for grammars whose calls take parentheses: calls
// and literals nested deep, and a call with thousands of arguments.
var callGarbage = []string{
	strings.Repeat("getFlag(", 2000) + strings.Repeat("[{", 2000),
	"getFlag(\"k\"" + strings.Repeat(", 1", 5000),
}

// robust extracts every prefix of the SDK samples of a language (cut
// every few bytes, so through tokens, strings and comments), then
// garbage, then garbage of every language, to show that no input makes a
// grammar panic or recurse without bound.
func robust(t *testing.T, lang, ext string, garbage ...string) {
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
	try := func(name string, src []byte) {
		p := reg.NewParser()
		defer p.Close()
		if _, err := p.Extract(context.Background(), lang, src, names); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut <= len(src); cut += 5 {
			try(fmt.Sprintf("%s cut at %d", name, cut), src[:cut])
		}
	}
	for _, src := range slices.Concat(garbage, []string{"", "\x00\xff\xfe", ")(][}{\"'`", ")(][}{\"'`$@#\\"}) {
		try(fmt.Sprintf("%q", syntax.Clip(src)), []byte(src))
	}
}
