package treesitter

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/swift"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// swiftLanguage returns the Swift grammar.
func swiftLanguage() (*sitter.Language, grammar) { return swift.GetLanguage(), swiftGrammar{} }

// swiftGrammar models Swift. Swift labels its arguments
// (getFlag(key: "k", defaultValue: v), getModification("k", defaultString: v)),
// and the grammar parses a subscript (getFlags()["k"]) as a call_expression
// whose arguments are in brackets.
type swiftGrammar struct{}

func (swiftGrammar) query() string {
	return `
(call_expression) @call
[(comment) (multiline_comment)] @comment
[(function_declaration) (init_declaration) (deinit_declaration) (lambda_literal)
 (computed_property) (computed_getter) (computed_setter) (computed_modify)
 (subscript_declaration) (willset_clause) (didset_clause)] @scope
(property_declaration) @binding
(assignment) @binding
`
}

// moduleQuery adds the patterns of what the file imports, exports and
// declares, for keys named in other files.
func (swiftGrammar) moduleQuery() string {
	return `
[(class_declaration) (protocol_declaration)] @type
`
}

func (swiftGrammar) callee(x *extraction, n *node) (string, *node, *node, []arg) {
	if n.Type() != "call_expression" || n.NamedChildCount() < 2 {
		return "", nil, nil, nil
	}
	fn := n.NamedChild(0)
	suffix := n.NamedChild(int(n.NamedChildCount()) - 1)
	if suffix.Type() != "call_suffix" {
		return "", nil, nil, nil
	}
	var list *node
	var args []arg
	for i := 0; i < int(suffix.NamedChildCount()); i++ {
		switch c := suffix.NamedChild(i); c.Type() {
		case "value_arguments":
			list = c
			args = append(args, swiftArgs(x, c)...)
		case "lambda_literal":
			// A trailing closure is the last argument, unlabelled.
			args = append(args, arg{node: c})
		}
	}
	if list != nil && list.ChildCount() > 0 && list.Child(0).Type() == "[" {
		return "[]", list, fn, args
	}
	switch fn.Type() {
	case "simple_identifier":
		return x.text(fn), fn, nil, args
	case "navigation_expression":
		name := x.swiftMember(fn)
		if name == nil {
			return "", nil, nil, nil
		}
		return x.text(name), name, x.field(fn, "target"), args
	}
	return "", nil, nil, nil
}

// swiftArgs returns the arguments of a value_arguments node with their labels.
func swiftArgs(x *extraction, list *node) []arg {
	var args []arg
	for i := 0; i < int(list.NamedChildCount()); i++ {
		a := list.NamedChild(i)
		if a.Type() != "value_argument" {
			continue
		}
		v := x.field(a, "value")
		if v == nil {
			continue
		}
		var label string
		if l := x.field(a, "name"); l != nil {
			label = strings.TrimSpace(x.text(l))
		}
		args = append(args, arg{label: label, node: v})
	}
	return args
}

// swiftMember returns the member name of a navigation expression (the
// "c" of a.b.c), or nil when the suffix is not a plain name (a.0, a.init).
func (x *extraction) swiftMember(n *node) *node {
	s := x.field(n, "suffix")
	if s == nil {
		return nil
	}
	name := x.field(s, "suffix")
	if name == nil || name.Type() != "simple_identifier" {
		return nil
	}
	return name
}

