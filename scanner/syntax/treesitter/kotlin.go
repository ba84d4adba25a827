package treesitter

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/kotlin"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// kotlinLanguage returns the Kotlin grammar.
func kotlinLanguage() (*sitter.Language, grammar) { return kotlin.GetLanguage(), kotlinGrammar{} }

// kotlinGrammar models Kotlin: Flagship.getModification("k", def, true),
// visitor.getFlag("k").value(def, visitorExposed = true),
// visitor.getFlags()["k"] and the like. The Kotlin grammar names no fields,
// so nodes are taken apart by position and type.
type kotlinGrammar struct{}

func (kotlinGrammar) query() string {
	return `
(call_expression) @call
(indexing_expression) @call
[(line_comment) (multiline_comment)] @comment
[(function_declaration) (lambda_literal) (anonymous_function) (secondary_constructor)
 (anonymous_initializer) (getter) (setter)] @scope
[(property_declaration) (assignment)] @binding
`
}

// moduleQuery adds the patterns of what the file imports, exports and
// declares, for keys named in other files.
func (kotlinGrammar) moduleQuery() string {
	return `
(package_header) @package
(import_header) @import
[(class_declaration) (object_declaration)] @type
`
}

func (kotlinGrammar) callee(x *extraction, n *node) (string, *node, *node, []arg) {
	if n.NamedChildCount() < 2 {
		return "", nil, nil, nil
	}
	fn, suffix := n.NamedChild(0), n.NamedChild(1)
	if n.Type() == "indexing_expression" {
		if suffix.Type() != "indexing_suffix" || suffix.NamedChildCount() == 0 {
			return "", nil, nil, nil
		}
		var args []arg
		for i := 0; i < int(suffix.NamedChildCount()); i++ {
			args = append(args, arg{node: suffix.NamedChild(i)})
		}
		return "[]", suffix.NamedChild(0), fn, args
	}
	if suffix.Type() != "call_suffix" {
		return "", nil, nil, nil
	}
	var name, recv *node
	switch fn.Type() {
	case "simple_identifier":
		name = fn
	case "navigation_expression":
		name, recv = kotlinNavigationName(fn), fn.NamedChild(0)
	}
	if name == nil {
		return "", nil, nil, nil
	}
	var args []arg
	for i := 0; i < int(suffix.NamedChildCount()); i++ {
		c := suffix.NamedChild(i)
		switch c.Type() {
		case "value_arguments":
			for j := 0; j < int(c.NamedChildCount()); j++ {
				if a, ok := kotlinArgument(x, c.NamedChild(j)); ok {
					args = append(args, a)
				}
			}
		case "annotated_lambda":
			// A trailing lambda is the last argument.
			if l := c.NamedChild(int(c.NamedChildCount()) - 1); l != nil {
				args = append(args, arg{node: l})
			}
		}
	}
	return x.text(name), name, recv, args
}

// kotlinNavigationName returns the name after the dot of a.b (or a?.b),
// or nil when the suffix is not a name (a::class).
func kotlinNavigationName(n *node) *node {
	if n.NamedChildCount() < 2 {
		return nil
	}
	s := n.NamedChild(int(n.NamedChildCount()) - 1)
	if s.Type() != "navigation_suffix" || s.NamedChildCount() == 0 {
		return nil
	}
	if name := s.NamedChild(int(s.NamedChildCount()) - 1); name.Type() == "simple_identifier" {
		return name
	}
	return nil
}

// kotlinArgument takes a value_argument apart: name = value, *spread or a
// plain value. Its value is the last child, named or not (null is an
// anonymous token in this grammar).
func kotlinArgument(x *extraction, n *node) (arg, bool) {
	if n.Type() != "value_argument" || n.ChildCount() == 0 {
		return arg{}, false
	}
	a := arg{node: n.Child(int(n.ChildCount()) - 1)}
	if n.ChildCount() >= 3 && n.Child(1).Type() == "=" && n.Child(0).Type() == "simple_identifier" {
		a.label = x.text(n.Child(0))
	}
	return a, true
}

