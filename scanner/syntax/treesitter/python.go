package treesitter

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/python"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// pythonLanguage returns the Python grammar.
func pythonLanguage() (*sitter.Language, grammar) { return python.GetLanguage(), pythonGrammar{} }

// pythonGrammar models Python: visitor.get_modification("k", def,
// activate=False), visitor.get_flag("k", def).value() and the like, with
// keyword arguments as labels.
type pythonGrammar struct{}

func (pythonGrammar) query() string {
	return `
(call) @call
(subscript) @call
(comment) @comment
[(function_definition) (lambda)] @scope
[(assignment) (augmented_assignment) (named_expression)] @binding
`
}

// moduleQuery adds the patterns of what the file imports, exports and
// declares, for keys named in other files.
func (pythonGrammar) moduleQuery() string {
	return `
[(import_statement) (import_from_statement)] @import
[(parameters) (lambda_parameters)] @params
(class_definition) @type
`
}

func (pythonGrammar) callee(x *extraction, n *node) (string, *node, *node, []arg) {
	if n.Type() == "subscript" {
		return x.subscriptCallee(n, "subscript", "value")
	}
	name, recv := x.memberCallee(n, "attribute", "attribute", "object")
	if name == nil {
		return "", nil, nil, nil
	}
	var args []arg
	// A call with a generator argument, f(x for x in y), has no argument_list.
	if list := x.field(n, "arguments"); list != nil && list.Type() == "argument_list" {
		for i := 0; i < int(list.NamedChildCount()); i++ {
			a := list.NamedChild(i)
			switch a.Type() {
			case "comment":
			case "keyword_argument":
				k, v := x.field(a, "name"), x.field(a, "value")
				if k != nil && v != nil {
					args = append(args, arg{label: x.text(k), node: v})
				}
			default:
				args = append(args, arg{node: a})
			}
		}
	}
	return x.text(name), name, recv, args
}

func (g pythonGrammar) expr(x *extraction, n *node, depth int) syntax.Expr {
	switch n.Type() {
	case "string":
		return pythonString(x, n)
	case "concatenated_string":
		// "a" "b" is one literal; one f-string part with a substitution
		// makes the whole a template.
		var b strings.Builder
		for i := 0; i < int(n.NamedChildCount()); i++ {
			c := n.NamedChild(i)
			if c.Type() != "string" {
				continue
			}
			s := pythonString(x, c)
			if s.Kind != syntax.String {
				return syntax.Expr{Kind: syntax.Template}
			}
			b.WriteString(s.Value)
		}
		return syntax.Expr{Kind: syntax.String, Value: b.String()}
	case "integer", "float":
		return syntax.Expr{Kind: syntax.Number, Value: x.text(n)}
	case "true":
		return syntax.Expr{Kind: syntax.Bool, Value: "true"}
	case "false":
		return syntax.Expr{Kind: syntax.Bool, Value: "false"}
	case "none":
		return syntax.Expr{Kind: syntax.Null}
	case "identifier":
		return syntax.Expr{Kind: syntax.Ident, Value: x.text(n)}
	case "attribute":
		// flags.BTN or self.KEY: the last name is the one bound.
		if a := x.field(n, "attribute"); a != nil {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(a), Path: x.namePath(n, "attribute", "object", "attribute", pythonIdent)}
		}
	case "parenthesized_expression", "await":
		if n.NamedChildCount() > 0 {
			return x.expr(n.NamedChild(0), depth)
		}
	case "unary_operator":
		if op := x.field(n, "operator"); op != nil && x.text(op) == "-" {
			if v := x.expr(x.field(n, "argument"), depth); v.Kind == syntax.Number {
				return syntax.Expr{Kind: syntax.Number, Value: "-" + v.Value}
			}
		}
	case "binary_operator":
		op := x.field(n, "operator")
		if op == nil {
			break
		}
		l, r := x.expr(x.field(n, "left"), depth), x.expr(x.field(n, "right"), depth)
		// "flag-%s" % x formats a string: a template.
		if x.text(op) == "%" && (l.Kind == syntax.String || l.Kind == syntax.Template) {
			return syntax.Expr{Kind: syntax.Template}
		}
		return concat(l, r, x.text(op) == "+")
	case "dictionary":
		e := syntax.Expr{Kind: syntax.Object}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			c := n.NamedChild(i)
			if c.Type() != "pair" {
				continue
			}
			k := x.expr(x.field(c, "key"), depth)
			if k.Kind == syntax.String {
				e.Props = append(e.Props, syntax.Prop{Key: k.Value, Value: x.expr(x.field(c, "value"), depth)})
			}
		}
		return e
	case "list", "tuple", "set":
		e := syntax.Expr{Kind: syntax.Array}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); c.Type() != "comment" {
				e.Elems = append(e.Elems, x.expr(c, depth))
			}
		}
		return e
	case "call":
		// "flag-{}".format(x) formats a string: a template.
		if fn := x.field(n, "function"); fn != nil && fn.Type() == "attribute" {
			obj, a := x.field(fn, "object"), x.field(fn, "attribute")
			if obj != nil && a != nil && x.text(a) == "format" && (obj.Type() == "string" || obj.Type() == "concatenated_string") {
				return syntax.Expr{Kind: syntax.Template}
			}
		}
		return x.callExpr(n)
	case "subscript":
		return x.callExpr(n)
	}
	return x.other(n)
}

