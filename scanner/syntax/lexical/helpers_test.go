package lexical

import (
	"testing"

	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/syntax"
)

// ruleNames are the call names of the built-in rules, as the scanner
// passes them.
var ruleNames = rules.New(true, nil, nil).Names()

// extractT extracts src as lang with ruleNames.
func extractT(t *testing.T, lang, src string) *syntax.File {
	t.Helper()
	f, err := Extract(lang, []byte(src), ruleNames)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