func (g kotlinGrammar) expr(x *extraction, n *node, depth int) syntax.Expr {
	switch n.Type() {
	case "string_literal":
		return kotlinString(x, n)
	case "character_literal":
		return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(unquote(x.text(n), 1))}
	case "integer_literal", "real_literal", "long_literal", "hex_literal", "bin_literal", "unsigned_literal":
		return syntax.Expr{Kind: syntax.Number, Value: x.text(n)}
	case "boolean_literal":
		return syntax.Expr{Kind: syntax.Bool, Value: strings.TrimSpace(x.text(n))}
	case "null":
		return syntax.Expr{Kind: syntax.Null}
	case "simple_identifier":
		return syntax.Expr{Kind: syntax.Ident, Value: x.text(n)}
	case "navigation_expression":
		// Flags.BTN or Companion.KEY: the last name is the one bound.
		if name := kotlinNavigationName(n); name != nil {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(name), Path: x.chainPath(n, kotlinSplit, kotlinIdent)}
		}
	case "parenthesized_expression":
		if n.NamedChildCount() > 0 {
			return x.expr(n.NamedChild(0), depth)
		}
	case "prefix_expression":
		if n.ChildCount() == 2 && n.Child(0).Type() == "-" {
			if v := x.expr(n.Child(1), depth); v.Kind == syntax.Number {
				return syntax.Expr{Kind: syntax.Number, Value: "-" + v.Value}
			}
		}
	case "additive_expression":
		if n.ChildCount() == 3 {
			return concat(x.expr(n.Child(0), depth), x.expr(n.Child(2), depth), n.Child(1).Type() == "+")
		}
	case "collection_literal":
		e := syntax.Expr{Kind: syntax.Array}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			e.Elems = append(e.Elems, x.expr(n.NamedChild(i), depth))
		}
		return e
	case "call_expression":
		return kotlinCall(x, n, depth)
	case "indexing_expression":
		return x.callExpr(n)
	}
	return x.other(n)
}

// kotlinCall models a call inside an expression. mapOf/listOf and
// JSONObject()/JSONArray() are what Kotlin writes for object and array
// defaults; String.format and "...".format(x) build a template.
func kotlinCall(x *extraction, n *node, depth int) syntax.Expr {
	fn := n.NamedChild(0)
	if fn == nil {
		return x.other(n)
	}
	switch fn.Type() {
	case "simple_identifier":
		name := x.text(fn)
		switch kotlinCollections[name] {
		case syntax.Object:
			return kotlinMapOf(x, n, depth)
		case syntax.Array:
			e := syntax.Expr{Kind: syntax.Array}
			for _, a := range kotlinArgs(x, n) {
				e.Elems = append(e.Elems, x.expr(a.node, depth))
			}
			return e
		}
		if k := jsonKind(name); k != syntax.Other {
			return syntax.Expr{Kind: k}
		}
	case "navigation_expression":
		if name := kotlinNavigationName(fn); name != nil && x.text(name) == "format" {
			if recv := fn.NamedChild(0); recv != nil && (recv.Type() == "string_literal" || x.text(recv) == "String") {
				return syntax.Expr{Kind: syntax.Template}
			}
		}
	}
	return x.callExpr(n)
}

// kotlinCollections are the standard library's collection builders, the
// literals of Kotlin, by the kind of literal each stands for.
var kotlinCollections = map[string]syntax.Kind{
	"mapOf": syntax.Object, "mutableMapOf": syntax.Object, "hashMapOf": syntax.Object,
	"linkedMapOf": syntax.Object, "sortedMapOf": syntax.Object, "emptyMap": syntax.Object,
	"listOf": syntax.Array, "mutableListOf": syntax.Array, "arrayListOf": syntax.Array, "emptyList": syntax.Array,
	"arrayOf": syntax.Array, "intArrayOf": syntax.Array, "doubleArrayOf": syntax.Array, "emptyArray": syntax.Array,
	"setOf": syntax.Array, "mutableSetOf": syntax.Array, "hashSetOf": syntax.Array, "emptySet": syntax.Array,
}

// kotlinArgs returns the value arguments of a call node.
func kotlinArgs(x *extraction, n *node) []arg {
	var args []arg
	if s := n.NamedChild(1); s != nil && s.Type() == "call_suffix" {
		for i := 0; i < int(s.NamedChildCount()); i++ {
			if c := s.NamedChild(i); c.Type() == "value_arguments" {
				for j := 0; j < int(c.NamedChildCount()); j++ {
					if a, ok := kotlinArgument(x, c.NamedChild(j)); ok {
						args = append(args, a)
					}
				}
			}
		}
	}
	return args
}

// kotlinMapOf models mapOf("a" to 1, ...) as an object.
func kotlinMapOf(x *extraction, n *node, depth int) syntax.Expr {
	e := syntax.Expr{Kind: syntax.Object}
	for _, a := range kotlinArgs(x, n) {
		p := a.node
		// "a" to 1 is an infix call of to: key, operator name, value.
		if p.Type() != "infix_expression" || p.NamedChildCount() != 3 || x.text(p.NamedChild(1)) != "to" {
			continue
		}
		if k := x.expr(p.NamedChild(0), depth); k.Kind == syntax.String {
			e.Props = append(e.Props, syntax.Prop{Key: k.Value, Value: x.expr(p.NamedChild(2), depth)})
		}
	}
	return e
}

// kotlinString models a string literal: one with a $name or ${expr}
// substitution is a template; a raw """ string keeps its backslashes.
func kotlinString(x *extraction, n *node) syntax.Expr {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		switch n.NamedChild(i).Type() {
		case "interpolated_identifier", "interpolated_expression":
			return syntax.Expr{Kind: syntax.Template}
		}
	}
	s := x.text(n)
	if strings.HasPrefix(s, `"""`) {
		return syntax.Expr{Kind: syntax.String, Value: unquote(s, 3)}
	}
	return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(unquote(s, 1))}
}

