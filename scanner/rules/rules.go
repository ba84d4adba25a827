// Package rules turns the syntax model of a file into flag references: the
// built-in Flagship SDK rules, users' call rules and the results of users'
// tree-sitter queries, with keys resolved through the file's constants.
package rules

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// engineVersion is part of every fingerprint: bump it whenever a change to
// this package or to an extractor changes what a file yields, so that
// caches keyed by the fingerprint are not trusted across the change.
const engineVersion = "flagscan-rules-2"

// Reference is one flag key found in a file.
type Reference struct {
	Key     string
	Pos     syntax.Pos // where the key is written (the literal, constant name or annotation)
	Rule    string     // the rule that found it
	Default string     // the default value as written in the code; "" when the code shows none
	Type    string     // "string", "number", "boolean", "json" or "unknown"; "" when the code shows nothing
	// Via is where the constant the key was read from is bound in the
	// file, when the key is written as a name; zero for a literal.
	Via syntax.Pos
}

// Unresolved is a call a rule matched whose key is not a constant: a
// variable, a template with substitutions, a concatenation. It is reported
// so that a person can look, never as a key.
type Unresolved struct {
	Pos  syntax.Pos
	Rule string
	Text string // the key expression as written
	// Name is the name the key expression comes down to when the file
	// does not bind it: imported, or defined in another file of its
	// package. Its chain of names (FLAGS.CHECKOUT is ["FLAGS",
	// "CHECKOUT"]), for resolution across files; nil otherwise.
	Name []string
	// Default and Type are what the reference would carry, were the name
	// resolved in another file.
	Default string
	Type    string
}

// CallRule is a user's rule: calls to any of Calls, the key in argument
// KeyArgument (0-based, counting every argument, labelled or not).
type CallRule struct {
	Name            string
	Languages       []string // empty: every language
	Calls           []string
	KeyArgument     int
	DefaultArgument int // -1: none
}

// QueryRule is a user's raw tree-sitter query; extractors run it and hand
// the @key captures over as syntax.QueryMatch. It is part of a Set only for
// the fingerprint and the prefilter.
type QueryRule struct {
	Name      string
	Languages []string
	Query     string
}

// Set is the rules of one scan. It is read-only once built and safe for
// concurrent use.
type Set struct {
	builtin bool
	calls   []CallRule
	queries []QueryRule
	names   map[string]bool
	needles [][]byte
	// search and lowerSearch find the needles, as written and in lower
	// case (for case-insensitive languages).
	search, lowerSearch needleSearch
	// always holds the languages for which every file must be parsed:
	// a raw query has no call name to search for.
	always      map[string]bool
	fingerprint string
}

// New returns a rule set. builtin turns the Flagship SDK rules on.
func New(builtin bool, calls []CallRule, queries []QueryRule) *Set {
	s := &Set{builtin: builtin, calls: calls, queries: queries, names: make(map[string]bool), always: make(map[string]bool)}
	needles := map[string]bool{}
	if builtin {
		for name := range flagship {
			s.names[name] = true
		}
		for _, n := range flagshipNeedles {
			needles[n] = true
		}
	}
	for _, r := range calls {
		for _, c := range r.Calls {
			s.names[c] = true
			needles[c] = true
		}
	}
	for _, q := range queries {
		for _, l := range q.Languages {
			s.always[l] = true
		}
	}
	var lower [][]byte
	s.needles, lower = sortedBytes(needles)
	s.search, s.lowerSearch = newNeedleSearch(s.needles), newNeedleSearch(lower)

	h := sha256.New()
	enc := json.NewEncoder(h)
	_ = enc.Encode(engineVersion) // a hash.Hash never fails to write
	_ = enc.Encode(builtin)
	_ = enc.Encode(calls)
	_ = enc.Encode(queries)
	s.fingerprint = hex.EncodeToString(h.Sum(nil))
	return s
}

// Names returns the call names the rules look at; extractors model only
// calls with these names (and what they are chained on).
func (s *Set) Names() map[string]bool { return s.names }

// Needles returns the byte strings the prefilter searches for, sorted.
func (s *Set) Needles() []string {
	out := make([]string, len(s.needles))
	for i, n := range s.needles {
		out[i] = string(n)
	}
	return out
}

// Fingerprint is a hash of everything in the rules that changes what a
// file yields. Caches of per-file results must be keyed by it.
func (s *Set) Fingerprint() string { return s.fingerprint }

// Builtin reports whether the Flagship SDK rules are on.
func (s *Set) Builtin() bool { return s.builtin }

// MayMatch is the cheap test run before any parse: it reports whether src
// contains one of the rules' call names or annotation markers. A file for
// which it says false cannot hold a reference.
func (s *Set) MayMatch(lang string, src []byte) bool {
	if s.always[lang] {
		return true
	}
	if lang == "vb" {
		// Visual Basic ignores case: visitor.getflag("k") is a call.
		return s.lowerSearch.in(bytes.ToLower(src))
	}
	return s.search.in(src)
}

// sortedBytes returns the strings of set, sorted, as bytes and in lower case.
func sortedBytes(set map[string]bool) (exact, lower [][]byte) {
	var ss []string
	for n := range set {
		ss = append(ss, n)
	}
	sort.Strings(ss)
	for _, n := range ss {
		exact = append(exact, []byte(n))
		lower = append(lower, bytes.ToLower([]byte(n)))
	}
	return exact, lower
}

// Match returns the references and unresolved keys in f.
func (s *Set) Match(f *syntax.File) ([]Reference, []Unresolved) {
	refs, unresolved, _ := s.match(f, false)
	return refs, unresolved
}

// MatchLookups is Match that also returns every name the matching of f
// depended on: the names whose bindings it looked up and the variables the
// file's calls are assigned to (on which a get, has or getValue call
// elsewhere could be made). A part of the file that mentions none of
// them, and no call the rules name, cannot change what f yields; a parse
// that left such parts out is checked with them.
func (s *Set) MatchLookups(f *syntax.File) ([]Reference, []Unresolved, map[string]bool) {
	return s.match(f, true)
}

func (s *Set) match(f *syntax.File, lookups bool) ([]Reference, []Unresolved, map[string]bool) {
	m := &matcher{file: f, set: s, bindings: indexBindings(f)}
	if lookups {
		m.looked = make(map[string]bool)
		for _, c := range f.Calls {
			if c.Assigned != "" {
				m.looked[c.Assigned] = true
			}
		}
	}
	if s.builtin {
		m.flagship()
	}
	m.custom()
	m.queryMatches()
	if s.builtin {
		m.annotations()
	}
	sort.SliceStable(m.refs, func(i, j int) bool { return less(m.refs[i].Pos, m.refs[j].Pos) })
	sort.SliceStable(m.unresolved, func(i, j int) bool { return less(m.unresolved[i].Pos, m.unresolved[j].Pos) })
	return dedupe(m.refs), m.unresolved, m.looked
}

func less(a, b syntax.Pos) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}

// dedupe drops a reference found twice at the same place for the same key,
// which happens when a user's rule names a call the built-in rules know.
func dedupe(refs []Reference) []Reference {
	out := refs[:0]
	seen := make(map[struct {
		key string
		pos syntax.Pos
	}]bool)
	for _, r := range refs {
		k := struct {
			key string
			pos syntax.Pos
		}{r.Key, r.Pos}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out
}
