package treesitter

import (
	"strings"

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

// moduleQuery adds the patterns of what the file imports, exports and
// declares, for keys named in other files.
func (jsGrammar) moduleQuery() string {
	return `
(enum_declaration) @binding
(import_statement) @import
(export_statement) @export
(formal_parameters) @params
(arrow_function parameter: (identifier) @params)
[(class_declaration) (abstract_class_declaration)] @type
`
}

func (jsGrammar) callee(x *extraction, n *node) (string, *node, *node, []arg) {
	if n.Type() == "subscript_expression" {
		return x.subscriptCallee(n, "index", "object")
	}
	name, recv := x.memberCallee(n, "member_expression", "property", "object")
	if name == nil {
		return "", nil, nil, nil
	}
	var args []arg
	if list := x.field(n, "arguments"); list != nil && list.Type() == "arguments" {
		for i := 0; i < int(list.NamedChildCount()); i++ {
			if a := list.NamedChild(i); a.Type() != "comment" {
				args = append(args, arg{node: a})
			}
		}
	}
	return x.text(name), name, recv, args
}

func (g jsGrammar) expr(x *extraction, n *node, depth int) syntax.Expr {
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
		if p := x.field(n, "property"); p != nil {
			return syntax.Expr{Kind: syntax.Ident, Value: x.text(p), Path: x.namePath(n, "member_expression", "object", "property", jsName)}
		}
	case "parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion":
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); !strings.HasSuffix(c.Type(), "type") && c.Type() != "type_arguments" {
				return x.expr(c, depth)
			}
		}
	case "unary_expression":
		// -1 is a number; !0 and the like are not literals worth modelling.
		if op := x.field(n, "operator"); op != nil && x.text(op) == "-" {
			if v := x.expr(x.field(n, "argument"), depth); v.Kind == syntax.Number {
				return syntax.Expr{Kind: syntax.Number, Value: "-" + v.Value}
			}
		}
	case "binary_expression":
		return concat(x.expr(x.field(n, "left"), depth), x.expr(x.field(n, "right"), depth), x.text(x.field(n, "operator")) == "+")
	case "object":
		e := syntax.Expr{Kind: syntax.Object}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			c := n.NamedChild(i)
			switch c.Type() {
			case "pair":
				k := x.field(c, "key")
				key := x.text(k)
				if k.Type() == "string" {
					key = jsStringValue(x, k)
				} else if k.Type() == "computed_property_name" {
					continue
				}
				e.Props = append(e.Props, syntax.Prop{Key: key, Value: x.expr(x.field(c, "value"), depth)})
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
	case "call_expression":
		// Object.freeze({...}) is the object it freezes.
		if fn := x.field(n, "function"); fn != nil && x.text(fn) == "Object.freeze" {
			if args := x.field(n, "arguments"); args != nil && args.NamedChildCount() == 1 {
				return x.expr(args.NamedChild(0), depth)
			}
		}
		return x.callExpr(n)
	case "subscript_expression":
		return x.callExpr(n)
	case "await_expression":
		if n.NamedChildCount() > 0 {
			return x.expr(n.NamedChild(0), depth)
		}
	}
	return x.other(n)
}

