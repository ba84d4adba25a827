package lexical

import (
	"bytes"
	"strings"
)

// Visual Basic: ' and REM comments, "..." strings with "" for a quote and
// $"..." interpolations, statements that end with the line unless it is
// continued (an explicit " _" or an implicit continuation after a comma,
// an operator, an open bracket), case-insensitive keywords and names, and
// blocks closed by End Sub, End Function...

var vb = &dialect{
	name:     "vb",
	lex:      lexVB,
	foldCase: true,
	ops:      []string{"<<=", ">>=", ":=", "<>", "<=", ">=", "<<", ">>", "&=", "+=", "-=", "*=", "/=", `\=`, "^=", "?."},
	keywords: set("addhandler", "addressof", "and", "andalso", "as", "byref", "byval", "call", "case", "catch",
		"class", "const", "continue", "declare", "delegate", "dim", "do", "each", "else", "elseif", "end",
		"enum", "erase", "error", "event", "exit", "finally", "for", "friend", "function", "get", "global",
		"goto", "handles", "if", "implements", "imports", "in", "inherits", "interface", "is", "isnot",
		"let", "lib", "like", "loop", "mod", "module", "mustinherit", "mustoverride", "namespace",
		"narrowing", "new", "next", "not", "of", "on", "operator", "option", "optional", "or", "orelse",
		"overloads", "overridable", "overrides", "paramarray", "partial", "private", "property",
		"protected", "public", "raiseevent", "readonly", "redim", "removehandler", "resume", "return",
		"select", "set", "shadows", "shared", "static", "step", "stop", "structure", "sub", "synclock",
		"then", "throw", "to", "try", "typeof", "using", "when", "while", "widening", "with",
		"withevents", "writeonly", "xor", "yield", "await", "async", "iterator", "notinheritable",
		"notoverridable", "default", "custom"),
	literals:  map[string]literal{"true": litTrue, "false": litFalse, "nothing": litNull},
	prefixes:  set("new", "await"),
	concat:    set("&", "+"),
	memberOps: set(".", "?."),
	step:      vbStep,
	isDecl:    vbDecl,
	label:     vbLabel,
	isTerm:    vbTerm,
}

func lexVB(l *lexer) {
	for {
		l.space()
		if l.pos >= len(l.src) {
			break
		}
		if l.inHole() {
			continue
		}
		c := l.src[l.pos]
		switch {
		case c == '\'' || l.at(l.pos, "\u2018") || l.at(l.pos, "\u2019"):
			l.comment(l.lineEnd(l.pos))
		case c == '"' || l.at(l.pos, "\u201c") || l.at(l.pos, "\u201d"):
			l.vbString(l.pos, false)
		case c == '$' && (l.byteAt(l.pos+1) == '"' || l.at(l.pos+1, "\u201c") || l.at(l.pos+1, "\u201d")):
			l.vbString(l.pos+1, true)
		case c == '#' && l.nl:
			l.rawLine("'", "", "", false) // #If, #Region, #Const
		case c == '#':
			// A date literal, #1/2/2024#.
			end := l.pos + 1
			if k := bytes.IndexByte(l.src[end:l.lineEnd(end)], '#'); k >= 0 && k < 64 {
				l.emit(kChar, end+k+1)
			} else {
				l.emit(kPunct, end)
			}
		case c == '[' && l.identStart(l.pos+1, ""):
			// An escaped name, [Rem], or a stray bracket.
			if end := l.identEnd(l.pos+1, ""); l.byteAt(end) == ']' {
				l.emit(kIdent, end+1)
			} else {
				l.emit(kPunct, l.pos+1)
			}
		case c == '_' && !l.identStart(l.pos+1, "") && !isDigit(l.byteAt(l.pos+1)) && l.continuation():
		case l.identStart(l.pos, ""):
			end := l.identEnd(l.pos, "")
			if bytes.EqualFold(l.src[l.pos:end], []byte("rem")) {
				l.comment(l.lineEnd(l.pos))
			} else {
				l.emit(kIdent, end)
			}
		case c == '&' && strings.IndexByte("hHoObB", l.byteAt(l.pos+1)) >= 0 && isHex(l.byteAt(l.pos+2)):
			end := l.pos + 2
			for end < len(l.src) && (isAlnum(l.src[end]) || l.src[end] == '_') {
				end++
			}
			l.emit(kNumber, end)
		case l.numberStart(l.pos):
			l.emit(kNumber, l.numberEnd(l.pos))
		default:
			l.emit(kPunct, l.punctEnd(l.pos))
		}
	}
	vbLogicalLines(l)
}

