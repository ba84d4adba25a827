package treesitter

import (
	"bytes"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/php"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// phpLanguage returns the PHP grammar.
func phpLanguage() (*sitter.Language, grammar) { return php.GetLanguage(), phpGrammar{} }

// phpGrammar models PHP. Variables are named without their $, the same
// way for Call.Assigned, a receiver's Ident and Bindings, so that
// $flag = $visitor->getFlag("k"); $flag->getValue(d) pairs up. Text
// outside <?php ?> tags is a text node of the grammar, never code.
type phpGrammar struct{}

func (phpGrammar) query() string {
	return `
(member_call_expression) @call
(nullsafe_member_call_expression) @call
(scoped_call_expression) @call
(function_call_expression) @call
(comment) @comment
[(function_definition) (method_declaration) (anonymous_function_creation_expression) (arrow_function)] @scope
(const_element) @binding
(assignment_expression) @binding
(property_element) @binding
(function_call_expression function: (name)) @binding
`
}

// moduleQuery adds the patterns of what the file imports, exports and
// declares, for keys named in other files.
func (phpGrammar) moduleQuery() string {
	return `
(namespace_use_clause) @import
(namespace_definition) @package
[(class_declaration) (interface_declaration) (enum_declaration) (trait_declaration)] @type
`
}

func (phpGrammar) callee(x *extraction, n *node) (string, *node, *node, []arg) {
	var name, recv *node
	switch n.Type() {
	case "member_call_expression", "nullsafe_member_call_expression":
		name, recv = x.field(n, "name"), x.field(n, "object")
	case "scoped_call_expression":
		// Flagship::getFlag("k"): the class is the receiver.
		name, recv = x.field(n, "name"), x.field(n, "scope")
	case "function_call_expression":
		name = phpName(x.field(n, "function"))
	}
	// $obj->$method() calls a name only known at run time.
	if name == nil || name.Type() != "name" {
		return "", nil, nil, nil
	}
	var args []arg
	if list := x.field(n, "arguments"); list != nil {
		for i := 0; i < int(list.NamedChildCount()); i++ {
			a := list.NamedChild(i)
			if a.Type() != "argument" || a.NamedChildCount() == 0 {
				continue
			}
			// Named arguments (PHP 8): name: value.
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
	}
	return x.text(name), name, recv, args
}

// phpName returns the name node of a name or the last name of a qualified
// name (\Flags\KEY); nil for anything else.
func phpName(n *node) *node {
	if n == nil {
		return nil
	}
	switch n.Type() {
	case "name":
		return n
	case "qualified_name":
		if c := n.NamedChildCount(); c > 0 && n.NamedChild(int(c)-1).Type() == "name" {
			return n.NamedChild(int(c) - 1)
		}
	}
	return nil
}

// phpVariable returns the name of $name without its $, or "" when n is
// not a simple variable ($$dynamic, $this->x).
func phpVariable(x *extraction, n *node) string {
	if n == nil || n.Type() != "variable_name" {
		return ""
	}
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c.Type() == "name" {
			return x.text(c)
		}
	}
	return ""
}

func (phpGrammar) expr(x *extraction, n *node, depth int) syntax.Expr {
	switch n.Type() {
	case "string":
		return phpQuoted(x, n)
	case "encapsed_string":
		if phpInterpolated(n) {
			return syntax.Expr{Kind: syntax.Template}
		}
		return phpQuoted(x, n)
	case "heredoc":
		body := x.field(n, "value")
		if body == nil {
			return syntax.Expr{Kind: syntax.String}
		}
		if phpInterpolated(body) {
			return syntax.Expr{Kind: syntax.Template}
		}
		return syntax.Expr{Kind: syntax.String, Value: syntax.Unescape(phpDocValue(x, n, body))}
	case "nowdoc":
		body := x.field(n, "value")
		if body == nil {
			return syntax.Expr{Kind: syntax.String}
		}
		return syntax.Expr{Kind: syntax.String, Value: phpDocValue(x, n, body)}
	case "integer", "float":
		return syntax.Expr{Kind: syntax.Number, Value: x.text(n)}
	case "boolean":
		return syntax.Expr{Kind: syntax.Bool, Value: strings.ToLower(x.text(n))}
	case "null":
		return syntax.Expr{Kind: syntax.Null}
	case "variable_name":
		if v := phpVariable(x, n); v != "" {
			return syntax.Expr{Kind: syntax.Ident, Value: v}
		}
	case "name", "qualified_name":
		// A bare name in an expression is a constant: KEY, \Flags\KEY.
		if name := phpName(n); name != nil {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(name)}
		}
	case "class_constant_access_expression":
		// self::KEY, static::KEY, Flags::KEY name the constant KEY.
		if c := n.NamedChildCount(); c > 1 {
			if name := n.NamedChild(int(c) - 1); name.Type() == "name" {
				e := syntax.Expr{Kind: syntax.Ident, Value: x.text(name)}
				if class := phpName(n.NamedChild(0)); class != nil && c == 2 {
					e.Path = []string{x.text(class), x.text(name)}
				} else if t := n.NamedChild(0); c == 2 && (t.Type() == "relative_scope" || x.text(t) == "self" || x.text(t) == "static") {
					e.Path = []string{"self", x.text(name)}
				}
				return e
			}
		}
	case "member_access_expression", "nullsafe_member_access_expression":
		if name := x.field(n, "name"); name != nil && name.Type() == "name" {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(name)}
		}
	case "scoped_property_access_expression":
		if v := phpVariable(x, x.field(n, "name")); v != "" {
			return syntax.Expr{Kind: syntax.Ident, Value: v}
		}
	case "unary_op_expression":
		if op := x.field(n, "operator"); op != nil && x.text(op) == "-" {
			if v := x.expr(x.field(n, "argument"), depth); v.Kind == syntax.Number {
				return syntax.Expr{Kind: syntax.Number, Value: "-" + v.Value}
			}
		}
	case "binary_expression":
		op := x.field(n, "operator")
		return concat(x.expr(x.field(n, "left"), depth), x.expr(x.field(n, "right"), depth), op != nil && x.text(op) == ".")
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return x.expr(n.NamedChild(0), depth)
		}
	case "array_creation_expression":
		return phpArray(x, n, depth)
	case "member_call_expression", "nullsafe_member_call_expression", "scoped_call_expression", "function_call_expression":
		return x.callExpr(n)
	}
	return x.other(n)
}

