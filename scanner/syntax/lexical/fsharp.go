package lexical

import (
	"bytes"
	"unicode/utf8"
)

// F#: nested (* *) comments that skip the strings inside them, four kinds
// of strings ("..." @"..." """...""" and $ interpolations), symbolic
// operators, 'c' characters beside 'T type variables, and an indentation
// based layout: a let or member's body is the lines indented past it.

var fsharp = &dialect{
	name: "fsharp",
	lex:  lexFSharp,
	keywords: set("let", "in", "if", "then", "else", "elif", "match", "with", "fun", "function", "do",
		"done", "for", "while", "to", "downto", "yield", "return", "type", "module", "namespace", "open",
		"member", "override", "abstract", "default", "val", "new", "inherit", "interface", "end", "begin",
		"of", "rec", "mutable", "inline", "private", "public", "internal", "static", "use", "try",
		"finally", "when", "as", "and", "or", "lazy", "assert", "upcast", "downcast", "struct", "class",
		"delegate", "exception", "extern", "global", "select"),
	literals:   map[string]literal{"true": litTrue, "false": litFalse, "null": litNull},
	prefixes:   set("new", "upcast"),
	concat:     set("+", "^"),
	memberOps:  set("."),
	subscripts: true,
	step:       fsStep,
	label:      equalsLabel,
	isTerm:     fsTerm,
}

// fsOpChars are the characters F# builds symbolic operators from: a run of
// them is one token (|>, <-, ->, =-).
const fsOpChars = "!%&*+-./<=>?@^|~"

func lexFSharp(l *lexer) {
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
		case c == '#' && l.nl:
			l.rawLine("//", "(*", "*)", false) // #if, #r, #load, #nowarn
		case l.at(l.pos, "//"):
			l.comment(l.lineEnd(l.pos))
		case l.at(l.pos, "(*") && !l.at(l.pos, "(*)"):
			l.comment(l.fsCommentEnd(l.pos))
		case c == '"' || c == '@' && l.byteAt(l.pos+1) == '"' || c == '$' || c == '@' && l.at(l.pos+1, `$"`):
			if !l.fsString() {
				l.emit(kPunct, l.pos+1)
			}
		case c == '\'':
			switch end := l.fsCharEnd(l.pos); {
			case end > 0:
				l.emit(kChar, end)
			case l.identStart(l.pos+1, ""):
				l.emit(kIdent, l.identEnd(l.pos+1, "'")) // a type variable, 'T
			default:
				l.emit(kPunct, l.pos+1)
			}
		case l.at(l.pos, "``"):
			end := l.pos + 2
			if k := bytes.Index(l.src[end:l.lineEnd(end)], []byte("``")); k >= 0 {
				end += k + 2
			}
			l.emit(kIdent, end)
		case l.identStart(l.pos, ""):
			l.emit(kIdent, l.identEnd(l.pos, "'"))
		case l.numberStart(l.pos):
			l.emit(kNumber, l.numberEnd(l.pos))
		case c == ':':
			end := l.pos + 1
			for _, op := range []string{":?>", ":?", ":>", "::", ":="} {
				if l.at(l.pos, op) {
					end = l.pos + len(op)
					break
				}
			}
			l.emit(kPunct, end)
		case bytes.IndexByte([]byte(fsOpChars), c) >= 0:
			end := l.pos + 1
			for end < len(l.src) && bytes.IndexByte([]byte(fsOpChars), l.src[end]) >= 0 && !l.at(end, "//") {
				end++
			}
			l.emit(kPunct, end)
		default:
			l.emit(kPunct, l.punctEnd(l.pos))
		}
	}
}

// fsString lexes the string literal at the current position, if there is
// one: "..." and """...""" with their $ and @ prefixes.
func (l *lexer) fsString() bool {
	i := l.pos
	dollars := 0
	for l.byteAt(i) == '$' && dollars < 8 {
		i++
		dollars++
	}
	verbatim := l.byteAt(i) == '@'
	if verbatim {
		i++
	}
	if dollars == 0 && l.byteAt(i) == '$' && verbatim { // @$"
		i++
		dollars = 1
	}
	if l.byteAt(i) != '"' {
		return false
	}
	s := strCtx{quote: '"', multiline: true, braces: min(dollars, 1)}
	switch {
	case l.at(i, `"""`):
		s.triple = true
		s.braces = dollars
		i += 3
	case verbatim:
		s.doubled = true
		i++
	default:
		s.escapes = true
		i++
	}
	l.str(s, i)
	return true
}

// fsCommentEnd returns the end of the (* comment at i. Comments nest, and
// a string inside one is skipped whole, as the compiler does: (* "*)" *)
// is one comment. A quote that opens no terminated string is text, and
// once one is met the rest of the comment's quotes are text too, which
// keeps the scan linear.
func (l *lexer) fsCommentEnd(i int) int {
	depth := 0
	quotes := true
	for i < len(l.src) {
		switch {
		case l.at(i, "(*") && !l.at(i, "(*)"):
			depth++
			i += 2
		case l.at(i, "*)"):
			i += 2
			if depth--; depth <= 0 {
				return i
			}
		case l.src[i] == '"' && quotes:
			s := strCtx{quote: '"', escapes: true, multiline: true}
			body := i + 1
			if l.at(i, `"""`) {
				s = strCtx{quote: '"', triple: true, multiline: true}
				body = i + 3
			}
			end, why, _, _ := s.scan(l.src, body)
			if why != stopClosed {
				quotes = false
				i++
				continue
			}
			i = end
		default:
			i++
		}
	}
	return len(l.src)
}

