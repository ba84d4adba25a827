package lexical

import (
	"slices"
	"strings"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// Expressions are modelled from a token range [a, b): an operand (a
// literal, a name, a call chain) or operands joined by the language's
// string concatenation. Anything else is Other, and is not looked into:
// in particular a lambda is never entered, so that every call built ahead
// of the walk lies in the scope the walk is in.

// expr models tokens [a, b).
func (p *parser) expr(a, b, depth int) syntax.Expr {
	if a >= b {
		return syntax.Expr{Kind: syntax.Other, Pos: p.pos(a)}
	}
	if depth > maxDepth {
		return p.other(a, b)
	}
	e, j := p.operand(a, b, depth)
	if j == a {
		return p.other(a, b)
	}
	for j < b && p.d.concat[p.punctText(j)] {
		r, k := p.operand(j+1, b, depth)
		if k == j+1 {
			return p.other(a, b)
		}
		e = concat(e, r)
		j = k
	}
	if j < b {
		return p.other(a, b)
	}
	e.Pos, e.Text = p.pos(a), p.text(a, b)
	return e
}

func (p *parser) other(a, b int) syntax.Expr {
	return syntax.Expr{Kind: syntax.Other, Pos: p.pos(a), Text: p.text(a, b)}
}

// skipPrefixes skips the keywords that may precede an operand without
// changing what it is (await, new) and, in Objective-C, casts.
func (p *parser) skipPrefixes(a, b int) int {
	for a < b {
		switch {
		case p.isIdent(a) && p.d.prefixes[string(p.word(a))] && a+1 < b:
			a++
		case p.d.casts && p.isPunct(a, "("):
			m := p.group(a, b)
			if m < 0 || m+1 >= b || !p.isCast(a, m) {
				return a
			}
			a = m + 1
		default:
			return a
		}
	}
	return a
}

// isCast reports whether the parenthesized tokens (o, m) are an
// Objective-C cast: a type name, maybe qualified, with pointer stars.
func (p *parser) isCast(o, m int) bool {
	if m-o < 2 || m-o > 8 || !p.isIdent(o+1) {
		return false
	}
	for k := o + 1; k < m; k++ {
		if !p.isIdent(k) && !p.isPunct(k, "*") && !p.isPunct(k, "<") && !p.isPunct(k, ">") {
			return false
		}
	}
	next := m + 1
	switch p.toks[next].kind {
	case kIdent, kString, kNumber, kChar:
		return true
	}
	return p.isPunct(next, "[") || p.isPunct(next, "(") || p.isPunct(next, "@")
}

// concat models a binary + (or &): a concatenation of constant strings is
// a string, any other involving a string is a template.
func concat(l, r syntax.Expr) syntax.Expr {
	if l.Kind == syntax.String && r.Kind == syntax.String {
		return syntax.Expr{Kind: syntax.String, Value: l.Value + r.Value}
	}
	if l.Kind == syntax.String || r.Kind == syntax.String || l.Kind == syntax.Template || r.Kind == syntax.Template {
		return syntax.Expr{Kind: syntax.Template}
	}
	return syntax.Expr{Kind: syntax.Other}
}

// operand models the operand starting at a, not past b: a primary and the
// members, calls and subscripts chained on it. It returns the index after
// it, a if there is no operand there.
func (p *parser) operand(start, b, depth int) (syntax.Expr, int) {
	a := p.skipPrefixes(start, b)
	e, j := p.primary(a, b, depth)
	if j == a {
		return e, start
	}
	cascade := false
	for j < b {
		op := p.punctText(j)
		switch {
		case p.isMemberOp(j):
			k := j + 1
			if op == ".." || op == "?.." {
				cascade = true
			}
			if k < b && p.isPunct(k, "[") && p.d.subscripts {
				// F#'s xs.[i]
				m := p.group(k, b)
				if m < 0 {
					return p.other(a, b), b
				}
				e = p.callExpr(p.subscript(k, depth))
				j = m + 1
				continue
			}
			if k >= b || !p.isIdent(k) {
				return p.finish(e, a, j, cascade), j
			}
			if paren := p.callParen(k); paren >= 0 && paren < b {
				m := p.group(paren, b)
				if m < 0 {
					return p.other(a, b), b
				}
				e = p.callExpr(p.callAt(k, depth))
				j = m + 1
				continue
			}
			var path []string
			if e.Kind == syntax.Ident && len(e.Names()) < 8 {
				path = append(slices.Clip(e.Names()), p.identValue(k))
			}
			e = syntax.Expr{Kind: syntax.Ident, Value: p.identValue(k), Path: path}
			j = k + 1
		case op == "[" && p.d.subscripts && p.isSubscript(j):
			m := p.group(j, b)
			if m < 0 {
				return p.other(a, b), b
			}
			e = p.callExpr(p.subscript(j, depth))
			j = m + 1
		case op == "(":
			// A call of what a call returned: not modelled.
			m := p.group(j, b)
			if m < 0 {
				return p.other(a, b), b
			}
			e = syntax.Expr{Kind: syntax.Other}
			j = m + 1
		case op == "!" && p.d.name == "dart" && (j+1 == b || p.isMemberOp(j+1) || p.isPunct(j+1, "[")):
			j++ // x! asserts x is not null
		default:
			return p.finish(e, a, j, cascade), j
		}
	}
	return p.finish(e, a, j, cascade), j
}

// finish sets the position and text of an operand spanning [a, j). The
// value of a Dart cascade is its target, not the last call: it is Other.
func (p *parser) finish(e syntax.Expr, a, j int, cascade bool) syntax.Expr {
	if cascade {
		e = syntax.Expr{Kind: syntax.Other}
	}
	e.Pos, e.Text = p.pos(a), p.text(a, j)
	return e
}

func (p *parser) callExpr(c *syntax.Call) syntax.Expr {
	if c == nil {
		return syntax.Expr{Kind: syntax.Other}
	}
	return syntax.Expr{Kind: syntax.CallExpr, Call: c}
}

// primary models the literal, name, call or bracketed expression at i.
func (p *parser) primary(i, b, depth int) (syntax.Expr, int) {
	if i >= b {
		return syntax.Expr{}, i
	}
	t := &p.toks[i]
	switch t.kind {
	case kString, kTemplate, kStrStart:
		return p.stringLit(i, b)
	case kNumber:
		return syntax.Expr{Kind: syntax.Number, Value: strings.TrimPrefix(string(p.raw(i)), "@")}, i + 1
	case kChar:
		return syntax.Expr{Kind: syntax.Other}, i + 1
	case kIdent:
		switch p.d.literals[string(p.word(i))] {
		case litTrue:
			return syntax.Expr{Kind: syntax.Bool, Value: "true"}, i + 1
		case litFalse:
			return syntax.Expr{Kind: syntax.Bool, Value: "false"}, i + 1
		case litNull:
			return syntax.Expr{Kind: syntax.Null}, i + 1
		}
		if p.d.foldCase && p.is(i, "with") && p.isPunct(i+1, "{") {
			return p.primary(i+1, b, depth) // New With {.Name = value}
		}
		if p.isKeyword(i) {
			return syntax.Expr{}, i
		}
		if paren := p.callParen(i); paren >= 0 && paren < b {
			m := p.group(paren, b)
			if m < 0 {
				return p.other(i, b), b
			}
			return p.callExpr(p.callAt(i, depth)), m + 1
		}
		return syntax.Expr{Kind: syntax.Ident, Value: p.identValue(i)}, i + 1
	case kPunct:
	default:
		return syntax.Expr{}, i
	}
	switch p.punctText(i) {
	case "(":
		m := p.group(i, b)
		if m < 0 {
			return p.other(i, b), b
		}
		if m == i+1 {
			return syntax.Expr{Kind: syntax.Other}, m + 1
		}
		return p.expr(i+1, m, depth+1), m + 1
	case "[":
		m := p.group(i, b)
		if m < 0 {
			return p.other(i, b), b
		}
		if p.d.messages {
			return p.callExpr(p.message(i, depth)), m + 1
		}
		if p.d.name == "fsharp" {
			return p.list(i+1, m, ";", depth), m + 1
		}
		return p.list(i+1, m, ",", depth), m + 1
	case "{":
		m := p.group(i, b)
		if m < 0 {
			return p.other(i, b), b
		}
		if p.d.foldCase && p.is(i-1, "with") {
			return p.vbAnonymous(i+1, m, depth), m + 1
		}
		switch p.d.name {
		case "dart":
			return p.mapLit(i+1, m, depth), m + 1
		case "vb":
			return p.list(i+1, m, ",", depth), m + 1
		}
		return syntax.Expr{Kind: syntax.Other}, m + 1
	case "@":
		if !p.d.messages || i+1 >= b {
			return syntax.Expr{}, i
		}
		m := p.group(i+1, b)
		if m < 0 {
			return syntax.Expr{}, i
		}
		switch p.punctText(i + 1) {
		case "[":
			return p.list(i+2, m, ",", depth), m + 1
		case "{":
			return p.mapLit(i+2, m, depth), m + 1
		case "(":
			return p.expr(i+2, m, depth+1), m + 1
		}
	case "-", "+":
		if i+1 < b && p.toks[i+1].kind == kNumber && p.toks[i+1].start == t.end {
			v := string(p.raw(i + 1))
			if p.punctText(i) == "-" {
				v = "-" + v
			}
			return syntax.Expr{Kind: syntax.Number, Value: v}, i + 2
		}
	case "<":
		// A Dart collection literal with type arguments: <String>["a"].
		if p.d.name == "dart" {
			if k := p.skipGenerics(i); k > 0 && k < b && (p.isPunct(k, "[") || p.isPunct(k, "{")) {
				return p.primary(k, b, depth)
			}
		}
	}
	return syntax.Expr{}, i
}

// stringLit models the string literal at i, with the literals adjacent to
// it in languages that join them ("a" "b").
func (p *parser) stringLit(i, b int) (syntax.Expr, int) {
	plain := true
	var value strings.Builder
	j := i
	for j < b {
		switch p.toks[j].kind {
		case kString:
			if plain {
				value.WriteString(p.decode(j))
			}
		case kTemplate:
			plain = false
		case kStrStart:
			plain = false
			m := p.group(j, b)
			if m < 0 {
				return syntax.Expr{Kind: syntax.Template}, b
			}
			j = m
		default:
			return p.stringExpr(plain, value.String()), j
		}
		j++
		if !p.d.adjacentStrings {
			break
		}
	}
	return p.stringExpr(plain, value.String()), j
}

func (p *parser) stringExpr(plain bool, value string) syntax.Expr {
	if !plain {
		return syntax.Expr{Kind: syntax.Template}
	}
	return syntax.Expr{Kind: syntax.String, Value: value}
}

// decode returns the value of the string literal token i.
func (p *parser) decode(i int) string {
	t := &p.toks[i]
	lo, hi := int(t.start)+int(t.pre), int(t.end)-int(t.post)
	if lo > hi {
		return ""
	}
	body := string(p.src[lo:hi])
	if t.braces {
		body = braceUnescaper.Replace(body)
	}
	switch t.esc {
	case escBackslash:
		return syntax.Unescape(body)
	case escDoubled:
		if p.d.foldCase {
			body = curlyQuotes.Replace(body)
		}
		return strings.ReplaceAll(body, `""`, `"`)
	}
	return body
}

var (
	// braceUnescaper decodes the doubled braces of an interpolated string.
	braceUnescaper = strings.NewReplacer("{{", "{", "}}", "}")
	// curlyQuotes straightens quotes: VB takes curly ones for straight
	// ones, doubled ones too.
	curlyQuotes = strings.NewReplacer("\u201c", `"`, "\u201d", `"`)
)

// list models the elements of a list literal in [a, b), separated by sep.
func (p *parser) list(a, b int, sep string, depth int) syntax.Expr {
	e := syntax.Expr{Kind: syntax.Array}
	if depth > maxDepth {
		return e
	}
	if sep == ";" && p.isPunct(a, "|") && p.isPunct(b-1, "|") {
		a, b = a+1, b-1 // an F# array, [| ... |]
	}
	p.split(a, b, sep, func(s, t int) {
		if s < t {
			e.Elems = append(e.Elems, p.expr(s, t, depth+1))
		}
	})
	return e
}

// mapLit models a map or set literal in [a, b): a map (Object) when its
// entries are key: value pairs, a set (Array) otherwise. Only string keys
// are kept.
func (p *parser) mapLit(a, b, depth int) syntax.Expr {
	obj, arr := syntax.Expr{Kind: syntax.Object}, syntax.Expr{Kind: syntax.Array}
	if depth > maxDepth {
		return obj
	}
	pairs := false
	p.split(a, b, ",", func(s, t int) {
		if s >= t {
			return
		}
		colon := -1
		p.split(s, t, ":", func(_, u int) {
			if colon < 0 && u < t {
				colon = u
			}
		})
		if colon < 0 {
			arr.Elems = append(arr.Elems, p.expr(s, t, depth+1))
			return
		}
		pairs = true
		k := p.expr(s, colon, depth+1)
		if k.Kind == syntax.String {
			obj.Props = append(obj.Props, syntax.Prop{Key: k.Value, Value: p.expr(colon+1, t, depth+1)})
		}
	})
	if pairs || len(arr.Elems) == 0 {
		return obj
	}
	return arr
}

// vbAnonymous models the members of a VB anonymous object in [a, b):
// .Name = value, separated by commas.
func (p *parser) vbAnonymous(a, b, depth int) syntax.Expr {
	e := syntax.Expr{Kind: syntax.Object}
	if depth > maxDepth {
		return e
	}
	p.split(a, b, ",", func(s, t int) {
		if s+2 < t && p.isPunct(s, ".") && p.isIdent(s+1) && p.isPunct(s+2, "=") {
			e.Props = append(e.Props, syntax.Prop{Key: string(p.raw(s + 1)), Value: p.expr(s+3, t, depth+1)})
		}
	})
	return e
}

// split calls f with each part of [a, b) between separators sep at the top
// level. Nested brackets are skipped whole.
func (p *parser) split(a, b int, sep string, f func(s, t int)) {
	s := a
	for k := a; k < b; {
		if m := p.group(k, b); m > 0 {
			k = m + 1
			continue
		}
		if p.d.name != "vb" && p.isPunct(k, "<") {
			// Type arguments hold commas: <String, int>{...}, f<A, B>(...).
			if g := p.skipGenerics(k); g > 0 && g < b && (p.isPunct(g, "(") || p.isPunct(g, "[") || p.isPunct(g, "{")) {
				k = g
				continue
			}
		}
		if p.isPunct(k, sep) {
			f(s, k)
			s = k + 1
		}
		k++
	}
	f(s, b)
}

// Calls.

// callParen returns the index of the parenthesis that opens the arguments
// of a call through the name at i, -1 if the name is not called. Type
// arguments between them are skipped: f<T>(...), VB's F(Of T)(...).
func (p *parser) callParen(i int) int {
	k := i + 1
	if k >= len(p.toks) {
		return -1
	}
	if p.isPunct(k, "<") && p.d.name != "vb" {
		if k = p.skipGenerics(k); k < 0 {
			return -1
		}
	}
	if p.d.foldCase && p.isPunct(k, "(") && p.is(k+1, "of") {
		if m := int(p.match[k]); m > k && p.isPunct(m+1, "(") {
			k = m + 1
		}
	}
	if !p.isPunct(k, "(") || p.match[k] < int32(k) {
		return -1
	}
	return k
}

// skipGenerics returns the index after the type arguments opened by the <
// at k, -1 if what follows is not type arguments.
func (p *parser) skipGenerics(k int) int {
	depth := 0
	for j := k; j < len(p.toks) && j < k+32; j++ {
		switch p.toks[j].kind {
		case kIdent:
			continue
		case kPunct:
		default:
			return -1
		}
		switch p.punctText(j) {
		case "<":
			depth++
		case ">":
			depth--
		case ">>":
			depth -= 2
		case ">>>":
			depth -= 3
		case ",", ".", "?", "[", "]", "*", "'":
		default:
			return -1
		}
		if depth == 0 {
			return j + 1
		}
		if depth < 0 {
			return -1
		}
	}
	return -1
}

// callAt returns the call through the name at i, built once. It is nil when
// the name declares a function, or past maxDepth (the walk builds it later).
func (p *parser) callAt(i, depth int) *syntax.Call {
	if c, ok := p.calls[int32(i)]; ok {
		return c
	}
	if depth > maxDepth {
		return nil
	}
	paren := p.callParen(i)
	if paren < 0 || p.d.isDecl != nil && p.d.isDecl(p, i, paren) {
		p.calls[int32(i)] = nil
		return nil
	}
	c := &syntax.Call{Name: p.callName(i), Pos: p.pos(i), Scope: p.scope, Line: int(p.toks[i].line)}
	p.calls[int32(i)] = c
	if r := p.receiverBefore(i, depth+1); r != nil {
		c.Receiver = r
		c.Line = min(c.Line, r.Pos.Line)
	}
	c.Args = p.args(paren, depth+1)
	return c
}

// args models the arguments of the call whose parenthesis opens at paren.
func (p *parser) args(paren, depth int) []syntax.Arg {
	m := int(p.match[paren])
	if m <= paren+1 {
		return nil
	}
	var args []syntax.Arg
	p.split(paren+1, m, ",", func(s, t int) {
		if s >= t {
			if p.d.foldCase && (t < m || len(args) > 0) {
				// VB leaves optional arguments out: F(a, , c).
				args = append(args, syntax.Arg{Value: syntax.Expr{Kind: syntax.Other, Pos: p.pos(s)}})
			}
			return
		}
		label, v := "", s
		if p.d.label != nil {
			label, v = p.d.label(p, s, t)
		}
		args = append(args, syntax.Arg{Label: label, Value: p.expr(v, t, depth)})
	})
	return args
}

// receiverBefore models what the call through the name at i is called on,
// nil for a bare function call.
func (p *parser) receiverBefore(i, depth int) *syntax.Expr {
	if i < 2 || !p.isMemberOp(i-1) {
		return nil
	}
	op := p.punctText(i - 1)
	if p.d.foldCase && p.toks[i-1].nl {
		// VB's .Name at the start of a line, inside a With block.
		e := syntax.Expr{Kind: syntax.Other, Pos: p.pos(i - 1)}
		return &e
	}
	end := i - 2
	if op == ".." || op == "?.." {
		end = p.cascadeTarget(i - 2)
	}
	e := p.exprEnding(end, depth)
	return &e
}

// cascadeTarget returns the end of the target of the Dart cascade whose
// sections end at j: the expression before the first .. of the chain.
func (p *parser) cascadeTarget(j int) int {
	target := j
	for steps := 0; j >= 0 && steps < 64; steps++ {
		if m := int(p.match[j]); m >= 0 && m < j && p.isCloser(j) {
			j = m
			if p.isIdent(j - 1) {
				j--
			}
		}
		if j <= 0 {
			break
		}
		switch op := p.punctText(j - 1); {
		case op == ".." || op == "?..":
			target = j - 2
			j -= 2
		case p.isMemberOp(j-1) || op == "!":
			j -= 2
		default:
			return target
		}
	}
	return target
}

// exprEnding models the operand that ends at token j, walking back: a
// name or member chain, a call, a subscript or message, a literal.
func (p *parser) exprEnding(j, depth int) syntax.Expr {
	if j < 0 || j >= len(p.toks) {
		return syntax.Expr{Kind: syntax.Other, Pos: p.pos(j)}
	}
	if depth > maxDepth {
		return p.other(j, j+1)
	}
	t := &p.toks[j]
	switch t.kind {
	case kIdent:
		if p.literal(j) {
			e, _ := p.primary(j, j+1, depth)
			e.Pos, e.Text = p.pos(j), p.text(j, j+1)
			return e
		}
		s := j
		for s >= 2 && p.isMemberOp(s-1) && p.isIdent(s-2) && !p.toks[s-1].nl && j-s < 16 {
			s -= 2
		}
		e := syntax.Expr{Kind: syntax.Ident, Value: p.identValue(j), Pos: p.pos(s), Text: p.text(s, j+1)}
		if s < j {
			for k := s; k <= j; k += 2 {
				e.Path = append(e.Path, p.identValue(k))
			}
		}
		return e
	case kString, kTemplate, kNumber, kChar:
		e, _ := p.primary(j, j+1, depth)
		e.Pos, e.Text = p.pos(j), p.text(j, j+1)
		return e
	case kStrEnd:
		if o := int(p.match[j]); o >= 0 && o < j {
			return syntax.Expr{Kind: syntax.Template, Pos: p.pos(o), Text: p.text(o, j+1)}
		}
	case kPunct:
		o := int(p.match[j])
		switch p.punctText(j) {
		case ")":
			if o < 0 || o > j {
				break
			}
			name := o - 1
			if p.isPunct(name, ">") || p.d.foldCase && p.isPunct(name, ")") {
				name = p.calleeBefore(o)
			}
			if p.isIdent(name) && (!p.isKeyword(name) || p.memberOpBefore(name)) && p.callParen(name) == o {
				e := p.callExpr(p.callAt(name, depth))
				e.Pos, e.Text = p.chainStart(name, e), p.text(name, j+1)
				return e
			}
			e := p.expr(o+1, j, depth+1)
			return e
		case "]":
			if o < 0 || o > j {
				break
			}
			var c *syntax.Call
			switch {
			case p.d.subscripts && p.isSubscript(o):
				c = p.subscript(o, depth)
			case p.d.messages && p.maySend(o):
				c = p.message(o, depth)
			}
			if c != nil {
				return syntax.Expr{Kind: syntax.CallExpr, Call: c, Pos: p.pos(o), Text: p.text(o, j+1)}
			}
			e, _ := p.primary(o, j+1, depth)
			e.Pos, e.Text = p.pos(o), p.text(o, j+1)
			return e
		case "!":
			if p.d.name == "dart" {
				return p.exprEnding(j-1, depth+1)
			}
		}
	}
	return p.other(j, j+1)
}

// calleeBefore returns the name of a call whose argument list opens at o
// after type arguments (f<T>(...), F(Of T)(...)), or -1.
func (p *parser) calleeBefore(o int) int {
	for k := o - 1; k >= 0 && k >= o-34; k-- {
		if p.isIdent(k) && p.callParen(k) == o {
			return k
		}
	}
	return -1
}

// chainStart returns the position a call expression is reported at: where
// its receiver starts, or its name for a bare call.
func (p *parser) chainStart(name int, e syntax.Expr) syntax.Pos {
	if e.Call != nil && e.Call.Receiver != nil {
		return e.Call.Receiver.Pos
	}
	return p.pos(name)
}

// Subscripts and messages.

// isSubscript reports whether the '[' at o indexes what precedes it.
func (p *parser) isSubscript(o int) bool {
	if o == 0 {
		return false
	}
	prev := o - 1
	if p.d.name == "fsharp" {
		// xs.[i], or xs[i] with no space between (F# 6).
		return p.isPunct(prev, ".") || (p.isIdent(prev) || p.isPunct(prev, ")") || p.isPunct(prev, "]")) && p.toks[prev].end == p.toks[o].start
	}
	if p.d.messages && p.isPunct(prev, ")") {
		// #define F(x) [x f]: a macro's parameters, then its body.
		if o := int(p.match[prev]); o >= 2 && p.toks[o-2].kind == kDirective {
			return false
		}
	}
	switch p.toks[prev].kind {
	case kIdent:
		return !p.isKeyword(prev)
	case kString, kStrEnd:
		return true
	case kPunct:
		switch p.punctText(prev) {
		case ")", "]":
			return true
		case "!":
			return p.d.name == "dart"
		}
	}
	return false
}

// subscript returns the subscript call whose '[' is at o, built once.
func (p *parser) subscript(o, depth int) *syntax.Call {
	if c, ok := p.sends[int32(o)]; ok {
		return c
	}
	m := int(p.match[o])
	if m < o || depth > maxDepth {
		return nil
	}
	c := &syntax.Call{Name: "[]", Pos: p.pos(min(o+1, m)), Scope: p.scope, Line: int(p.toks[o].line)}
	p.sends[int32(o)] = c
	recv := o - 1
	if p.d.name == "fsharp" && p.isPunct(recv, ".") {
		recv--
	}
	r := p.exprEnding(recv, depth+1)
	c.Receiver = &r
	c.Line = min(c.Line, r.Pos.Line)
	c.Args = []syntax.Arg{{Value: p.expr(o+1, m, depth+1)}}
	return c
}

// maySend reports whether the '[' at o can open an Objective-C message: it
// does not index what precedes it and is not the bracket of an @[ ] literal.
func (p *parser) maySend(o int) bool {
	return p.isPunct(o, "[") && !p.isSubscript(o) && !p.isPunct(o-1, "@")
}

// message returns the message send whose '[' is at o, built once; nil if
// the brackets do not hold a receiver and a selector. The first selector
// part names the call and its argument is positional; the later parts
// label theirs: [v getModification:@"k" defaultString:@"x" activate:YES].
func (p *parser) message(o, depth int) *syntax.Call {
	if c, ok := p.sends[int32(o)]; ok {
		return c
	}
	m := int(p.match[o])
	if m < o || depth > maxDepth {
		return nil
	}
	p.sends[int32(o)] = nil
	recv, sel := p.operand(o+1, m, depth+1)
	if sel == o+1 || sel >= m || !p.isIdent(sel) {
		return nil
	}
	if sel+1 < m && !p.isPunct(sel+1, ":") {
		return nil
	}
	recv.Pos, recv.Text = p.pos(o+1), p.text(o+1, sel)
	c := &syntax.Call{Name: string(p.raw(sel)), Pos: p.pos(sel), Receiver: &recv, Scope: p.scope, Line: int(p.toks[o].line)}
	p.sends[int32(o)] = c
	for k, first := sel, true; k < m; first = false {
		label := ""
		if p.isIdent(k) {
			label = string(p.raw(k))
			k++
		}
		if !p.isPunct(k, ":") {
			break
		}
		a := k + 1
		e := p.partEnd(a, m)
		if first {
			label = ""
		}
		c.Args = append(c.Args, syntax.Arg{Label: label, Value: p.expr(a, e, depth+1)})
		k = e
	}
	return c
}

// partEnd returns the end of a selector part's argument starting at a: the
// next "name:" at the top level (not a ternary's), or the end m.
func (p *parser) partEnd(a, m int) int {
	ternary := 0
	for k := a; k < m; {
		if g := p.group(k, m); g > 0 {
			k = g + 1
			continue
		}
		switch {
		case p.isPunct(k, "?"):
			ternary++
		case p.isPunct(k, ":"):
			if ternary == 0 && k > a {
				return k // an anonymous part, [x f:a :b]
			}
			ternary = max(ternary-1, 0)
		case ternary == 0 && k > a && p.isIdent(k) && p.isPunct(k+1, ":"):
			return k
		}
		k++
	}
	return m
}