// phpQuoted decodes a '...' or "..." literal without substitutions (with
// an optional b prefix). Single quotes know only \' and \\.
func phpQuoted(x *extraction, n *node) syntax.Expr {
	s := x.text(n)
	if len(s) > 0 && (s[0] == 'b' || s[0] == 'B') {
		s = s[1:]
	}
	if len(s) < 2 {
		return x.other(n)
	}
	body := s[1 : len(s)-1]
	if s[0] == '\'' {
		body = strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(body)
	} else {
		body = syntax.Unescape(body)
	}
	return syntax.Expr{Kind: syntax.String, Value: body}
}

// phpInterpolated reports whether a double-quoted string or heredoc body
// holds a substitution ($x, {$x}, ${x}).
func phpInterpolated(n *node) bool {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		switch n.NamedChild(i).Type() {
		case "string_content", "escape_sequence", "nowdoc_string":
		default:
			return true
		}
	}
	return false
}

// phpDocValue returns the value of a heredoc or nowdoc: the lines between
// its opening line and its closing tag, less the closing tag's indentation
// (PHP 7.3 flexible heredocs).
func phpDocValue(x *extraction, doc, body *node) string {
	end := x.field(doc, "end_tag")
	if end == nil {
		return strings.Trim(x.text(body), "\r\n")
	}
	// From the end of the opening line to the start of the closing tag.
	from := body.StartByte()
	if nl := bytes.IndexByte(x.src[from:end.StartByte()], '\n'); nl >= 0 && strings.TrimSpace(string(x.src[from:from+uint32(nl)])) == "" {
		from += uint32(nl) + 1
	}
	text := string(x.src[from:end.StartByte()])
	indent := ""
	if nl := strings.LastIndexByte(text, '\n'); nl >= 0 {
		indent, text = text[nl+1:], strings.TrimSuffix(text[:nl], "\r")
	} else {
		return ""
	}
	if indent == "" {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, indent)
	}
	return strings.Join(lines, "\n")
}

// phpArray models [..] and array(..): a list when no element has a key,
// else a map of its string and name keys.
func phpArray(x *extraction, n *node, depth int) syntax.Expr {
	list := syntax.Expr{Kind: syntax.Array}
	obj := syntax.Expr{Kind: syntax.Object}
	keyed := false
	for i := 0; i < int(n.NamedChildCount()); i++ {
		el := n.NamedChild(i)
		if el.Type() != "array_element_initializer" || el.NamedChildCount() == 0 {
			continue
		}
		if el.NamedChildCount() >= 2 && phpHasArrow(el) {
			keyed = true
			k := x.expr(el.NamedChild(0), depth)
			if k.Kind == syntax.String || k.Kind == syntax.Number || k.Kind == syntax.Ident {
				obj.Props = append(obj.Props, syntax.Prop{Key: k.Value, Value: x.expr(el.NamedChild(int(el.NamedChildCount())-1), depth)})
			}
			continue
		}
		list.Elems = append(list.Elems, x.expr(el.NamedChild(0), depth))
	}
	if keyed {
		return obj
	}
	return list
}