// jsStringValue decodes a string node from its fragments and escapes.
func jsStringValue(x *extraction, n *node) string {
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

func (jsGrammar) bindings(x *extraction, n *node) []syntax.Binding {
	var name, value *node
	constant, exported := false, false
	switch n.Type() {
	case "enum_declaration":
		return jsEnum(x, n)
	case "variable_declarator":
		name, value = x.field(n, "name"), x.field(n, "value")
		if from, ok := jsRequire(x, value); ok {
			jsRequireImports(x, name, from)
			return nil
		}
		if p := x.parent(n); p != nil && p.Type() == "lexical_declaration" && p.ChildCount() > 0 {
			constant = x.text(p.Child(0)) == "const"
			if pp := x.parent(p); pp != nil && pp.Type() == "export_statement" {
				exported = true
			}
		}
	case "assignment_expression":
		name, value = x.field(n, "left"), x.field(n, "right")
		if jsModuleExport(x, name, value) {
			return nil
		}
		if name != nil && name.Type() == "member_expression" {
			name = x.field(name, "property")
		}
	case "public_field_definition":
		name, value = x.field(n, "name"), x.field(n, "value")
		if name != nil {
			modifiers := string(x.src[n.StartByte():name.StartByte()])
			constant = strings.Contains(modifiers, "readonly") || strings.Contains(modifiers, "static")
		}
	}
	if name == nil || (name.Type() != "identifier" && name.Type() != "property_identifier") {
		return nil
	}
	b := syntax.Binding{Name: x.text(name), Const: constant, Exported: exported, Pos: x.pos(name)}
	if value != nil {
		b.Value = x.expr(value, 1)
	}
	return []syntax.Binding{b}
}

func (jsGrammar) assigned(x *extraction, n *node) string {
	p := x.parent(n)
	for up := 0; p != nil && up < maxUnwrap && (p.Type() == "await_expression" || p.Type() == "parenthesized_expression" || p.Type() == "as_expression" || p.Type() == "non_null_expression"); up++ {
		p = x.parent(p)
	}
	if p == nil {
		return ""
	}
	var name *node
	switch p.Type() {
	case "variable_declarator":
		name = x.field(p, "name")
	case "assignment_expression":
		name = x.field(p, "left")
	}
	if name == nil || name.Type() != "identifier" {
		return ""
	}
	return x.text(name)
}

// jsName reports the node types of a plain name in a member chain.
func jsName(t string) bool {
	return t == "identifier" || t == "property_identifier"
}

// jsEnum models a TypeScript enum as an object of its members, so that
// Flags.CHECKOUT resolves like a member of a const object. Only string
// members have a value a key can take.
func jsEnum(x *extraction, n *node) []syntax.Binding {
	name, body := x.field(n, "name"), x.field(n, "body")
	if name == nil || body == nil {
		return nil
	}
	obj := syntax.Expr{Kind: syntax.Object, Pos: x.pos(n), Text: syntax.Clip(x.text(name))}
	for i := 0; i < int(body.NamedChildCount()); i++ {
		m := body.NamedChild(i)
		if m.Type() != "enum_assignment" {
			continue
		}
		k, v := x.field(m, "name"), x.field(m, "value")
		if k == nil || v == nil {
			continue
		}
		key := x.text(k)
		if k.Type() == "string" {
			key = jsStringValue(x, k)
		}
		e := x.expr(v, 1)
		e.Pos = x.pos(k)
		obj.Props = append(obj.Props, syntax.Prop{Key: key, Value: e})
	}
	exported := false
	if p := x.parent(n); p != nil && p.Type() == "export_statement" {
		exported = true
	}
	return []syntax.Binding{{Name: x.text(name), Value: obj, Const: true, Exported: exported, Pos: x.pos(name)}}
}

// jsRequire reports a require("m") call and the module it names.
func jsRequire(x *extraction, n *node) (string, bool) {
	if n == nil || n.Type() != "call_expression" {
		return "", false
	}
	fn, args := x.field(n, "function"), x.field(n, "arguments")
	if fn == nil || args == nil || x.text(fn) != "require" || args.NamedChildCount() != 1 {
		return "", false
	}
	if a := args.NamedChild(0); a.Type() == "string" {
		return jsStringValue(x, a), true
	}
	return "", false
}

// jsRequireImports records what const F = require("m") and
// const {A, B: C} = require("m") import.
func jsRequireImports(x *extraction, name *node, from string) {
	if name == nil {
		return
	}
	switch name.Type() {
	case "identifier":
		x.file.Imports = append(x.file.Imports, syntax.Import{Local: x.text(name), From: from, Pos: x.pos(name)})
	case "object_pattern":
		for i := 0; i < int(name.NamedChildCount()); i++ {
			c := name.NamedChild(i)
			switch c.Type() {
			case "shorthand_property_identifier_pattern":
				x.file.Imports = append(x.file.Imports, syntax.Import{Local: x.text(c), From: from, Name: x.text(c), Pos: x.pos(c)})
			case "pair_pattern":
				k, v := x.field(c, "key"), x.field(c, "value")
				if k != nil && v != nil && v.Type() == "identifier" {
					x.file.Imports = append(x.file.Imports, syntax.Import{Local: x.text(v), From: from, Name: x.text(k), Pos: x.pos(v)})
				}
			}
		}
	}
}

// jsModuleExport records module.exports = v, module.exports.A = v and
// exports.A = v as exports, and reports whether the assignment was one.
func jsModuleExport(x *extraction, left, value *node) bool {
	if left == nil || value == nil || left.Type() != "member_expression" {
		return false
	}
	path := x.namePath(left, "member_expression", "object", "property", jsName)
	var name string
	switch {
	case len(path) == 2 && path[0] == "module" && path[1] == "exports":
		name = "="
	case len(path) == 3 && path[0] == "module" && path[1] == "exports":
		name = path[2]
	case len(path) == 2 && path[0] == "exports":
		name = path[1]
	default:
		return false
	}
	v := x.expr(value, 1)
	e := syntax.Export{Name: name, Value: &v, Pos: x.pos(left)}
	if v.Kind == syntax.Ident && v.Path == nil {
		e.Local, e.Value = v.Value, nil
	}
	x.file.Exports = append(x.file.Exports, e)
	return true
}

// declare records imports, exports and parameters.
func (jsGrammar) declare(x *extraction, n *node, capture string) {
	switch capture {
	case "import":
		jsImport(x, n)
	case "export":
		jsExport(x, n)
	case "params":
		if n.Type() == "identifier" {
			x.param(n)
			return
		}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			p := n.NamedChild(i)
			if p.Type() == "required_parameter" || p.Type() == "optional_parameter" {
				p = x.field(p, "pattern")
			}
			if p != nil && p.Type() == "assignment_pattern" {
				p = x.field(p, "left")
			}
			if p != nil && p.Type() == "identifier" {
				x.param(p)
			}
		}
	}
}

