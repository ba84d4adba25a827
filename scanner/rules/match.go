package rules

import (
	"slices"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// matcher holds the state of matching one file.
type matcher struct {
	file       *syntax.File
	set        *Set
	bindings   map[string][]syntax.Binding
	refs       []Reference
	unresolved []Unresolved
	// looked, when not nil, collects the names looked up.
	looked map[string]bool
}

func indexBindings(f *syntax.File) map[string][]syntax.Binding {
	m := make(map[string][]syntax.Binding)
	for _, b := range f.Bindings {
		m[b.Name] = append(m[b.Name], b)
	}
	return m
}

// resolve returns the flag key an expression spells: a string literal, or
// a name bound to one. ok is false for anything else.
func (m *matcher) resolve(e syntax.Expr, scope int) (string, bool) {
	for hops := 0; hops < 4; hops++ {
		switch e.Kind {
		case syntax.String:
			return e.Value, e.Value != ""
		case syntax.Ident:
			b, ok := m.binding(e.Value, scope)
			if !ok {
				return "", false
			}
			e, scope = b.Value, b.Scope
		default:
			return "", false
		}
	}
	return "", false
}

// binding returns the one binding of name visible from scope: the
// innermost enclosing scope that binds it, provided it binds it once (or
// always to the same literal). A name bound in a sibling function, or
// reassigned, does not resolve.
func (m *matcher) binding(name string, scope int) (syntax.Binding, bool) {
	if m.looked != nil {
		m.looked[name] = true
	}
	best, found, ambiguous := syntax.Binding{}, false, false
	bestScope := -1
	for _, b := range m.bindings[name] {
		if !m.file.Encloses(b.Scope, scope) {
			continue
		}
		switch {
		case !found || m.file.Encloses(bestScope, b.Scope) && b.Scope != bestScope:
			best, bestScope, found, ambiguous = b, b.Scope, true, false
		case b.Scope == bestScope:
			if b.Value.Kind != syntax.String || best.Value.Kind != syntax.String || b.Value.Value != best.Value.Value {
				ambiguous = true
			}
		}
	}
	return best, found && !ambiguous
}

// key records a reference for the key expression e, or an unresolved entry
// when e is not a constant. It returns whether a reference was recorded.
func (m *matcher) key(e syntax.Expr, scope int, rule string, def *syntax.Expr, typ string) bool {
	k, ok := m.resolve(e, scope)
	if !ok {
		if e.Kind != syntax.Null && e.Kind != syntax.Number && e.Kind != syntax.Bool {
			m.unresolved = append(m.unresolved, Unresolved{Pos: e.Pos, Rule: rule, Text: e.Text})
		}
		return false
	}
	r := Reference{Key: k, Pos: e.Pos, Rule: rule}
	if def != nil {
		r.Default = def.Text
		if typ == "" {
			typ = m.typeOf(*def, scope)
		}
	}
	r.Type = typ
	m.refs = append(m.refs, r)
	return true
}

// typeOf gives the flag type a default value shows, looking through a
// constant to its literal.
func (m *matcher) typeOf(e syntax.Expr, scope int) string {
	if e.Kind == syntax.Ident {
		if b, ok := m.binding(e.Value, scope); ok && b.Value.Kind != syntax.Ident {
			e = b.Value
		}
	}
	switch e.Kind {
	case syntax.String, syntax.Template:
		return "string"
	case syntax.Number:
		return "number"
	case syntax.Bool:
		return "boolean"
	case syntax.Object, syntax.Array:
		return "json"
	}
	return "unknown"
}

// custom applies the users' call rules.
func (m *matcher) custom() {
	for _, r := range m.set.calls {
		if len(r.Languages) > 0 && !slices.Contains(r.Languages, m.file.Language) {
			continue
		}
		for _, c := range m.file.Calls {
			if !slices.Contains(r.Calls, c.Name) || r.KeyArgument >= len(c.Args) {
				continue
			}
			var def *syntax.Expr
			if r.DefaultArgument >= 0 && r.DefaultArgument < len(c.Args) {
				def = &c.Args[r.DefaultArgument].Value
			}
			m.key(c.Args[r.KeyArgument].Value, c.Scope, r.Name, def, "")
		}
	}
}

// queryMatches turns the @key captures of users' queries into references.
func (m *matcher) queryMatches() {
	for _, q := range m.file.Queries {
		m.key(q.Key, 0, q.Rule, nil, "")
	}
}