func (kotlinGrammar) bindings(x *extraction, n *node) []syntax.Binding {
	switch n.Type() {
	case "property_declaration":
		var name, value *node
		constant, afterEq := false, false
		for i := 0; i < int(n.ChildCount()); i++ {
			c := n.Child(i)
			switch {
			case afterEq:
				value, afterEq = c, false
			case c.Type() == "binding_pattern_kind":
				constant = x.text(c) == "val"
			case c.Type() == "variable_declaration" && c.NamedChildCount() > 0:
				name = c.NamedChild(0)
			case c.Type() == "=":
				afterEq = true
			}
		}
		// val (a, b) = pair binds through a multi_variable_declaration,
		// never to a literal: left out.
		if name == nil || name.Type() != "simple_identifier" {
			return nil
		}
		b := syntax.Binding{Name: x.text(name), Const: constant}
		if value != nil {
			b.Value = x.expr(value, 1)
		}
		return []syntax.Binding{b}
	case "assignment":
		if n.ChildCount() < 3 {
			return nil
		}
		target, op := n.Child(0), n.Child(1)
		name := kotlinAssignable(target)
		if name == nil {
			return nil
		}
		b := syntax.Binding{Name: x.text(name)}
		// s += "x" rebinds s to what is not a literal: no value.
		if op.Type() == "=" {
			b.Value = x.expr(n.Child(int(n.ChildCount())-1), 1)
		}
		return []syntax.Binding{b}
	}
	return nil
}

// kotlinAssignable returns the name an assignment target binds: x, or the
// last name of this.x; nil for a[i] = ... and the like.
func kotlinAssignable(n *node) *node {
	if n == nil || n.Type() != "directly_assignable_expression" || n.NamedChildCount() == 0 {
		return nil
	}
	last := n.NamedChild(int(n.NamedChildCount()) - 1)
	switch last.Type() {
	case "simple_identifier":
		return last
	case "navigation_suffix":
		if last.NamedChildCount() > 0 {
			if name := last.NamedChild(int(last.NamedChildCount()) - 1); name.Type() == "simple_identifier" {
				return name
			}
		}
	}
	return nil
}

func (kotlinGrammar) assigned(x *extraction, n *node) string {
	p := x.parent(n)
	for up := 0; p != nil && up < maxUnwrap && p.Type() == "parenthesized_expression"; up++ {
		n, p = p, x.parent(p)
	}
	if p == nil || p.ChildCount() < 3 {
		return ""
	}
	// The value is the last child of both a property declaration and an
	// assignment; anything else (a delegate, a getter) is not assigned.
	if last := p.Child(int(p.ChildCount()) - 1); last.ID() != n.ID() {
		return ""
	}
	if eq := p.Child(int(p.ChildCount()) - 2); eq.Type() != "=" {
		return ""
	}
	var name *node
	switch p.Type() {
	case "property_declaration":
		for i := 0; i < int(p.NamedChildCount()); i++ {
			if c := p.NamedChild(i); c.Type() == "variable_declaration" && c.NamedChildCount() > 0 {
				name = c.NamedChild(0)
			}
		}
	case "assignment":
		name = kotlinAssignable(p.Child(0))
		// this.flag = ... binds a field, not a local the rules can follow.
		if name != nil && p.Child(0).NamedChildCount() != 1 {
			name = nil
		}
	}
	if name == nil || name.Type() != "simple_identifier" {
		return ""
	}
	return x.text(name)
}

func kotlinIdent(t string) bool { return t == "simple_identifier" }

// kotlinSplit takes a.b apart for chainPath.
func kotlinSplit(n *node) (*node, *node) {
	if n.Type() != "navigation_expression" {
		return nil, nil
	}
	return n.NamedChild(0), kotlinNavigationName(n)
}

// declare records the package and imports: import a.b.Keys, import
// a.b.KEY (a top-level constant), import a.b.Keys as K, import a.b.*.
func (kotlinGrammar) declare(x *extraction, n *node, capture string) {
	var name, alias *node
	wildcard := false
	for i := 0; i < int(n.NamedChildCount()); i++ {
		switch c := n.NamedChild(i); c.Type() {
		case "identifier":
			name = c
		case "import_alias":
			alias = typeName(c)
		case "wildcard_import":
			wildcard = true
		}
	}
	if name == nil {
		return
	}
	dotted := strings.Join(strings.Fields(x.text(name)), "")
	local := dotted[strings.LastIndexByte(dotted, '.')+1:]
	if alias != nil {
		local = x.text(alias)
	}
	switch {
	case capture == "package":
		x.file.Package = dotted
	case capture != "import":
	case wildcard:
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: "*", From: dotted, Pos: x.pos(n)})
	default:
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: local, From: dotted, Pos: x.pos(n)})
	}
}
