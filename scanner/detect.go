package scanner

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/syntax"
	"github.com/flagscan/flagscan/scanner/syntax/lexical"
	"github.com/flagscan/flagscan/scanner/syntax/treesitter"
)

// Engine holds what every worker of a scan shares: the rules and the
// compiled queries. It is safe for concurrent use; each goroutine detects
// through its own Detector.
type Engine struct {
	rules *rules.Set
	reg   *treesitter.Registry
}

// NewEngine compiles the rules. Query rules that do not compile are an
// error naming the rule.
func NewEngine(set *rules.Set, queries []rules.QueryRule) (*Engine, error) {
	var custom []treesitter.CustomQuery
	for _, q := range queries {
		custom = append(custom, treesitter.CustomQuery{Rule: q.Name, Languages: q.Languages, Query: q.Query})
	}
	reg, err := treesitter.NewRegistry(custom)
	if err != nil {
		return nil, err
	}
	return &Engine{rules: set, reg: reg}, nil
}

// Rules returns the engine's rule set.
func (e *Engine) Rules() *rules.Set { return e.rules }

// Detector finds references in one file at a time. It owns a tree-sitter
// parser and must stay on one goroutine.
type Detector struct {
	e      *Engine
	parser *treesitter.Parser
}

// NewDetector returns a Detector; Close it when done.
func (e *Engine) NewDetector() *Detector {
	return &Detector{e: e, parser: e.reg.NewParser()}
}

// Close frees the detector's parser.
func (d *Detector) Close() { d.parser.Close() }

// Detection is what one file yields.
type Detection struct {
	References []rules.Reference
	Unresolved []rules.Unresolved
	Parsed     bool // false when the prefilter ruled the file out
}

// Detect finds the references in src, a file of the given language. A
// file the prefilter rules out is not parsed.
func (d *Detector) Detect(ctx context.Context, lang string, src []byte) (Detection, error) {
	if !d.e.rules.MayMatch(lang, src) {
		return Detection{}, nil
	}
	var (
		f   *syntax.File
		err error
	)
	switch {
	case d.e.reg.Has(lang):
		f, err = d.parser.Extract(ctx, lang, src, d.e.rules.Names())
	case slices.Contains(lexical.Languages(), lang):
		f, err = lexical.Extract(lang, src, d.e.rules.Names())
	default:
		return Detection{}, fmt.Errorf("no detector for language %q", lang)
	}
	if err != nil {
		return Detection{}, err
	}
	refs, unresolved := d.e.rules.Match(f)
	return Detection{References: refs, Unresolved: unresolved, Parsed: true}, nil
}

// IsBinary reports whether content looks binary the way git decides it: a
// NUL byte in the first 8000 bytes.
func IsBinary(content []byte) bool {
	return bytes.IndexByte(content[:min(len(content), 8000)], 0) >= 0
}