func (swiftGrammar) expr(x *extraction, n *node, depth int) syntax.Expr {
	switch n.Type() {
	case "line_string_literal":
		if swiftInterpolated(n) {
			return syntax.Expr{Kind: syntax.Template}
		}
		s := x.text(n)
		if len(s) < 2 {
			return x.other(n)
		}
		return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(s[1 : len(s)-1])}
	case "multi_line_string_literal":
		if swiftInterpolated(n) {
			return syntax.Expr{Kind: syntax.Template}
		}
		s := x.text(n)
		if len(s) < 6 {
			return x.other(n)
		}
		return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(dedentLiteral(s[3 : len(s)-3]))}
	case "raw_string_literal":
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if n.NamedChild(i).Type() == "raw_str_interpolation" {
				return syntax.Expr{Kind: syntax.Template}
			}
		}
		if v, ok := swiftRawString(x.text(n)); ok {
			return syntax.Expr{Kind: syntax.String, Value: v}
		}
	case "integer_literal", "real_literal", "hex_literal", "oct_literal", "bin_literal":
		return syntax.Expr{Kind: syntax.Number, Value: x.text(n)}
	case "boolean_literal":
		return syntax.Expr{Kind: syntax.Bool, Value: strings.TrimSpace(x.text(n))}
	case "nil":
		return syntax.Expr{Kind: syntax.Null}
	case "simple_identifier":
		return syntax.Expr{Kind: syntax.Ident, Value: x.text(n)}
	case "navigation_expression":
		// Flags.btn names the constant btn.
		if name := x.swiftMember(n); name != nil {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(name), Path: x.chainPath(n, x.swiftSplit, swiftIdent)}
		}
	case "prefix_expression":
		if op := x.field(n, "operation"); op != nil && x.text(op) == "-" {
			if v := x.expr(x.field(n, "target"), depth); v.Kind == syntax.Number {
				return syntax.Expr{Kind: syntax.Number, Value: "-" + v.Value}
			}
		}
	case "additive_expression":
		op := x.field(n, "op")
		return concat(x.expr(x.field(n, "lhs"), depth), x.expr(x.field(n, "rhs"), depth), op != nil && x.text(op) == "+")
	case "try_expression", "await_expression", "as_expression":
		return x.expr(x.field(n, "expr"), depth)
	case "tuple_expression":
		// (x) is a parenthesized expression; a real tuple is not modelled.
		if n.NamedChildCount() == 1 {
			if v := x.field(n, "value"); v != nil {
				return x.expr(v, depth)
			}
		}
	case "array_literal":
		e := syntax.Expr{Kind: syntax.Array}
		for i := 0; i < int(n.ChildCount()); i++ {
			if n.FieldNameForChild(i) == "element" {
				e.Elems = append(e.Elems, x.expr(n.Child(i), depth))
			}
		}
		return e
	case "dictionary_literal":
		return swiftDictionary(x, n, depth)
	case "call_expression":
		return x.callExpr(n)
	}
	return x.other(n)
}

// swiftDictionary models ["a": 1, "b": 2]: keys and values alternate as
// fields of the literal.
func swiftDictionary(x *extraction, n *node, depth int) syntax.Expr {
	e := syntax.Expr{Kind: syntax.Object}
	var key *node
	for i := 0; i < int(n.ChildCount()); i++ {
		switch n.FieldNameForChild(i) {
		case "key":
			key = n.Child(i)
		case "value":
			if key == nil {
				continue
			}
			k := x.expr(key, depth)
			if k.Kind == syntax.String || k.Kind == syntax.Ident {
				e.Props = append(e.Props, syntax.Prop{Key: k.Value, Value: x.expr(n.Child(i), depth)})
			}
			key = nil
		}
	}
	return e
}

// swiftInterpolated reports whether a string literal has a \(...) hole.
func swiftInterpolated(n *node) bool {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if n.NamedChild(i).Type() == "interpolated_expression" {
			return true
		}
	}
	return false
}

// dedentLiteral turns the body of a multi-line literal (Swift """, C# raw
// """ strings) into its value: the lines between the delimiters, less the
// indentation of the closing delimiter.
func dedentLiteral(body string) string {
	body = strings.TrimPrefix(strings.TrimPrefix(body, "\r"), "\n")
	body = strings.TrimPrefix(body, "\r\n")
	indent := ""
	if nl := strings.LastIndexByte(body, '\n'); nl >= 0 && strings.TrimLeft(body[nl+1:], " \t") == "" {
		indent = body[nl+1:]
		body = strings.TrimSuffix(body[:nl], "\r")
	}
	if indent == "" {
		return body
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, indent)
	}
	return strings.Join(lines, "\n")
}

