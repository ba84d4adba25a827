package treesitter

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/java"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// javaLanguage returns the Java grammar.
func javaLanguage() (*sitter.Language, grammar) { return java.GetLanguage(), javaGrammar{} }

// javaGrammar models Java: Flagship.Companion.getModification("k", def),
// visitor.getFlag("k", def).value(exposed) and the like. Constants are
// static final fields.
type javaGrammar struct{}

func (javaGrammar) query() string {
	return `
(method_invocation) @call
[(line_comment) (block_comment)] @comment
[(method_declaration) (constructor_declaration) (compact_constructor_declaration)
 (lambda_expression) (static_initializer)] @scope
[(variable_declarator) (assignment_expression)] @binding
`
}

// moduleQuery adds the patterns of what the file imports, exports and
// declares, for keys named in other files.
func (javaGrammar) moduleQuery() string {
	return `
(package_declaration) @package
(import_declaration) @import
[(class_declaration) (interface_declaration) (enum_declaration)] @type
`
}

func (javaGrammar) callee(x *extraction, n *node) (string, *node, *node, []arg) {
	name := x.field(n, "name")
	if name == nil {
		return "", nil, nil, nil
	}
	var args []arg
	if list := x.field(n, "arguments"); list != nil {
		for i := 0; i < int(list.NamedChildCount()); i++ {
			if a := list.NamedChild(i); a.Type() != "line_comment" && a.Type() != "block_comment" {
				args = append(args, arg{node: a})
			}
		}
	}
	return x.text(name), name, x.field(n, "object"), args
}

func (g javaGrammar) expr(x *extraction, n *node, depth int) syntax.Expr {
	switch n.Type() {
	case "string_literal":
		return javaString(x, n)
	case "character_literal":
		return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(unquote(x.text(n), 1))}
	case "decimal_integer_literal", "hex_integer_literal", "octal_integer_literal", "binary_integer_literal",
		"decimal_floating_point_literal", "hex_floating_point_literal":
		return syntax.Expr{Kind: syntax.Number, Value: x.text(n)}
	case "true", "false":
		return syntax.Expr{Kind: syntax.Bool, Value: n.Type()}
	case "null_literal":
		return syntax.Expr{Kind: syntax.Null}
	case "identifier":
		return syntax.Expr{Kind: syntax.Ident, Value: x.text(n)}
	case "field_access":
		// Flags.BTN: the last name is the one bound.
		if f := x.field(n, "field"); f != nil && f.Type() == "identifier" {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(f), Path: x.namePath(n, "field_access", "object", "field", javaIdent)}
		}
	case "parenthesized_expression":
		if n.NamedChildCount() > 0 {
			return x.expr(n.NamedChild(0), depth)
		}
	case "cast_expression":
		return x.expr(x.field(n, "value"), depth)
	case "unary_expression":
		if op := x.field(n, "operator"); op != nil && x.text(op) == "-" {
			if v := x.expr(x.field(n, "operand"), depth); v.Kind == syntax.Number {
				return syntax.Expr{Kind: syntax.Number, Value: "-" + v.Value}
			}
		}
	case "binary_expression":
		op := x.field(n, "operator")
		return concat(x.expr(x.field(n, "left"), depth), x.expr(x.field(n, "right"), depth), op != nil && x.text(op) == "+")
	case "array_initializer":
		e := syntax.Expr{Kind: syntax.Array}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); c.Type() != "line_comment" && c.Type() != "block_comment" {
				e.Elems = append(e.Elems, x.expr(c, depth))
			}
		}
		return e
	case "array_creation_expression":
		if v := x.field(n, "value"); v != nil {
			return x.expr(v, depth)
		}
		return syntax.Expr{Kind: syntax.Array}
	case "object_creation_expression":
		// The Android SDK takes JSON defaults as JSONObject/JSONArray.
		if t := x.field(n, "type"); t != nil {
			if k := jsonKind(x.text(t)); k != syntax.Other {
				return syntax.Expr{Kind: k}
			}
		}
	case "template_expression":
		return syntax.Expr{Kind: syntax.Template}
	case "method_invocation":
		name, obj := x.field(n, "name"), x.field(n, "object")
		if name != nil && obj != nil {
			switch {
			// String.format("flag-%s", x) and "flag-%s".formatted(x)
			// build a string from values: a template, never a key.
			case x.text(name) == "format" && x.text(obj) == "String",
				x.text(name) == "formatted" && obj.Type() == "string_literal":
				return syntax.Expr{Kind: syntax.Template}
			// Map.of(...) and List.of(...) are Java's collection literals.
			case x.text(name) == "of" || x.text(name) == "asList":
				if k := jsonKind(x.text(obj)); k != syntax.Other {
					return syntax.Expr{Kind: k}
				}
			}
		}
		return x.callExpr(n)
	}
	return x.other(n)
}