// continuation handles the _ at the current position if it continues the
// line (only blanks, or a comment, after it): it reports whether it did.
func (l *lexer) continuation() bool {
	j := l.pos + 1
	for j < len(l.src) && (l.src[j] == ' ' || l.src[j] == '\t') {
		j++
	}
	if j < len(l.src) && l.src[j] != '\r' && l.src[j] != '\n' && l.src[j] != '\'' {
		return false
	}
	l.pos = j
	l.joinLine = true
	return true
}

// vbString lexes the string whose opening quote is at q, interpolated when
// a $ precedes it. A c after the closing quote makes it a Char.
func (l *lexer) vbString(q int, interpolated bool) {
	s := strCtx{quote: '"', doubled: true, multiline: true, curly: true}
	if interpolated {
		s.braces = 1
	}
	body := q + 1
	if l.src[q] != '"' {
		body = q + 3 // a curly quote
	}
	l.str(s, body)
	t := &l.toks[len(l.toks)-1]
	if t.kind == kString && t.post > 0 && (l.byteAt(l.pos) == 'c' || l.byteAt(l.pos) == 'C') && !l.identStart(l.pos+1, "") && !isDigit(l.byteAt(l.pos+1)) {
		t.kind = kChar
		t.end++
		l.pos++
	}
}

// vbLogicalLines clears the line-start mark of the tokens that continue a
// logical line implicitly: after a comma, an open bracket, a member dot,
// an assignment or a binary operator, and before a closing bracket.
func vbLogicalLines(l *lexer) {
	for i := 1; i < len(l.toks); i++ {
		t := &l.toks[i]
		if !t.nl {
			continue
		}
		prev := &l.toks[i-1]
		text := l.src[prev.start:prev.end]
		cur := l.src[t.start:t.end]
		switch {
		case t.kind == kPunct && (string(cur) == ")" || string(cur) == "}"):
		case prev.kind == kPunct && vbContinuesAfter[string(text)]:
		case prev.kind == kIdent && len(text) <= 7 && vbContinuesAfterWord[string(bytes.ToLower(text))]:
		case prev.kind == kStrStart || prev.kind == kStrMid:
		default:
			continue
		}
		t.nl = false
	}
}

