package treesitter

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/csharp"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// csharpLanguage returns the C# grammar.
func csharpLanguage() (*sitter.Language, grammar) { return csharp.GetLanguage(), csharpGrammar{} }

// csharpGrammar models C#: method calls with named arguments
// (GetValue(defaultValue: 1)), indexers (GetFlags()["k"]) as "[]" calls,
// const and readonly fields and locals as constant bindings.
type csharpGrammar struct{}

func (csharpGrammar) query() string {
	return `
(invocation_expression) @call
(element_access_expression) @call
(conditional_access_expression (element_binding_expression)) @call
(comment) @comment
[(method_declaration) (constructor_declaration) (destructor_declaration)
 (local_function_statement) (lambda_expression) (anonymous_method_expression)
 (accessor_declaration) (operator_declaration) (conversion_operator_declaration)] @scope
(variable_declarator) @binding
(assignment_expression) @binding
(property_declaration) @binding
`
}

// moduleQuery adds the patterns of what the file imports, exports and
// declares, for keys named in other files.
func (csharpGrammar) moduleQuery() string {
	return `
(using_directive) @import
[(namespace_declaration) (file_scoped_namespace_declaration)] @package
[(class_declaration) (struct_declaration) (interface_declaration) (record_declaration)] @type
`
}

func (csharpGrammar) callee(x *extraction, n *node) (string, *node, *node, []arg) {
	switch n.Type() {
	case "element_access_expression":
		sub := x.field(n, "subscript")
		if sub == nil {
			return "", nil, nil, nil
		}
		return "[]", sub, x.field(n, "expression"), csharpArgs(x, sub)
	case "conditional_access_expression":
		// flags?["k"]: the indexer binds to the condition.
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); c.Type() == "element_binding_expression" {
				return "[]", c, x.field(n, "condition"), csharpArgs(x, c)
			}
		}
		return "", nil, nil, nil
	case "invocation_expression":
	default:
		return "", nil, nil, nil
	}
	fn := x.field(n, "function")
	if fn == nil {
		return "", nil, nil, nil
	}
	var name, recv *node
	switch fn.Type() {
	case "identifier", "generic_name":
		name = fn
	case "member_access_expression":
		name, recv = x.field(fn, "name"), x.field(fn, "expression")
	case "conditional_access_expression":
		// flag?.GetValue(d): the member binds to the condition.
		for i := 0; i < int(fn.NamedChildCount()); i++ {
			if c := fn.NamedChild(i); c.Type() == "member_binding_expression" {
				name, recv = x.field(c, "name"), x.field(fn, "condition")
			}
		}
	}
	name = csharpSimpleName(name)
	if name == nil {
		return "", nil, nil, nil
	}
	var args []arg
	if list := x.field(n, "arguments"); list != nil {
		args = csharpArgs(x, list)
	}
	return x.text(name), name, recv, args
}

// csharpSimpleName returns the identifier of a simple name: itself, or the
// GetValue of GetValue<string>; nil for anything else.
func csharpSimpleName(n *node) *node {
	if n == nil {
		return nil
	}
	switch n.Type() {
	case "identifier":
		return n
	case "generic_name":
		if n.NamedChildCount() > 0 && n.NamedChild(0).Type() == "identifier" {
			return n.NamedChild(0)
		}
	}
	return nil
}

// csharpArgs returns the argument children of an argument list (or of an
// element binding), with the names of named arguments as labels.
func csharpArgs(x *extraction, list *node) []arg {
	var args []arg
	for i := 0; i < int(list.NamedChildCount()); i++ {
		a := list.NamedChild(i)
		if a.Type() == "bracketed_argument_list" {
			// Element bindings hold their arguments directly in this
			// grammar version, in a bracketed list in others.
			args = append(args, csharpArgs(x, a)...)
			continue
		}
		if a.Type() != "argument" || a.NamedChildCount() == 0 {
			continue
		}
		// The value is the last named child: after the name of a named
		// argument, and after nothing else (ref/out are anonymous).
		v := a.NamedChild(int(a.NamedChildCount()) - 1)
		var label string
		if l := x.field(a, "name"); l != nil {
			if l.Equal(v) {
				continue
			}
			label = x.text(l)
		}
		args = append(args, arg{label: label, node: v})
	}
	return args
}

