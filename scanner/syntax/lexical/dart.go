package lexical

import "github.com/flagscan/flagscan/scanner/syntax"

// Dart: C-family code with nested block comments, four kinds of quotes,
// raw strings, $name and ${expr} substitutions, named arguments, cascades
// and null-aware members.

var dart = &dialect{
	name: "dart",
	lex:  lexDart,
	ops: []string{">>>=", "...?", "~/=", "<<=", ">>=", ">>>", "??=", "?..", "...", "..", "?.", "=>", "==", "!=",
		"<=", ">=", "&&", "||", "??", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "~/", "++", "--", "<<"},
	keywords: set("if", "else", "for", "while", "do", "switch", "case", "default", "return", "break",
		"continue", "throw", "rethrow", "try", "catch", "finally", "assert", "new", "const", "final",
		"var", "await", "yield", "in", "is", "as", "late", "required", "class", "extends", "implements",
		"with", "mixin", "enum", "typedef", "import", "export", "part", "library", "show", "hide", "when"),
	literals:        map[string]literal{"true": litTrue, "false": litFalse, "null": litNull},
	prefixes:        set("await", "new", "const"),
	concat:          set("+"),
	terminators:     set(";", ","),
	memberOps:       set(".", "?.", "..", "?.."),
	adjacentStrings: true,
	subscripts:      true,
	step:            dartStep,
	isDecl:          dartDecl,
	label:           colonLabel,
}

func lexDart(l *lexer) {
	if l.at(0, "#!") {
		l.skipTo(l.lineEnd(0)) // a script's interpreter line
	}
	for {
		l.space()
		if l.pos >= len(l.src) {
			return
		}
		if l.inHole() {
			continue
		}
		c := l.src[l.pos]
		switch {
		case l.at(l.pos, "//"):
			l.comment(l.lineEnd(l.pos))
		case l.at(l.pos, "/*"):
			l.comment(l.blockCommentEnd(l.pos, "/*", "*/", true))
		case c == '"' || c == '\'':
			l.dartString(l.pos, false)
		case c == 'r' && (l.byteAt(l.pos+1) == '"' || l.byteAt(l.pos+1) == '\''):
			l.dartString(l.pos+1, true)
		case l.identStart(l.pos, "$"):
			l.emit(kIdent, l.identEnd(l.pos, "$"))
		case l.numberStart(l.pos):
			l.emit(kNumber, l.numberEnd(l.pos))
		default:
			l.emit(kPunct, l.punctEnd(l.pos))
		}
	}
}

// dartString lexes a Dart string whose first quote is at q.
func (l *lexer) dartString(q int, raw bool) {
	quote := l.src[q]
	s := strCtx{quote: quote, escapes: !raw, dollar: !raw}
	body := q + 1
	if l.byteAt(q+1) == quote && l.byteAt(q+2) == quote {
		s.triple, s.multiline = true, true
		body = q + 3
	}
	l.str(s, body)
}

// colonLabel reads a named argument written name: value (Dart).
func colonLabel(p *parser, s, e int) (string, int) {
	if s+1 < e && p.isIdent(s) && p.isPunct(s+1, ":") {
		return string(p.raw(s)), s + 2
	}
	return "", s
}

// dartStep opens scopes at function bodies and arrow bodies and records
// the bindings of declarations and assignments.
func dartStep(p *parser, i int) {
	if p.toks[i].kind == kIdent && p.depth == 0 && (p.is(i, "import") || p.is(i, "export")) {
		dartDirective(p, i)
		return
	}
	if p.toks[i].kind != kPunct {
		return
	}
	switch p.punctText(i) {
	case "=":
		switch b := p.innerBracket(); {
		case b == "{":
			// {String key = "d"} declares named parameters.
			if o := int(p.open[len(p.open)-1]); p.isPunct(o-1, "(") || p.isPunct(o-1, ",") {
				return
			}
		case b != "":
			return // a positional parameter's default value, a for loop's variable
		}
		name := i - 1
		if !p.isIdent(name) || p.isKeyword(name) {
			return
		}
		p.bind(name, i+1, p.dartValueEnd(i+1), p.headHas(name, "const", "final"), p.scope)
	case "{":
		if p.match[i] > int32(i) && dartBody(p, i) {
			p.pushScope(openScope{depth: p.depth})
		} else if name := dartTypeName(p, i); name != "" {
			p.types = append(p.types, openType{end: int(p.match[i]), name: name})
		}
	case "=>":
		p.pushScope(openScope{depth: p.depth, term: termStmt})
	}
}

