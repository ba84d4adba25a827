package rules

import (
	"path"
	"slices"
	"strings"

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

// maxHops bounds how many names are followed from a key expression to
// its literal, so that a = b, b = a ends.
const maxHops = 8

// resolution is where resolving a key expression in its file ended.
type resolution struct {
	key string
	ok  bool
	// via is where the literal is written when the expression is a name
	// bound to it; zero for a literal.
	via syntax.Pos
	// free is the name the expression came down to when this file does
	// not bind it (it is imported, or defined in another file of the
	// package): the names of its chain. nil when resolution failed on a
	// name this file binds to what is not a constant.
	free []string
}

// resolve returns the flag key an expression spells: a string literal, a
// name bound to one, or a member of an object bound to a name
// (FLAGS.CHECKOUT with const FLAGS = {CHECKOUT: "k"}). ok is false for
// anything else.
func (m *matcher) resolve(e syntax.Expr, scope int) (string, bool) {
	r := m.resolution(e, scope)
	return r.key, r.ok
}

func (m *matcher) resolution(e syntax.Expr, scope int) resolution {
	var rest []string
	for hops := 0; hops < maxHops; hops++ {
		for len(rest) > 0 && e.Kind == syntax.Object {
			v, ok := prop(e, rest[0])
			if !ok {
				return resolution{}
			}
			e, rest = v, rest[1:]
		}
		switch e.Kind {
		case syntax.String:
			if len(rest) > 0 || e.Value == "" {
				return resolution{}
			}
			r := resolution{key: e.Value, ok: true}
			if hops > 0 {
				r.via = e.Pos
			}
			return r
		case syntax.Ident:
			names := append(slices.Clip(e.Names()), rest...)
			if b, ok := m.binding(names[0], scope); ok {
				e, scope, rest = b.Value, b.Scope, names[1:]
				continue
			}
			if len(names) > 1 && isInstance(names[0]) {
				// self.KEY, this.KEY: a member of the enclosing type,
				// bound in this file or not known.
				if b, ok := m.binding(names[len(names)-1], scope); ok {
					e, scope, rest = b.Value, b.Scope, nil
					continue
				}
				return resolution{}
			}
			if m.bound(names[0], scope) {
				// A parameter, a reassigned variable: what it holds is not
				// known here, and it hides any name of another file.
				return resolution{}
			}
			if len(names) > 1 && !m.imported(names[0]) {
				// Flags.BTN inside class Flags, self.KEY: a member
				// named through its type or instance, bound in this file.
				if b, ok := m.binding(names[len(names)-1], scope); ok && ownedBy(b, names[len(names)-2]) {
					e, scope, rest = b.Value, b.Scope, nil
					continue
				}
			}
			return resolution{free: names}
		default:
			return resolution{}
		}
	}
	return resolution{}
}

// ownedBy reports whether a binding can be the member a chain names
// through owner: one bound in a type of that name, or, where the
// extractor does not say which type a binding is in, any binding.
func ownedBy(b syntax.Binding, owner string) bool {
	return len(b.Owner) == 0 || b.Owner[len(b.Owner)-1] == owner || !isTypeName(owner)
}

// isTypeName reports a name that may be a type's: one starting with an
// upper-case letter. self.KEY and this.KEY name a member through an
// instance, whatever its type.
func isTypeName(s string) bool {
	return s != "" && s[0] >= 'A' && s[0] <= 'Z'
}

// isInstance reports the names by which a method names its own object or
// class.
func isInstance(name string) bool {
	return name == "self" || name == "cls" || name == "this"
}

// bound reports whether any binding of name is visible from scope.
func (m *matcher) bound(name string, scope int) bool {
	for _, b := range m.bindings[name] {
		if m.file.Encloses(b.Scope, scope) {
			return true
		}
	}
	return false
}

// imported reports whether name (the head of a chain) is one the file
// imports. An import that names no local name (Go's) binds the module's
// own name, by convention the last element of its path.
func (m *matcher) imported(name string) bool {
	for _, im := range m.file.Imports {
		if im.Local == name || strings.HasPrefix(im.Local, name+".") || im.Local == "" && path.Base(im.From) == name {
			return true
		}
	}
	return false
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
	if found && best.Param {
		return syntax.Binding{}, false
	}
	return best, found && !ambiguous
}

// key records a reference for the key expression e, or an unresolved entry
// when e is not a constant. It returns whether a reference was recorded.
func (m *matcher) key(e syntax.Expr, scope int, rule string, def *syntax.Expr, typ string) bool {
	res := m.resolution(e, scope)
	r := Reference{Key: res.key, Pos: e.Pos, Rule: rule, Via: res.via}
	if def != nil {
		r.Default = def.Text
		if typ == "" {
			typ = m.typeOf(*def, scope)
		}
	}
	r.Type = typ
	if !res.ok {
		if e.Kind != syntax.Null && e.Kind != syntax.Number && e.Kind != syntax.Bool {
			m.unresolved = append(m.unresolved, Unresolved{Pos: e.Pos, Rule: rule, Text: e.Text, Name: res.free, Default: r.Default, Type: r.Type})
		}
		return false
	}
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