func (csharpGrammar) expr(x *extraction, n *node, depth int) syntax.Expr {
	switch n.Type() {
	case "string_literal":
		s := x.text(n)
		// Cut the quotes and a UTF-8 suffix ("k"u8).
		s = strings.TrimSuffix(strings.TrimSuffix(s, "u8"), "U8")
		if len(s) < 2 {
			return x.other(n)
		}
		return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(s[1 : len(s)-1])}
	case "verbatim_string_literal":
		s := strings.TrimSuffix(strings.TrimSuffix(x.text(n), "u8"), "U8")
		if len(s) < 3 {
			return x.other(n)
		}
		return syntax.Expr{Kind: syntax.String, Value: strings.ReplaceAll(s[2:len(s)-1], `""`, `"`)}
	case "raw_string_literal":
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); c.Type() == "raw_string_content" {
				return syntax.Expr{Kind: syntax.String, Value: csharpRawValue(x.text(c))}
			}
		}
		return syntax.Expr{Kind: syntax.String}
	case "interpolated_string_expression":
		return csharpInterpolated(x, n)
	case "integer_literal", "real_literal":
		return syntax.Expr{Kind: syntax.Number, Value: x.text(n)}
	case "boolean_literal":
		return syntax.Expr{Kind: syntax.Bool, Value: strings.TrimSpace(x.text(n))}
	case "null_literal":
		return syntax.Expr{Kind: syntax.Null}
	case "identifier":
		return syntax.Expr{Kind: syntax.Ident, Value: x.text(n)}
	case "member_access_expression":
		// FlagKeys.Checkout names the constant Checkout.
		if name := csharpSimpleName(x.field(n, "name")); name != nil {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(name), Path: x.namePath(n, "member_access_expression", "expression", "name", csharpIdent)}
		}
	case "prefix_unary_expression":
		if n.ChildCount() == 2 && x.text(n.Child(0)) == "-" {
			if v := x.expr(n.Child(1), depth); v.Kind == syntax.Number {
				return syntax.Expr{Kind: syntax.Number, Value: "-" + v.Value}
			}
		}
	case "binary_expression":
		op := x.field(n, "operator")
		return concat(x.expr(x.field(n, "left"), depth), x.expr(x.field(n, "right"), depth), op != nil && x.text(op) == "+")
	case "parenthesized_expression", "await_expression", "checked_expression":
		if n.NamedChildCount() == 1 {
			return x.expr(n.NamedChild(0), depth)
		}
	case "cast_expression":
		return x.expr(x.field(n, "value"), depth)
	case "initializer_expression", "array_creation_expression", "implicit_array_creation_expression":
		return csharpArray(x, n, depth)
	case "element_binding_expression":
		// The grammar predates C# 12 and parses a collection expression
		// ([1, 2]) as an element binding.
		e := syntax.Expr{Kind: syntax.Array}
		for _, a := range csharpArgs(x, n) {
			e.Elems = append(e.Elems, x.expr(a.node, depth))
		}
		return e
	case "anonymous_object_creation_expression":
		return csharpAnonymousObject(x, n, depth)
	case "invocation_expression", "element_access_expression":
		return x.callExpr(n)
	case "conditional_access_expression":
		// Only flags?["k"] is a call; a?.B is a member chain.
		for i := 0; i < int(n.NamedChildCount()); i++ {
			switch c := n.NamedChild(i); c.Type() {
			case "element_binding_expression":
				return x.callExpr(n)
			case "member_binding_expression":
				if name := csharpSimpleName(x.field(c, "name")); name != nil {
					return syntax.Expr{Kind: syntax.Ident, Value: x.text(name)}
				}
			}
		}
	}
	return x.other(n)
}