// dartBody reports whether the brace at i opens a function's body: after
// a parameter list that is not a statement's condition, after async or
// sync*, or after a getter's name.
func dartBody(p *parser, i int) bool {
	prev := i - 1
	switch {
	case p.isPunct(prev, ")"):
		o := int(p.match[prev])
		if o < 0 {
			return false
		}
		switch string(p.word(o - 1)) {
		case "if", "for", "while", "switch", "catch":
			return false
		}
		return true
	case p.is(prev, "async") || p.is(prev, "sync"):
		return true
	case p.isPunct(prev, "*"):
		return p.is(prev-1, "async") || p.is(prev-1, "sync")
	case p.isIdent(prev):
		return p.is(prev-1, "get")
	}
	return false
}

// dartDecl reports whether the name at i, followed by a parenthesis at
// paren, declares a function: a type before it (Flag getFlag(...)) or a
// body after its parameters.
func dartDecl(p *parser, i, paren int) bool {
	if m := int(p.match[paren]); m > 0 && m+1 < len(p.toks) {
		next := m + 1
		if p.isPunct(next, "{") || p.isPunct(next, "=>") || p.is(next, "async") || p.is(next, "sync") {
			return true
		}
		if p.isPunct(next, ";") && (p.isPunct(i-1, ">") || p.isPunct(i-1, "?")) {
			return true // an abstract method returning a generic or nullable type
		}
	}
	return p.isIdent(i-1) && !p.isKeyword(i-1)
}

// dartValueEnd returns the end of the value starting at s: its terminator,
// unless the comma found is one of type arguments, as in
// <String, int>{...} or f<A, B>(...). Type arguments are short, so the
// look back for their < is bounded.
func (p *parser) dartValueEnd(s int) int {
	end := p.endFrom(s)
	for tries := 0; tries < 8 && p.isPunct(end, ","); tries++ {
		g := -1
		for k := end - 1; k >= s && k >= end-32; k-- {
			if !p.isPunct(k, "<") {
				continue
			}
			if x := p.skipGenerics(k); x > end && x < len(p.toks) && p.isOpener(x) {
				g = x
				break
			}
		}
		if g < 0 {
			break
		}
		end = p.endFrom(g)
	}
	return end
}

// dartTypeName returns the name of the type whose body the brace at i
// opens (class Name ... {, enum, mixin, extension Name on T), "" when it
// opens something else.
func dartTypeName(p *parser, i int) string {
	for k := i - 1; k >= 0 && k >= i-32; k-- {
		if p.toks[k].kind == kPunct {
			switch p.punctText(k) {
			case ";", "{", "}", "=", "=>", "(", ")":
				return ""
			}
			continue
		}
		if p.is(k, "class") || p.is(k, "enum") || p.is(k, "mixin") || p.is(k, "extension") {
			if p.isIdent(k+1) && k+1 < i {
				return p.identValue(k + 1)
			}
			return ""
		}
	}
	return ""
}

// dartDirective records import 'uri' (as prefix) and export 'uri'.
func dartDirective(p *parser, i int) {
	if i+1 >= len(p.toks) || p.toks[i+1].kind != kString {
		return
	}
	uri, _ := p.primary(i+1, i+2, 1)
	if uri.Kind != syntax.String {
		return
	}
	if p.is(i, "export") {
		p.file.Exports = append(p.file.Exports, syntax.Export{Name: "*", From: uri.Value, Pos: p.pos(i)})
		return
	}
	im := syntax.Import{Local: "*", From: uri.Value, Pos: p.pos(i)}
	if p.is(i+2, "as") && p.isIdent(i+3) {
		im.Local = p.identValue(i + 3)
	}
	p.file.Imports = append(p.file.Imports, im)
}