// jsonKind classifies the JVM types that stand for a JSON default value:
// the Android SDKs take JSONObject and JSONArray, and Map.of/List.of are
// the nearest Java and Kotlin have to object and array literals.
func jsonKind(typ string) syntax.Kind {
	if i := strings.IndexByte(typ, '<'); i >= 0 {
		typ = typ[:i]
	}
	if i := strings.LastIndexByte(typ, '.'); i >= 0 {
		typ = typ[i+1:]
	}
	switch typ {
	case "JSONObject", "Map", "HashMap", "LinkedHashMap":
		return syntax.Object
	case "JSONArray", "List", "ArrayList", "Arrays", "Set":
		return syntax.Array
	}
	return syntax.Other
}

// javaString decodes a string literal or a text block.
func javaString(x *extraction, n *node) syntax.Expr {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if n.NamedChild(i).Type() == "string_interpolation" {
			return syntax.Expr{Kind: syntax.Template}
		}
	}
	s := x.text(n)
	if strings.HasPrefix(s, `"""`) {
		return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(textBlock(unquote(s, 3)))}
	}
	return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(unquote(s, 1))}
}

// textBlock returns the content of a Java text block as the compiler
// sees it: the line after the opening delimiter onwards, with the
// indentation common to its lines removed.
func textBlock(body string) string {
	if i := strings.IndexByte(body, '\n'); i >= 0 {
		body = body[i+1:]
	}
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	indent := -1
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " \t")
		// Blank lines do not count, except the last: the closing
		// delimiter's indentation is significant.
		if trimmed == "" && i != len(lines)-1 {
			continue
		}
		if w := len(l) - len(trimmed); indent < 0 || w < indent {
			indent = w
		}
	}
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			l = l[indent:]
		} else {
			l = strings.TrimLeft(l, " \t")
		}
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

func (javaGrammar) bindings(x *extraction, n *node) []syntax.Binding {
	var name, value *node
	constant := false
	switch n.Type() {
	case "variable_declarator":
		name, value = x.field(n, "name"), x.field(n, "value")
		if decl := x.parent(n); decl != nil {
			switch decl.Type() {
			case "constant_declaration":
				// Interface fields are implicitly static final.
				constant = true
			case "field_declaration", "local_variable_declaration":
				if m := decl.NamedChild(0); m != nil && m.Type() == "modifiers" {
					constant = strings.Contains(x.text(m), "final")
				}
			}
		}
	case "assignment_expression":
		name, value = x.field(n, "left"), x.field(n, "right")
		if op := x.field(n, "operator"); op != nil && x.text(op) != "=" {
			// s += "x" rebinds s to what is not a literal.
			value = nil
		}
		if name != nil && name.Type() == "field_access" {
			name = x.field(name, "field")
		}
	}
	if name == nil || name.Type() != "identifier" {
		return nil
	}
	b := syntax.Binding{Name: x.text(name), Const: constant}
	if value != nil {
		b.Value = x.expr(value, 1)
	}
	return []syntax.Binding{b}
}

func (javaGrammar) assigned(x *extraction, n *node) string {
	p := x.parent(n)
	for up := 0; p != nil && up < maxUnwrap && (p.Type() == "parenthesized_expression" || p.Type() == "cast_expression"); up++ {
		n, p = p, x.parent(p)
	}
	if p == nil {
		return ""
	}
	var name, value *node
	switch p.Type() {
	case "variable_declarator":
		name, value = x.field(p, "name"), x.field(p, "value")
	case "assignment_expression":
		name, value = x.field(p, "left"), x.field(p, "right")
	}
	if name == nil || value == nil || value.ID() != n.ID() || name.Type() != "identifier" {
		return ""
	}
	return x.text(name)
}

func javaIdent(t string) bool { return t == "identifier" }

// declare records the package and imports: import a.b.Keys, import
// static a.b.Keys.KEY and the wildcards import a.b.* and import static
// a.b.Keys.*.
func (javaGrammar) declare(x *extraction, n *node, capture string) {
	var name *node
	static, wildcard := false, false
	for i := 0; i < int(n.ChildCount()); i++ {
		switch c := n.Child(i); c.Type() {
		case "scoped_identifier", "identifier":
			name = c
		case "static":
			static = true
		case "asterisk":
			wildcard = true
		}
	}
	if name == nil {
		return
	}
	dotted := x.text(name)
	switch {
	case capture == "package":
		x.file.Package = dotted
	case capture != "import":
	case wildcard && static:
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: "*", From: dotted, Name: "*", Pos: x.pos(n)})
	case wildcard:
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: "*", From: dotted, Pos: x.pos(n)})
	case static:
		member := dotted[strings.LastIndexByte(dotted, '.')+1:]
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: member, From: strings.TrimSuffix(dotted, "."+member), Name: member, Pos: x.pos(n)})
	default:
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: dotted[strings.LastIndexByte(dotted, '.')+1:], From: dotted, Pos: x.pos(n)})
	}
}