// pythonString models a string literal from its prefix and body: an
// f-string with a substitution is a template, a raw string keeps its
// backslashes.
func pythonString(x *extraction, n *node) syntax.Expr {
	start, end := "", ""
	for i := 0; i < int(n.NamedChildCount()); i++ {
		c := n.NamedChild(i)
		switch c.Type() {
		case "interpolation":
			return syntax.Expr{Kind: syntax.Template}
		case "string_start":
			start = x.text(c)
		case "string_end":
			end = x.text(c)
		}
	}
	s := x.text(n)
	if start == "" || len(s) < len(start)+len(end) {
		return syntax.Expr{Kind: syntax.Other}
	}
	body := s[len(start) : len(s)-len(end)]
	if strings.ContainsAny(strings.TrimRight(start, `"'`), "rR") {
		return syntax.Expr{Kind: syntax.String, Value: body}
	}
	// f"{{x}}" spells braces; a plain string's {{ is two braces.
	if strings.ContainsAny(start, "fF") {
		body = strings.NewReplacer("{{", "{", "}}", "}").Replace(body)
	}
	return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(body)}
}

func (pythonGrammar) bindings(x *extraction, n *node) []syntax.Binding {
	left, right := x.field(n, "left"), x.field(n, "right")
	switch n.Type() {
	case "named_expression":
		left, right = x.field(n, "name"), x.field(n, "value")
	case "augmented_assignment":
		// x += "a" rebinds x to what is not a literal: a binding without
		// a value keeps the name from resolving.
		right = nil
	}
	if left == nil {
		return nil
	}
	// Module-level NAME = "x" is Python's constant by convention; the
	// rules resolve any single binding, Const only documents intent.
	if left.Type() == "pattern_list" || left.Type() == "tuple_pattern" {
		// a, b = "x", "y" pairs names and values one to one.
		var vals []*node
		if right != nil && (right.Type() == "expression_list" || right.Type() == "tuple") {
			for i := 0; i < int(right.NamedChildCount()); i++ {
				vals = append(vals, right.NamedChild(i))
			}
		}
		var out []syntax.Binding
		for i := 0; i < int(left.NamedChildCount()); i++ {
			name := x.pythonName(left.NamedChild(i))
			if name == nil {
				continue
			}
			b := syntax.Binding{Name: x.text(name), Const: pythonConstName(x.text(name))}
			if len(vals) == int(left.NamedChildCount()) {
				b.Value = x.expr(vals[i], 1)
			}
			out = append(out, b)
		}
		return out
	}
	name := x.pythonName(left)
	if name == nil {
		return nil
	}
	b := syntax.Binding{Name: x.text(name), Const: pythonConstName(x.text(name))}
	// A chained assignment a = b = "x" nests an assignment as the value.
	for right != nil && right.Type() == "assignment" {
		right = x.field(right, "right")
	}
	if right != nil {
		b.Value = x.expr(right, 1)
	}
	return []syntax.Binding{b}
}

// pythonName returns the name an assignment target binds: an identifier,
// or the attribute of self.name, or nil.
func (x *extraction) pythonName(n *node) *node {
	if n == nil {
		return nil
	}
	switch n.Type() {
	case "identifier":
		return n
	case "attribute":
		return x.field(n, "attribute")
	}
	return nil
}

// pythonConstName reports whether name follows the UPPER_CASE convention
// of a Python constant.
func pythonConstName(name string) bool {
	return strings.ToUpper(name) == name && strings.ToLower(name) != name
}

func (pythonGrammar) assigned(x *extraction, n *node) string {
	p := x.parent(n)
	for up := 0; p != nil && up < maxUnwrap && (p.Type() == "await" || p.Type() == "parenthesized_expression"); up++ {
		n, p = p, x.parent(p)
	}
	if p == nil {
		return ""
	}
	var name, value *node
	switch p.Type() {
	case "assignment":
		name, value = x.field(p, "left"), x.field(p, "right")
	case "named_expression":
		name, value = x.field(p, "name"), x.field(p, "value")
	}
	if value == nil || value.ID() != n.ID() {
		return ""
	}
	if name == nil || name.Type() != "identifier" {
		return ""
	}
	return x.text(name)
}

func pythonIdent(t string) bool { return t == "identifier" }

// declare records imports and parameters.
func (pythonGrammar) declare(x *extraction, n *node, capture string) {
	switch capture {
	case "import":
		pythonImport(x, n)
	case "params":
		for i := 0; i < int(n.NamedChildCount()); i++ {
			p := n.NamedChild(i)
			switch p.Type() {
			case "default_parameter", "typed_default_parameter":
				p = x.field(p, "name")
			case "typed_parameter", "list_splat_pattern", "dictionary_splat_pattern":
				p = p.NamedChild(0)
			}
			if p != nil && p.Type() == "identifier" {
				x.param(p)
			}
		}
	}
}

// pythonImport records import a.b, import a.b as m, from m import X (as
// Y), from . import m and from m import *.
func pythonImport(x *extraction, n *node) {
	from := ""
	if m := x.field(n, "module_name"); m != nil {
		from = strings.Join(strings.Fields(x.text(m)), "")
	}
	add := func(local, name string, at *node, mod string) {
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: local, From: mod, Name: name, Pos: x.pos(at)})
	}
	for i := 0; i < int(n.ChildCount()); i++ {
		c := n.Child(i)
		if c.Type() == "wildcard_import" {
			add("*", "*", c, from)
			continue
		}
		if n.FieldNameForChild(i) != "name" {
			continue
		}
		name, alias := c, (*node)(nil)
		if c.Type() == "aliased_import" {
			name, alias = x.field(c, "name"), x.field(c, "alias")
		}
		if name == nil {
			continue
		}
		dotted := strings.Join(strings.Fields(x.text(name)), "")
		switch {
		case n.Type() == "import_statement" && alias != nil:
			add(x.text(alias), "", alias, dotted)
		case n.Type() == "import_statement":
			add(dotted, "", name, dotted)
		case alias != nil:
			add(x.text(alias), dotted, alias, from)
		default:
			add(dotted, dotted, name, from)
		}
	}
}