// fsCharEnd returns the end of the character literal at i ('a', '\n',
// '\u0041'), 0 if the quote does not open one.
func (l *lexer) fsCharEnd(i int) int {
	if l.byteAt(i+1) == '\\' {
		for j := i + 2; j < len(l.src) && j < i+12; j++ {
			if l.src[j] == '\'' && j > i+2 {
				return j + 1
			}
			if l.src[j] == '\n' {
				return 0
			}
		}
		return 0
	}
	if i+1 >= len(l.src) || l.src[i+1] == '\n' || l.src[i+1] == '\'' {
		return 0
	}
	_, size := utf8.DecodeRune(l.src[i+1:])
	if l.byteAt(i+1+size) == '\'' {
		return i + 2 + size
	}
	return 0
}

// equalsLabel reads a named argument written name = value (F#).
func equalsLabel(p *parser, s, e int) (string, int) {
	if s+1 < e && p.isIdent(s) && p.isPunct(s+1, "=") {
		return string(p.raw(s)), s + 2
	}
	return "", s
}

// fsTerm reports whether token i ends a value: a new line, ;, in or with.
func fsTerm(p *parser, i int) bool {
	t := &p.toks[i]
	return t.nl || p.isPunct(i, ";") || p.is(i, "in") || p.is(i, "with")
}

// fsStep opens scopes at functions, members and lambdas and records the
// bindings of let, member properties and <- assignments.
func fsStep(p *parser, i int) {
	t := &p.toks[i]
	switch t.kind {
	case kIdent:
		switch string(p.word(i)) {
		case "let", "use":
			fsLet(p, i)
		case "and":
			if t.nl {
				fsLet(p, i) // let rec f ... and g ...
			}
		case "member", "override", "default":
			fsMember(p, i)
		case "new":
			if t.nl && p.isPunct(i+1, "(") {
				fsMember(p, i) // a constructor, new() = ...
			}
		case "type":
			if eq := p.fsFindEq(i + 1); eq > 0 {
				p.noCall = max(p.noCall, eq)
			}
		case "fun", "function":
			p.pushScope(openScope{depth: p.depth, col: p.indent})
		}
	case kPunct:
		if p.punctText(i) == "<-" && p.isIdent(i-1) {
			p.bind(i-1, i+1, p.fsValueEnd(i+1), false, p.scope)
		}
	}
}

// fsLet reads the let at i: a value binding, or a function whose body is a
// scope. Its head (name, parameters) holds no calls.
func fsLet(p *parser, i int) {
	k := i + 1
	if p.isPunct(k, "[") && p.isPunct(k+1, "<") && p.match[k] > int32(k) {
		k = int(p.match[k]) + 1 // let [<Literal>] Name = ...
	}
	mutable := false
	for p.isIdent(k) {
		w := string(p.word(k))
		if w == "mutable" {
			mutable = true
		} else if w != "rec" && w != "inline" && w != "private" && w != "internal" && w != "public" {
			break
		}
		k++
	}
	eq := p.fsFindEq(k)
	if eq < 0 {
		return
	}
	p.noCall = max(p.noCall, eq)
	if !p.isIdent(k) || p.isKeyword(k) {
		return // a pattern: let (a, b) = ...
	}
	switch next := k + 1; {
	case next == eq || p.isPunct(next, ":"):
		p.bind(k, eq+1, p.fsValueEnd(eq+1), !mutable, p.scope)
	case p.isIdent(next) || p.isPunct(next, "(") || p.isPunct(next, "<"):
		// Parameters: a function, whose body is a scope.
		p.pushScope(openScope{depth: p.depth, col: p.indent})
	}
}

// fsMember reads the member (or override, default, new) at i: its body is
// a scope, and a property without parameters binds its name to its value.
func fsMember(p *parser, i int) {
	k := i + 1
	if p.is(k, "val") { // member val Key = "k" with get, set
		if eq := p.fsFindEq(k + 1); eq == k+2 {
			p.bind(k+1, eq+1, p.fsValueEnd(eq+1), false, p.scope)
		}
		return
	}
	eq := p.fsFindEq(k)
	if eq < 0 {
		return
	}
	p.noCall = max(p.noCall, eq)
	if last := eq - 1; p.isIdent(last) && (last == k || last == k+2 && p.isPunct(k+1, ".")) {
		p.bind(last, eq+1, p.fsValueEnd(eq+1), true, p.scope)
	}
	p.pushScope(openScope{depth: p.depth, col: p.indent})
}

// fsFindEq returns the = that ends the head starting at k, -1 if the head
// ends (a line at or left of the current indentation) without one.
func (p *parser) fsFindEq(k int) int {
	for j, steps := k, 0; j < len(p.toks) && steps < 64; steps++ {
		if j > k && p.toks[j].nl && p.toks[j].col <= p.indent {
			return -1
		}
		if p.isPunct(j, "=") {
			return j
		}
		if m := p.group(j, len(p.toks)); m > 0 {
			j = m + 1
			continue
		}
		j++
	}
	return -1
}

// fsValueEnd returns the end of the value starting at s: the end of its
// line, or of the lines indented past the binding that continue it with an
// operator (|> f, + "x").
func (p *parser) fsValueEnd(s int) int {
	if s >= len(p.toks) {
		return len(p.toks)
	}
	end := p.endFrom(s)
	if end == s {
		end = p.endAfter(s)
	}
	for c := 0; c < 16 && end < len(p.toks); c++ {
		t := &p.toks[end]
		if !t.nl || t.col <= p.indent || t.kind != kPunct || p.isOpener(end) || p.isCloser(end) || p.isPunct(end, "|") || p.isPunct(end, ";") {
			break
		}
		end = p.endAfter(end)
	}
	return end
}