// swiftRawString decodes #"..."# and #"""..."""#: no escapes apply.
func swiftRawString(s string) (string, bool) {
	hashes := len(s) - len(strings.TrimLeft(s, "#"))
	if hashes == 0 || len(s) < 2*hashes+2 {
		return "", false
	}
	body := s[hashes : len(s)-hashes]
	if len(body) >= 6 && strings.HasPrefix(body, `"""`) && strings.HasSuffix(body, `"""`) {
		return dedentLiteral(body[3 : len(body)-3]), true
	}
	return body[1 : len(body)-1], true
}

func (swiftGrammar) bindings(x *extraction, n *node) []syntax.Binding {
	switch n.Type() {
	case "property_declaration":
		// let a = "x", b = 2: names and values alternate as fields.
		constant := false
		var out []syntax.Binding
		pending := -1 // index in out of the name waiting for its value
		for i := 0; i < int(n.ChildCount()); i++ {
			c := n.Child(i)
			switch {
			case c.Type() == "value_binding_pattern":
				if m := x.field(c, "mutability"); m != nil {
					constant = x.text(m) == "let"
				}
			case n.FieldNameForChild(i) == "name":
				pending = -1
				if id := x.field(c, "bound_identifier"); id != nil && x.text(id) != "_" {
					out = append(out, syntax.Binding{Name: x.text(id), Const: constant})
					pending = len(out) - 1
				}
			case n.FieldNameForChild(i) == "value" && pending >= 0:
				out[pending].Value = x.expr(c, 1)
				pending = -1
			}
		}
		return out
	case "assignment":
		if op := x.field(n, "operator"); op == nil || x.text(op) != "=" {
			return nil
		}
		name := swiftTarget(x, x.field(n, "target"))
		if name == "" {
			return nil
		}
		return []syntax.Binding{{Name: name, Value: x.expr(x.field(n, "result"), 1)}}
	}
	return nil
}

// swiftTarget returns the name an assignment target binds: x, or the q of
// self.q; "" for anything else (subscripts, tuples).
func swiftTarget(x *extraction, t *node) string {
	if t == nil || t.NamedChildCount() != 1 {
		return ""
	}
	switch c := t.NamedChild(0); c.Type() {
	case "simple_identifier":
		// _ = f() discards the value.
		if s := x.text(c); s != "_" {
			return s
		}
	case "navigation_expression":
		if name := x.swiftMember(c); name != nil {
			return x.text(name)
		}
	}
	return ""
}

func (swiftGrammar) assigned(x *extraction, n *node) string {
	child, p := n, x.parent(n)
	for up := 0; p != nil && up < maxUnwrap && (p.Type() == "try_expression" || p.Type() == "await_expression"); up++ {
		child, p = p, x.parent(p)
	}
	if p == nil {
		return ""
	}
	switch p.Type() {
	case "property_declaration":
		// The name is the last name field before the value.
		name := ""
		for i := 0; i < int(p.ChildCount()); i++ {
			c := p.Child(i)
			if c.Equal(child) {
				return name
			}
			if p.FieldNameForChild(i) == "name" {
				name = ""
				if id := x.field(c, "bound_identifier"); id != nil && x.text(id) != "_" {
					name = x.text(id)
				}
			}
		}
	case "assignment":
		if r := x.field(p, "result"); r != nil && r.Equal(child) {
			if op := x.field(p, "operator"); op != nil && x.text(op) == "=" {
				return swiftTarget(x, x.field(p, "target"))
			}
		}
	case "if_statement", "guard_statement", "while_statement":
		// if let f = visitor.getFlag(key: "k") { ... }
		eq := child.PrevSibling()
		if eq == nil || eq.Type() != "=" {
			return ""
		}
		if id := eq.PrevSibling(); id != nil && id.Type() == "simple_identifier" {
			return x.text(id)
		}
	}
	return ""
}

func swiftIdent(t string) bool { return t == "simple_identifier" }

// swiftSplit takes a.b apart for chainPath.
func (x *extraction) swiftSplit(n *node) (*node, *node) {
	if n.Type() != "navigation_expression" {
		return nil, nil
	}
	return x.field(n, "target"), x.swiftMember(n)
}