// phpHasArrow reports whether an array element is key => value.
func phpHasArrow(el *node) bool {
	for i := 0; i < int(el.ChildCount()); i++ {
		if el.Child(i).Type() == "=>" {
			return true
		}
	}
	return false
}

func (phpGrammar) bindings(x *extraction, n *node) []syntax.Binding {
	switch n.Type() {
	case "const_element":
		// const KEY = "k"; and class constants: name, =, value.
		if n.NamedChildCount() < 2 || n.NamedChild(0).Type() != "name" {
			return nil
		}
		return []syntax.Binding{{
			Name:  x.text(n.NamedChild(0)),
			Value: x.expr(n.NamedChild(int(n.NamedChildCount())-1), 1),
			Const: true,
		}}
	case "function_call_expression":
		// define('KEY', 'k') binds a constant.
		// Every named function call is captured: compare without copying.
		fn := x.field(n, "function")
		if fn == nil || !bytes.EqualFold(x.bytes(fn), []byte("define")) {
			return nil
		}
		_, _, _, args := phpGrammar{}.callee(x, n)
		if len(args) < 2 {
			return nil
		}
		name := x.expr(args[0].node, 1)
		if name.Kind != syntax.String || name.Value == "" {
			return nil
		}
		return []syntax.Binding{{Name: name.Value, Value: x.expr(args[1].node, 1), Const: true}}
	case "assignment_expression":
		name := phpTarget(x, x.field(n, "left"))
		if name == "" {
			return nil
		}
		return []syntax.Binding{{Name: name, Value: x.expr(x.field(n, "right"), 1)}}
	case "property_element":
		// public $key = 'k'; (readonly properties cannot change).
		if n.NamedChildCount() == 0 {
			return nil
		}
		name := phpVariable(x, n.NamedChild(0))
		if name == "" {
			return nil
		}
		b := syntax.Binding{Name: name}
		for i := 1; i < int(n.NamedChildCount()); i++ {
			if init := n.NamedChild(i); init.Type() == "property_initializer" && init.NamedChildCount() > 0 {
				b.Value = x.expr(init.NamedChild(0), 1)
			}
		}
		if decl := x.parent(n); decl != nil && decl.Type() == "property_declaration" {
			for i := 0; i < int(decl.NamedChildCount()); i++ {
				if decl.NamedChild(i).Type() == "readonly_modifier" {
					b.Const = true
				}
			}
		}
		return []syntax.Binding{b}
	}
	return nil
}

// phpTarget returns the name an assignment binds: x for $x, key for
// $this->key and self::$key; "" for anything else.
func phpTarget(x *extraction, t *node) string {
	if t == nil {
		return ""
	}
	switch t.Type() {
	case "variable_name":
		return phpVariable(x, t)
	case "member_access_expression":
		if name := x.field(t, "name"); name != nil && name.Type() == "name" {
			return x.text(name)
		}
	case "scoped_property_access_expression":
		return phpVariable(x, x.field(t, "name"))
	}
	return ""
}

func (phpGrammar) assigned(x *extraction, n *node) string {
	child, p := n, x.parent(n)
	for up := 0; p != nil && up < maxUnwrap && p.Type() == "parenthesized_expression"; up++ {
		child, p = p, x.parent(p)
	}
	if p == nil || p.Type() != "assignment_expression" {
		return ""
	}
	if r := x.field(p, "right"); r == nil || !r.Equal(child) {
		return ""
	}
	return phpVariable(x, x.field(p, "left"))
}

// declare records the namespace and use A\B\Keys and use A\B\Keys as K.
func (phpGrammar) declare(x *extraction, n *node, capture string) {
	if capture == "package" {
		if name := x.field(n, "name"); name != nil && x.file.Package == "" {
			x.file.Package = x.text(name)
		}
		return
	}
	if capture != "import" || n.NamedChildCount() == 0 {
		return
	}
	name := n.NamedChild(0)
	if name.Type() != "qualified_name" && name.Type() != "name" {
		return
	}
	from := strings.TrimPrefix(x.text(name), `\`)
	local := from[strings.LastIndexByte(from, '\\')+1:]
	for i := 1; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c.Type() == "namespace_aliasing_clause" && c.NamedChildCount() > 0 {
			local = x.text(c.NamedChild(0))
		}
	}
	x.file.Imports = append(x.file.Imports, syntax.Import{Local: local, From: from, Pos: x.pos(n)})
}
