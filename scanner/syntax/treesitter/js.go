package treesitter

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// jsGrammar serves JavaScript, TypeScript and TSX, whose grammars share
// their node types.
type jsGrammar struct{}

func (jsGrammar) query() string {
	return `
(call_expression) @call
(subscript_expression) @call
(comment) @comment
[(function_declaration) (function_expression) (arrow_function) (method_definition)
 (generator_function_declaration) (generator_function)] @scope
(variable_declarator) @binding
(assignment_expression) @binding
(public_field_definition) @binding
`
}

func (jsGrammar) callee(x *extraction, n *sitter.Node) (string, *sitter.Node, *sitter.Node, []arg) {
	if n.Type() == "subscript_expression" {
		return subscriptCallee(n, "index", "object")
	}
	name, recv := memberCallee(n, "member_expression", "property", "object")
	if name == nil {
		return "", nil, nil, nil
	}
	var args []arg
	if list := n.ChildByFieldName("arguments"); list != nil && list.Type() == "arguments" {
		for i := 0; i < int(list.NamedChildCount()); i++ {
			if a := list.NamedChild(i); a.Type() != "comment" {
				args = append(args, arg{node: a})
			}
		}
	}
	return x.text(name), name, recv, args
}

func (g jsGrammar) expr(x *extraction, n *sitter.Node, depth int) syntax.Expr {
	switch n.Type() {
	case "string":
		return syntax.Expr{Kind: syntax.String, Value: jsStringValue(x, n)}
	case "template_string":
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if n.NamedChild(i).Type() == "template_substitution" {
				return syntax.Expr{Kind: syntax.Template}
			}
		}
		s := x.text(n)
		return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(s[1 : len(s)-1])}
	case "number":
		return syntax.Expr{Kind: syntax.Number, Value: x.text(n)}
	case "true", "false":
		return syntax.Expr{Kind: syntax.Bool, Value: n.Type()}
	case "null", "undefined":
		return syntax.Expr{Kind: syntax.Null}
	case "identifier", "property_identifier", "shorthand_property_identifier":
		return syntax.Expr{Kind: syntax.Ident, Value: x.text(n)}
	case "member_expression":
		if p := n.ChildByFieldName("property"); p != nil {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(p)}
		}
	case "parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion":
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); !strings.HasSuffix(c.Type(), "type") && c.Type() != "type_arguments" {
				return x.expr(c, depth)
			}
		}
	case "unary_expression":
		// -1 is a number; !0 and the like are not literals worth modelling.
		if op := n.ChildByFieldName("operator"); op != nil && x.text(op) == "-" {
			if v := x.expr(n.ChildByFieldName("argument"), depth); v.Kind == syntax.Number {
				return syntax.Expr{Kind: syntax.Number, Value: "-" + v.Value}
			}
		}
	case "binary_expression":
		return concat(x.expr(n.ChildByFieldName("left"), depth), x.expr(n.ChildByFieldName("right"), depth), x.text(n.ChildByFieldName("operator")) == "+")
	case "object":
		e := syntax.Expr{Kind: syntax.Object}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			c := n.NamedChild(i)
			switch c.Type() {
			case "pair":
				k := c.ChildByFieldName("key")
				key := x.text(k)
				if k.Type() == "string" {
					key = jsStringValue(x, k)
				} else if k.Type() == "computed_property_name" {
					continue
				}
				e.Props = append(e.Props, syntax.Prop{Key: key, Value: x.expr(c.ChildByFieldName("value"), depth)})
			case "shorthand_property_identifier":
				e.Props = append(e.Props, syntax.Prop{Key: x.text(c), Value: x.expr(c, depth)})
			}
		}
		return e
	case "array":
		e := syntax.Expr{Kind: syntax.Array}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); c.Type() != "comment" {
				e.Elems = append(e.Elems, x.expr(c, depth))
			}
		}
		return e
	case "call_expression", "subscript_expression":
		return x.callExpr(n)
	case "await_expression":
		if n.NamedChildCount() > 0 {
			return x.expr(n.NamedChild(0), depth)
		}
	}
	return x.other(n)
}

// jsStringValue decodes a string node from its fragments and escapes.
func jsStringValue(x *extraction, n *sitter.Node) string {
	s := x.text(n)
	if len(s) < 2 {
		return ""
	}
	return syntax.Unescape(s[1 : len(s)-1])
}

// concat models a binary expression: a constant concatenation of two
// strings is a string, any other + involving a string is a template.
func concat(l, r syntax.Expr, plus bool) syntax.Expr {
	if !plus {
		return syntax.Expr{Kind: syntax.Other}
	}
	if l.Kind == syntax.String && r.Kind == syntax.String {
		return syntax.Expr{Kind: syntax.String, Value: l.Value + r.Value}
	}
	if l.Kind == syntax.String || r.Kind == syntax.String || l.Kind == syntax.Template || r.Kind == syntax.Template {
		return syntax.Expr{Kind: syntax.Template}
	}
	return syntax.Expr{Kind: syntax.Other}
}

func (jsGrammar) bindings(x *extraction, n *sitter.Node) []syntax.Binding {
	var name, value *sitter.Node
	constant := false
	switch n.Type() {
	case "variable_declarator":
		name, value = n.ChildByFieldName("name"), n.ChildByFieldName("value")
		if p := x.parent(n); p != nil && p.Type() == "lexical_declaration" && p.ChildCount() > 0 {
			constant = x.text(p.Child(0)) == "const"
		}
	case "assignment_expression":
		name, value = n.ChildByFieldName("left"), n.ChildByFieldName("right")
		if name != nil && name.Type() == "member_expression" {
			name = name.ChildByFieldName("property")
		}
	case "public_field_definition":
		name, value = n.ChildByFieldName("name"), n.ChildByFieldName("value")
		if name != nil {
			modifiers := string(x.src[n.StartByte():name.StartByte()])
			constant = strings.Contains(modifiers, "readonly") || strings.Contains(modifiers, "static")
		}
	}
	if name == nil || (name.Type() != "identifier" && name.Type() != "property_identifier") {
		return nil
	}
	b := syntax.Binding{Name: x.text(name), Const: constant}
	if value != nil {
		b.Value = x.expr(value, 1)
	}
	return []syntax.Binding{b}
}

func (jsGrammar) assigned(x *extraction, n *sitter.Node) string {
	p := x.parent(n)
	for up := 0; p != nil && up < maxUnwrap && (p.Type() == "await_expression" || p.Type() == "parenthesized_expression" || p.Type() == "as_expression" || p.Type() == "non_null_expression"); up++ {
		p = x.parent(p)
	}
	if p == nil {
		return ""
	}
	var name *sitter.Node
	switch p.Type() {
	case "variable_declarator":
		name = p.ChildByFieldName("name")
	case "assignment_expression":
		name = p.ChildByFieldName("left")
	}
	if name == nil || name.Type() != "identifier" {
		return ""
	}
	return x.text(name)
}
