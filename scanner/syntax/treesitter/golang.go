package treesitter

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/golang"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// goLanguage returns the Go grammar.
func goLanguage() (*sitter.Language, grammar) { return golang.GetLanguage(), goGrammar{} }

// goGrammar models Go. The Go SDK (v2) is called as
// v.GetModificationString("k", def, activate) and its siblings, so calls
// are selector or plain calls; Go has no subscript on a flag collection.
type goGrammar struct{}

func (goGrammar) query() string {
	return `
(call_expression) @call
(comment) @comment
[(function_declaration) (method_declaration) (func_literal)] @scope
[(const_spec) (var_spec) (short_var_declaration) (assignment_statement)] @binding
`
}

// moduleQuery adds the patterns of what the file imports, exports and
// declares, for keys named in other files.
func (goGrammar) moduleQuery() string {
	return `
(package_clause) @package
(import_spec) @import
[(parameter_declaration) (variadic_parameter_declaration)] @params
`
}

func (goGrammar) callee(x *extraction, n *node) (string, *node, *node, []arg) {
	name, recv := x.memberCallee(n, "selector_expression", "field", "operand")
	if name == nil {
		return "", nil, nil, nil
	}
	var args []arg
	if list := x.field(n, "arguments"); list != nil {
		for i := 0; i < int(list.NamedChildCount()); i++ {
			if a := list.NamedChild(i); a.Type() != "comment" {
				args = append(args, arg{node: a})
			}
		}
	}
	return x.text(name), name, recv, args
}

func (g goGrammar) expr(x *extraction, n *node, depth int) syntax.Expr {
	switch n.Type() {
	case "interpreted_string_literal":
		return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(unquote(x.text(n), 1))}
	case "raw_string_literal":
		// Raw strings keep backslashes; gofmt-independent carriage returns
		// are dropped by the compiler, so they are dropped here too.
		return syntax.Expr{Kind: syntax.String, Value: strings.ReplaceAll(unquote(x.text(n), 1), "\r", "")}
	case "int_literal", "float_literal", "imaginary_literal":
		return syntax.Expr{Kind: syntax.Number, Value: x.text(n)}
	case "true", "false":
		return syntax.Expr{Kind: syntax.Bool, Value: n.Type()}
	case "nil":
		return syntax.Expr{Kind: syntax.Null}
	case "identifier":
		return syntax.Expr{Kind: syntax.Ident, Value: x.text(n)}
	case "selector_expression":
		// pkg.Const or cfg.Key: the last name is the one bound.
		if f := x.field(n, "field"); f != nil {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(f), Path: x.namePath(n, "selector_expression", "operand", "field", goName)}
		}
	case "parenthesized_expression":
		if n.NamedChildCount() > 0 {
			return x.expr(n.NamedChild(0), depth)
		}
	case "unary_expression":
		if op := x.field(n, "operator"); op != nil && x.text(op) == "-" {
			if v := x.expr(x.field(n, "operand"), depth); v.Kind == syntax.Number {
				return syntax.Expr{Kind: syntax.Number, Value: "-" + v.Value}
			}
		}
	case "binary_expression":
		op := x.field(n, "operator")
		return concat(x.expr(x.field(n, "left"), depth), x.expr(x.field(n, "right"), depth), op != nil && x.text(op) == "+")
	case "composite_literal":
		return goComposite(x, x.field(n, "type"), x.field(n, "body"), depth)
	case "call_expression":
		// fmt.Sprintf("flag-%s", x) builds a string from values: a
		// template, never a key.
		if fn := x.field(n, "function"); fn != nil && fn.Type() == "selector_expression" {
			op, f := x.field(fn, "operand"), x.field(fn, "field")
			if op != nil && f != nil && x.text(op) == "fmt" && strings.HasPrefix(x.text(f), "Sprint") {
				return syntax.Expr{Kind: syntax.Template}
			}
		}
		return x.callExpr(n)
	}
	return x.other(n)
}

// goComposite models a composite literal: slices and arrays are arrays,
// maps and structs are objects. typ is nil for the elided type of a
// nested literal ({...} inside []T{...}), taken as an object when its
// elements are keyed.
func goComposite(x *extraction, typ, body *node, depth int) syntax.Expr {
	if body == nil {
		return x.other(body)
	}
	array := false
	if typ != nil {
		switch typ.Type() {
		case "slice_type", "array_type", "implicit_length_array_type":
			array = true
		}
	} else {
		array = true
		for i := 0; i < int(body.NamedChildCount()); i++ {
			if body.NamedChild(i).Type() == "keyed_element" {
				array = false
				break
			}
		}
	}
	e := syntax.Expr{Kind: syntax.Object}
	if array {
		e.Kind = syntax.Array
	}
	for i := 0; i < int(body.NamedChildCount()); i++ {
		c := body.NamedChild(i)
		switch c.Type() {
		case "keyed_element":
			if e.Kind != syntax.Object || c.NamedChildCount() < 2 {
				continue
			}
			k, v := goElement(c.NamedChild(0)), goElement(c.NamedChild(1))
			if k == nil || v == nil {
				continue
			}
			key := x.expr(k, depth)
			switch key.Kind {
			case syntax.String, syntax.Ident:
				e.Props = append(e.Props, syntax.Prop{Key: key.Value, Value: goElementExpr(x, v, depth)})
			}
		case "comment":
		default:
			if e.Kind == syntax.Array {
				if v := goElement(c); v != nil {
					e.Elems = append(e.Elems, goElementExpr(x, v, depth))
				}
			}
		}
	}
	return e
}

