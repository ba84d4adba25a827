package treesitter

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/typescript/tsx"
	"github.com/smacker/go-tree-sitter/typescript/typescript"
)

// Languages maps each language this package parses to its grammar. The
// names are the ones used in config files and reports.
func languages() map[string]func() (*sitter.Language, grammar) {
	return map[string]func() (*sitter.Language, grammar){
		// JavaScript is parsed with the TSX grammar: it is a superset of
		// JavaScript with JSX, and one grammar means one query to keep.
		"javascript": func() (*sitter.Language, grammar) { return tsx.GetLanguage(), jsGrammar{} },
		"typescript": func() (*sitter.Language, grammar) { return typescript.GetLanguage(), jsGrammar{} },
		"tsx":        func() (*sitter.Language, grammar) { return tsx.GetLanguage(), jsGrammar{} },
		"go":         goLanguage,
		"python":     pythonLanguage,
		"java":       javaLanguage,
		"kotlin":     kotlinLanguage,
		"swift":      swiftLanguage,
		"csharp":     csharpLanguage,
		"php":        phpLanguage,
	}
}

// Languages returns the names of the languages this package parses, sorted.
func Languages() []string {
	var names []string
	for n, mk := range languages() {
		if ts, _ := mk(); ts == nil {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CustomQuery is a user's raw tree-sitter query rule.
type CustomQuery struct {
	Rule      string   // the rule's name, reported with each match
	Languages []string // the languages it applies to
	Query     string   // a query with a @key capture
}

// Registry holds the compiled queries of every language. It is built once
// and shared by all Parsers. A language's built-in query is compiled the
// first time a file of that language is parsed: most runs (a hook's
// post-receive with every blob cached, a repository in three languages)
// need few of them, and compiling all costs tens of milliseconds.
type Registry struct {
	langs map[string]*lazyLanguage
}

// lazyLanguage is a language compiled on first use.
type lazyLanguage struct {
	name   string
	mk     func() (*sitter.Language, grammar)
	custom []CustomQuery
	once   sync.Once
	l      *language
	err    error
}

// get compiles the language on first use.
func (z *lazyLanguage) get() (*language, error) {
	z.once.Do(func() { z.l, z.err = compileLanguage(z.name, z.mk, z.custom) })
	return z.l, z.err
}

func compileLanguage(name string, mk func() (*sitter.Language, grammar), custom []CustomQuery) (*language, error) {
	ts, g := mk()
	base, err := compileQuery(g.query(), ts)
	if err != nil {
		return nil, fmt.Errorf("built-in query for %s: %w", name, err)
	}
	names := newSymbolNames(ts)
	l := &language{name: name, ts: ts, g: g, base: base, names: names, fields: names.fieldIDs()}
	for _, c := range custom {
		cq, err := compileCustom(c, ts)
		if err != nil {
			return nil, fmt.Errorf("rule %q: query for %s: %w", c.Rule, name, err)
		}
		l.custom = append(l.custom, cq)
	}
	return l, nil
}

// compileQuery compiles a built-in query: as a walkQuery when its
// patterns allow, else with tree-sitter.
func compileQuery(src string, ts *sitter.Language) (compiled, error) {
	if w, ok := parseWalkQuery(src); ok {
		return compiled{walk: w}, nil
	}
	q, err := sitter.NewQuery([]byte(src), ts)
	if err != nil {
		return compiled{}, err
	}
	return compiled{q: q, capture: captureNames(q)}, nil
}

func captureNames(q *sitter.Query) []string {
	var names []string
	for i := uint32(0); i < q.CaptureCount(); i++ {
		names = append(names, q.CaptureNameForId(i))
	}
	return names
}

// module returns the language's query with the patterns of its
// moduleGrammar, compiled on first use: only files whose keys are names
// need it, and its patterns cost every file they run over.
func (l *language) module() (*compiled, error) {
	l.moduleOnce.Do(func() {
		mg, ok := l.g.(moduleGrammar)
		if !ok {
			l.full = &l.base
			return
		}
		full, err := compileQuery(l.g.query()+mg.moduleQuery(), l.ts)
		if err != nil {
			l.moduleErr = fmt.Errorf("built-in module query for %s: %w", l.name, err)
			return
		}
		l.full = &full
	})
	return l.full, l.moduleErr
}

// NewRegistry checks the custom queries and returns a registry. An error
// names the custom rule and language whose query does not compile; the
// built-in queries are compiled when first needed.
func NewRegistry(custom []CustomQuery) (*Registry, error) {
	r := &Registry{langs: make(map[string]*lazyLanguage)}
	for name, mk := range languages() {
		if ts, _ := mk(); ts == nil {
			continue
		}
		r.langs[name] = &lazyLanguage{name: name, mk: mk}
	}
	// JavaScript is read with the TSX grammar and query: one compilation,
	// unless a custom query tells the two apart.
	shared := true
	for _, c := range custom {
		if slices.Contains(c.Languages, "javascript") || slices.Contains(c.Languages, "tsx") {
			shared = false
		}
	}
	if shared {
		r.langs["javascript"] = r.langs["tsx"]
	}
	for _, c := range custom {
		for _, lang := range c.Languages {
			z, ok := r.langs[lang]
			if !ok {
				return nil, fmt.Errorf("rule %q: language %q has no tree-sitter grammar (query rules work for: %v)", c.Rule, lang, Languages())
			}
			// Compiled now, to report a mistake before the scan starts;
			// the language compiles it again with its built-in query.
			ts, _ := z.mk()
			cq, err := compileCustom(c, ts)
			if err != nil {
				return nil, fmt.Errorf("rule %q: query for %s: %w", c.Rule, lang, err)
			}
			cq.q.Close()
			z.custom = append(z.custom, c)
		}
	}
	return r, nil
}

func compileCustom(c CustomQuery, ts *sitter.Language) (customQuery, error) {
	q, err := sitter.NewQuery([]byte(c.Query), ts)
	if err != nil {
		return customQuery{}, err
	}
	cq := customQuery{rule: c.Rule, q: q, key: ^uint32(0)}
	for i := uint32(0); i < q.CaptureCount(); i++ {
		if q.CaptureNameForId(i) == "key" {
			cq.key = i
		}
	}
	if cq.key == ^uint32(0) {
		q.Close()
		return customQuery{}, fmt.Errorf("no @key capture")
	}
	for i := uint32(0); i < q.PatternCount(); i++ {
		if len(q.PredicatesForPattern(i)) > 0 {
			cq.filter = true
		}
	}
	return cq, nil
}

// Has reports whether the registry parses the named language.
func (r *Registry) Has(lang string) bool {
	_, ok := r.langs[lang]
	return ok
}