// csharpInterpolated models $"..." (and $@"...", @$"..."): a template when
// it has holes, else the string it spells.
func csharpInterpolated(x *extraction, n *node) syntax.Expr {
	verbatim := false
	var b strings.Builder
	for i := 0; i < int(n.ChildCount()); i++ {
		switch c := n.Child(i); c.Type() {
		case "interpolation":
			return syntax.Expr{Kind: syntax.Template}
		case "interpolation_start":
			verbatim = strings.Contains(x.text(c), "@")
		case "string_content", "escape_sequence":
			b.WriteString(x.text(c))
		case "raw_string_content":
			b.WriteString(csharpRawValue(x.text(c)))
		}
	}
	s := b.String()
	if verbatim {
		s = strings.ReplaceAll(s, `""`, `"`)
	} else {
		s = syntax.Unescape(s)
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "{{", "{"), "}}", "}")
	return syntax.Expr{Kind: syntax.String, Value: s}
}

// csharpRawValue is the value of a raw string's content: the text itself
// on one line; the lines between the delimiters, less the closing
// delimiter's indentation, when it spans several.
func csharpRawValue(content string) string {
	if !strings.Contains(content, "\n") {
		return content
	}
	return dedentLiteral(content)
}

// csharpArray models array initializers: { 1, 2 }, new[] { 1, 2 },
// new int[] { 1, 2 }.
func csharpArray(x *extraction, n *node, depth int) syntax.Expr {
	if n.Type() != "initializer_expression" {
		init := x.field(n, "initializer")
		if init == nil {
			for i := 0; i < int(n.NamedChildCount()); i++ {
				if c := n.NamedChild(i); c.Type() == "initializer_expression" {
					init = c
				}
			}
		}
		if init == nil {
			return syntax.Expr{Kind: syntax.Array}
		}
		n = init
	}
	e := syntax.Expr{Kind: syntax.Array}
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c.Type() != "comment" {
			e.Elems = append(e.Elems, x.expr(c, depth))
		}
	}
	return e
}

// csharpAnonymousObject models new { Color = "red", Size = 2 }.
func csharpAnonymousObject(x *extraction, n *node, depth int) syntax.Expr {
	e := syntax.Expr{Kind: syntax.Object}
	for i := 0; i < int(n.ChildCount()); i++ {
		c := n.Child(i)
		if c.Type() != "=" || i == 0 || i+1 >= int(n.ChildCount()) {
			continue
		}
		if k := n.Child(i - 1); k.Type() == "identifier" {
			e.Props = append(e.Props, syntax.Prop{Key: x.text(k), Value: x.expr(n.Child(i+1), depth)})
		}
	}
	return e
}

func (csharpGrammar) bindings(x *extraction, n *node) []syntax.Binding {
	switch n.Type() {
	case "variable_declarator":
		name := x.field(n, "name")
		if name == nil || name.Type() != "identifier" || x.text(name) == "_" {
			return nil
		}
		b := syntax.Binding{Name: x.text(name)}
		if v := csharpDeclaratorValue(n); v != nil {
			b.Value = x.expr(v, 1)
		}
		// const and readonly sit on the declaration statement or field.
		if decl := x.parent(n); decl != nil {
			if owner := x.parent(decl); owner != nil {
				b.Const = csharpHasModifier(x, owner, "const", "readonly")
			}
		}
		return []syntax.Binding{b}
	case "assignment_expression":
		if op := x.field(n, "operator"); op == nil || x.text(op) != "=" {
			return nil
		}
		name := csharpTarget(x, x.field(n, "left"))
		if name == "" {
			return nil
		}
		return []syntax.Binding{{Name: name, Value: x.expr(x.field(n, "right"), 1)}}
	case "property_declaration":
		// public static string Key { get; } = "k"; and public static string
		// Key => "k"; cannot change when the property has no setter.
		name := x.field(n, "name")
		if name == nil || name.Type() != "identifier" {
			return nil
		}
		v := x.field(n, "value")
		setter := false
		for i := 0; i < int(n.NamedChildCount()); i++ {
			switch c := n.NamedChild(i); c.Type() {
			case "arrow_expression_clause":
				if c.NamedChildCount() > 0 {
					v = c.NamedChild(0)
				}
			case "accessor_list":
				for j := 0; j < int(c.NamedChildCount()); j++ {
					if a := x.field(c.NamedChild(j), "name"); a != nil && (x.text(a) == "set" || x.text(a) == "init") {
						setter = true
					}
				}
			}
		}
		if v == nil {
			return nil
		}
		return []syntax.Binding{{Name: x.text(name), Value: x.expr(v, 1), Const: !setter}}
	}
	return nil
}