var (
	vbContinuesAfter = set(",", "(", "{", ".", "?.", "=", ":=", "&", "+", "-", "*", "/", `\`, "^",
		"<>", "<=", ">=", "<<", ">>", "&=", "+=", "-=", "*=", "/=", `\=`, "^=")
	vbContinuesAfterWord = set("and", "andalso", "or", "orelse", "xor", "is", "isnot", "like", "mod", "not")
)

// vbLabel reads a named argument written name:=value, naming it as the
// SDK's parameters are spelled whatever the case it is written in.
func vbLabel(p *parser, s, e int) (string, int) {
	if s+1 >= e || !p.isIdent(s) || !p.isPunct(s+1, ":=") {
		return "", s
	}
	name := p.identValue(s)
	for _, canon := range []string{"key", "defaultValue", "visitorExposed", "activate"} {
		if strings.EqualFold(name, canon) {
			return canon, s + 2
		}
	}
	return name, s + 2
}

// vbTerm reports whether token i ends a statement or a declarator.
func vbTerm(p *parser, i int) bool {
	return p.toks[i].nl || p.isPunct(i, ":") || p.isPunct(i, ",")
}

// vbDecl reports whether the name at i names the Sub or Function being
// declared rather than called.
func vbDecl(p *parser, i, _ int) bool {
	switch string(p.word(i - 1)) {
	case "sub", "function", "property", "event", "operator":
		return true
	}
	return false
}

// vbModifiers are the words that may precede a declaration; the ones
// mapped to true introduce variables or constants.
var vbModifiers = map[string]bool{
	"dim": true, "const": true, "static": true, "readonly": true, "withevents": true,
	"public": false, "private": false, "protected": false, "friend": false, "shared": false,
	"shadows": false, "overloads": false, "overrides": false, "overridable": false,
	"notoverridable": false, "mustoverride": false, "mustinherit": false, "notinheritable": false,
	"partial": false, "widening": false, "narrowing": false, "default": false, "async": false,
	"iterator": false, "declare": false, "delegate": false, "custom": false, "writeonly": false,
}

// vbStep opens and closes the scopes of Sub, Function, accessors and
// lambdas and records the bindings of Dim, Const and assignments.
func vbStep(p *parser, i int) {
	if !p.isIdent(i) {
		return
	}
	if p.vbStatementStart(i) && p.vbStatement(i) {
		return
	}
	if w := string(p.word(i)); (w == "sub" || w == "function") && p.isPunct(i+1, "(") {
		p.vbLambda(i, w)
	}
}

// vbStatementStart reports whether token i starts a statement.
func (p *parser) vbStatementStart(i int) bool {
	return i == 0 || p.toks[i].nl || p.isPunct(i-1, ":") || p.is(i-1, "then") || p.is(i-1, "else")
}

// vbStatement reads the statement starting at i, as far as scopes and
// bindings go. It reports whether it consumed the statement's first word.
func (p *parser) vbStatement(i int) bool {
	k := i
	var declares, constant, bodyless, modified bool
	for ; p.isIdent(k); k++ {
		w := string(p.word(k))
		v, ok := vbModifiers[w]
		if !ok {
			break
		}
		modified = true
		declares = declares || v
		constant = constant || w == "const" || w == "readonly"
		bodyless = bodyless || w == "declare" || w == "delegate" || w == "mustoverride"
	}
	if !p.isIdent(k) {
		return false
	}
	switch w := string(p.word(k)); w {
	case "end":
		switch kind := string(p.word(k + 1)); kind {
		case "interface":
			p.iface = max(p.iface-1, 0)
		default:
			p.popKind(kind)
		}
		return true
	case "exit", "continue":
		return true
	case "sub", "function", "operator":
		switch {
		case p.isPunct(k+1, "("):
			p.vbLambda(k, w)
		case !bodyless && p.iface == 0:
			p.pushScope(openScope{depth: p.depth, kind: w})
		}
		return true
	case "get", "set":
		if p.iface == 0 && (k+1 >= len(p.toks) || p.toks[k+1].nl || p.isPunct(k+1, "(")) {
			p.pushScope(openScope{depth: p.depth, kind: w})
		}
		return true
	case "interface":
		p.iface++
		return true
	}
	if p.isKeyword(k) {
		return false
	}
	if modified && (declares || !p.isKeyword(k)) {
		p.vbDeclarators(k, constant)
		return true
	}
	// An assignment, name = value or obj.name = value.
	q := k
	for p.isPunct(q+1, ".") && p.isIdent(q+2) && !p.toks[q+1].nl {
		q += 2
	}
	if p.isPunct(q+1, "=") {
		p.bind(q, q+2, p.endFrom(q+2), false, p.scope)
	}
	return false
}

// vbDeclarators reads the declarators starting at k: name [As [New] Type]
// [= value], separated by commas.
func (p *parser) vbDeclarators(k int, constant bool) {
	for guard := 0; guard < 64 && p.isIdent(k) && !p.isKeyword(k); guard++ {
		name := k
		q := k + 1
		if p.isPunct(q, "?") {
			q++
		}
		if p.isPunct(q, "(") && p.match[q] > int32(q) {
			q = int(p.match[q]) + 1 // array bounds, a(10)
		}
		end := -1
		if p.is(q, "as") {
			q++
			if p.is(q, "new") {
				end = p.endFrom(q)
				p.bind(name, q, end, constant, p.scope)
			} else {
				q = p.vbSkipType(q)
			}
		}
		if end < 0 {
			if p.isPunct(q, "=") {
				end = p.endFrom(q + 1)
				p.bind(name, q+1, end, constant, p.scope)
			} else {
				end = p.endFrom(q)
			}
		}
		if !p.isPunct(end, ",") {
			return
		}
		k = end + 1
	}
}

// vbSkipType returns the index after the type name starting at q:
// System.Collections.Generic.List(Of String), Integer?, String().
func (p *parser) vbSkipType(q int) int {
	for steps := 0; q < len(p.toks) && steps < 32; steps++ {
		if steps > 0 && p.toks[q].nl {
			return q
		}
		switch {
		case p.isIdent(q):
		case p.isPunct(q, ".") || p.isPunct(q, "?"):
		case p.isPunct(q, "(") && p.match[q] > int32(q):
			q = int(p.match[q])
		default:
			return q
		}
		q++
	}
	return q
}

// vbLambda opens the scope of the lambda whose Sub or Function is at k: a
// multi-line lambda ends with End Sub or End Function, a single-line one
// with its line or its argument.
func (p *parser) vbLambda(k int, kind string) {
	m := int(p.match[k+1])
	if m < k+1 {
		return
	}
	q := m + 1
	if p.is(q, "as") {
		q = p.vbSkipType(q + 1)
	}
	if q >= len(p.toks) || p.toks[q].nl {
		p.pushScope(openScope{depth: p.depth, kind: kind})
		return
	}
	p.pushScope(openScope{depth: p.depth, term: termLine})
}