// goElement unwraps the literal_element around a composite literal's
// keys and values (grammar versions differ in whether they have one).
func goElement(n *node) *node {
	if n != nil && n.Type() == "literal_element" {
		if n.NamedChildCount() == 0 {
			return nil
		}
		return n.NamedChild(0)
	}
	return n
}

// goElementExpr models an element of a composite literal, where a nested
// literal may leave its type out.
func goElementExpr(x *extraction, n *node, depth int) syntax.Expr {
	if n.Type() == "literal_value" {
		if depth > maxDepth {
			return x.other(n)
		}
		e := goComposite(x, nil, n, depth+1)
		e.Pos, e.Text = x.pos(n), x.clipped(n)
		return e
	}
	return x.expr(n, depth)
}

// unquote strips width delimiter bytes from each end of a literal.
func unquote(s string, width int) string {
	if len(s) < 2*width {
		return ""
	}
	return s[width : len(s)-width]
}

func (goGrammar) bindings(x *extraction, n *node) []syntax.Binding {
	var names []*node
	var values *node
	constant := false
	switch n.Type() {
	case "const_spec", "var_spec":
		constant = n.Type() == "const_spec"
		// name is a repeated field: const A, B = "a", "b".
		for i := 0; i < int(n.ChildCount()); i++ {
			if c := n.Child(i); c.Type() == "identifier" && n.FieldNameForChild(i) == "name" {
				names = append(names, c)
			}
		}
		values = x.field(n, "value")
	case "short_var_declaration", "assignment_statement":
		left := x.field(n, "left")
		if left == nil {
			return nil
		}
		for i := 0; i < int(left.NamedChildCount()); i++ {
			names = append(names, left.NamedChild(i))
		}
		values = x.field(n, "right")
		// x += "a" rebinds x to something that is not a literal: a
		// binding with no value keeps the name from resolving.
		if op := x.field(n, "operator"); op != nil && x.text(op) != "=" {
			values = nil
		}
	}
	var vals []*node
	if values != nil {
		for i := 0; i < int(values.NamedChildCount()); i++ {
			if v := values.NamedChild(i); v.Type() != "comment" {
				vals = append(vals, v)
			}
		}
	}
	var out []syntax.Binding
	for i, name := range names {
		if name.Type() == "selector_expression" {
			name = x.field(name, "field")
		}
		if name == nil || (name.Type() != "identifier" && name.Type() != "field_identifier") || x.text(name) == "_" {
			continue
		}
		b := syntax.Binding{Name: x.text(name), Const: constant}
		// A, B := f() binds both to one call's results: neither is that
		// call's value, so only a one-to-one pairing gives a value.
		if len(vals) == len(names) {
			b.Value = x.expr(vals[i], 1)
		}
		out = append(out, b)
	}
	return out
}

func (goGrammar) assigned(x *extraction, n *node) string {
	p := x.parent(n)
	for up := 0; p != nil && up < maxUnwrap && p.Type() == "parenthesized_expression"; up++ {
		p = x.parent(p)
	}
	if p == nil || p.Type() != "expression_list" || p.NamedChildCount() != 1 {
		return ""
	}
	decl := x.parent(p)
	if decl == nil {
		return ""
	}
	var name *node
	switch decl.Type() {
	case "short_var_declaration", "assignment_statement":
		if right := x.field(decl, "right"); right == nil || right.ID() != p.ID() {
			return ""
		}
		if left := x.field(decl, "left"); left != nil && left.NamedChildCount() > 0 {
			// v, err := ...: the SDK returns the value first.
			name = left.NamedChild(0)
		}
	case "var_spec", "const_spec":
		name = x.field(decl, "name")
	}
	if name == nil || name.Type() != "identifier" || x.text(name) == "_" {
		return ""
	}
	return x.text(name)
}

// goName reports the node types of a plain name in a selector chain.
func goName(t string) bool { return t == "identifier" || t == "field_identifier" }

// declare records the package clause, imports and parameters.
func (goGrammar) declare(x *extraction, n *node, capture string) {
	switch capture {
	case "package":
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); c.Type() == "package_identifier" {
				x.file.Package = x.text(c)
			}
		}
	case "import":
		p := x.field(n, "path")
		if p == nil {
			return
		}
		im := syntax.Import{From: unquote(x.text(p), 1), Pos: x.pos(n)}
		if name := x.field(n, "name"); name != nil {
			if name.Type() != "package_identifier" {
				return // a dot or blank import binds no name
			}
			im.Local = x.text(name)
		}
		x.file.Imports = append(x.file.Imports, im)
	case "params":
		for i := 0; i < int(n.ChildCount()); i++ {
			if c := n.Child(i); c.Type() == "identifier" && n.FieldNameForChild(i) == "name" {
				x.param(c)
			}
		}
	}
}