// csharpDeclaratorValue returns the initializer of a variable declarator:
// the expression after its "=".
func csharpDeclaratorValue(n *node) *node {
	for i := 0; i+1 < int(n.ChildCount()); i++ {
		if n.Child(i).Type() == "=" {
			return n.Child(i + 1)
		}
	}
	return nil
}

// csharpHasModifier reports whether a declaration carries one of the
// given modifiers.
func csharpHasModifier(x *extraction, n *node, mods ...string) bool {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		c := n.NamedChild(i)
		if c.Type() != "modifier" {
			continue
		}
		for _, m := range mods {
			if x.text(c) == m {
				return true
			}
		}
	}
	return false
}

// csharpTarget returns the name an assignment binds: x, or the Key of
// this.Key and Flags.Key; "" for anything else.
func csharpTarget(x *extraction, t *node) string {
	if t == nil {
		return ""
	}
	switch t.Type() {
	case "identifier":
		if s := x.text(t); s != "_" {
			return s
		}
	case "member_access_expression":
		if name := csharpSimpleName(x.field(t, "name")); name != nil {
			return x.text(name)
		}
	}
	return ""
}

func (csharpGrammar) assigned(x *extraction, n *node) string {
	child, p := n, x.parent(n)
	for up := 0; p != nil && up < maxUnwrap && (p.Type() == "await_expression" || p.Type() == "parenthesized_expression" || p.Type() == "cast_expression"); up++ {
		child, p = p, x.parent(p)
	}
	if p == nil {
		return ""
	}
	switch p.Type() {
	case "variable_declarator":
		if v := csharpDeclaratorValue(p); v != nil && v.Equal(child) {
			if name := x.field(p, "name"); name != nil && name.Type() == "identifier" && x.text(name) != "_" {
				return x.text(name)
			}
		}
	case "assignment_expression":
		if r := x.field(p, "right"); r != nil && r.Equal(child) {
			if op := x.field(p, "operator"); op != nil && x.text(op) == "=" {
				if l := x.field(p, "left"); l != nil && l.Type() == "identifier" && x.text(l) != "_" {
					return x.text(l)
				}
			}
		}
	}
	return ""
}

func csharpIdent(t string) bool { return t == "identifier" }

// declare records the (first) namespace and using directives: using A.B (the types of a
// namespace), using static A.B.Keys (the members of a type) and using K =
// A.B.Keys.
func (csharpGrammar) declare(x *extraction, n *node, capture string) {
	if capture == "package" {
		if name := x.field(n, "name"); name != nil && x.file.Package == "" {
			x.file.Package = strings.Join(strings.Fields(x.text(name)), "")
		}
		return
	}
	var name, alias *node
	static := false
	for i := 0; i < int(n.ChildCount()); i++ {
		c := n.Child(i)
		switch {
		case c.Type() == "static":
			static = true
		case n.FieldNameForChild(i) == "name":
			alias = c
		case c.Type() == "qualified_name" || c.Type() == "identifier":
			name = c
		}
	}
	if name == nil {
		return
	}
	dotted := strings.Join(strings.Fields(x.text(name)), "")
	switch {
	case alias != nil:
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: x.text(alias), From: dotted, Pos: x.pos(n)})
	case static:
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: "*", From: dotted, Name: "*", Pos: x.pos(n)})
	default:
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: "*", From: dotted, Pos: x.pos(n)})
	}
}