// jsImport records an import statement's names.
func jsImport(x *extraction, n *node) {
	src := x.field(n, "source")
	if src == nil {
		return
	}
	from := jsStringValue(x, src)
	var clause *node
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c.Type() == "import_clause" {
			clause = c
		}
	}
	if clause == nil {
		return
	}
	for i := 0; i < int(clause.NamedChildCount()); i++ {
		c := clause.NamedChild(i)
		switch c.Type() {
		case "identifier":
			x.file.Imports = append(x.file.Imports, syntax.Import{Local: x.text(c), From: from, Name: "default", Pos: x.pos(c)})
		case "namespace_import":
			for j := 0; j < int(c.NamedChildCount()); j++ {
				if id := c.NamedChild(j); id.Type() == "identifier" {
					x.file.Imports = append(x.file.Imports, syntax.Import{Local: x.text(id), From: from, Pos: x.pos(id)})
				}
			}
		case "named_imports":
			for j := 0; j < int(c.NamedChildCount()); j++ {
				spec := c.NamedChild(j)
				if spec.Type() != "import_specifier" {
					continue
				}
				name, alias := x.field(spec, "name"), x.field(spec, "alias")
				if name == nil {
					continue
				}
				local := name
				if alias != nil {
					local = alias
				}
				imported := x.text(name)
				if name.Type() == "string" {
					imported = jsStringValue(x, name)
				}
				x.file.Imports = append(x.file.Imports, syntax.Import{Local: x.text(local), From: from, Name: imported, Pos: x.pos(local)})
			}
		}
	}
}

// jsExport records the exports of an export statement that are not
// exported bindings (those are marked where they are bound).
func jsExport(x *extraction, n *node) {
	from := ""
	if src := x.field(n, "source"); src != nil {
		from = jsStringValue(x, src)
	}
	if v := x.field(n, "value"); v != nil {
		// export default expr
		e := syntax.Export{Name: "default", Pos: x.pos(v)}
		if v.Type() == "identifier" {
			e.Local = x.text(v)
		} else {
			val := x.expr(v, 1)
			e.Value = &val
		}
		x.file.Exports = append(x.file.Exports, e)
		return
	}
	star := false
	for i := 0; i < int(n.ChildCount()); i++ {
		c := n.Child(i)
		switch c.Type() {
		case "*":
			star = true
		case "namespace_export":
			for j := 0; j < int(c.NamedChildCount()); j++ {
				if id := c.NamedChild(j); id.Type() == "identifier" {
					x.file.Exports = append(x.file.Exports, syntax.Export{Name: x.text(id), From: from, Imported: "*", Pos: x.pos(id)})
				}
			}
			star = false
		case "export_clause":
			for j := 0; j < int(c.NamedChildCount()); j++ {
				spec := c.NamedChild(j)
				if spec.Type() != "export_specifier" {
					continue
				}
				name, alias := x.field(spec, "name"), x.field(spec, "alias")
				if name == nil {
					continue
				}
				exported := name
				if alias != nil {
					exported = alias
				}
				e := syntax.Export{Name: x.text(exported), Pos: x.pos(exported)}
				if from != "" {
					e.From, e.Imported = from, x.text(name)
				} else {
					e.Local = x.text(name)
				}
				x.file.Exports = append(x.file.Exports, e)
			}
		}
	}
	if star && from != "" {
		x.file.Exports = append(x.file.Exports, syntax.Export{Name: "*", From: from, Pos: x.pos(n)})
	}
}
