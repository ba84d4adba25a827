package lexical

// Objective-C: C's comments, strings and preprocessor, plus @"..." string
// objects, @[...] and @{...} literals, @YES/@123 boxed values and message
// sends [receiver selector:arg part:arg].

var objc = &dialect{
	name: "objc",
	lex:  lexObjC,
	ops: []string{"<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
		"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "::"},
	keywords: set("return", "if", "else", "for", "while", "do", "switch", "case", "default", "break",
		"continue", "goto", "sizeof", "typedef", "struct", "enum", "union", "static", "const", "extern",
		"inline", "volatile", "register", "auto", "in", "out", "inout", "bycopy", "byref", "oneway",
		"__block", "__weak", "__strong", "__unsafe_unretained", "__autoreleasing", "__kindof",
		"_Nonnull", "_Nullable", "__nonnull", "__nullable", "nonnull", "nullable", "typeof",
		"__typeof__", "__attribute__", "throw", "try", "catch", "new", "delete", "template", "typename"),
	literals: map[string]literal{
		"YES": litTrue, "true": litTrue, "TRUE": litTrue, "@YES": litTrue, "@true": litTrue,
		"NO": litFalse, "false": litFalse, "FALSE": litFalse, "@NO": litFalse, "@false": litFalse,
		"nil": litNull, "Nil": litNull, "NULL": litNull, "nullptr": litNull,
	},
	terminators:     set(";", ","),
	memberOps:       set(".", "->"),
	adjacentStrings: true,
	subscripts:      true,
	messages:        true,
	casts:           true,
	step:            objcStep,
	isDecl:          objcDecl,
}

func lexObjC(l *lexer) {
	l.backslashJoin = true
	for {
		l.space()
		if l.pos >= len(l.src) {
			return
		}
		c := l.src[l.pos]
		switch {
		case c == '#' && l.nl && !l.inDefine:
			l.directive()
		case l.at(l.pos, "//"):
			l.comment(l.cLineCommentEnd(l.pos))
		case l.at(l.pos, "/*"):
			l.comment(l.blockCommentEnd(l.pos, "/*", "*/", false))
		case c == '"':
			l.cString(l.pos, 1)
		case c == '\'':
			end, _ := l.cStringEnd(l.pos, '\'')
			l.emit(kChar, end)
		case c == '@':
			switch next := l.byteAt(l.pos + 1); {
			case next == '"':
				l.cString(l.pos, 2)
			case l.identStart(l.pos+1, ""):
				l.emit(kIdent, l.identEnd(l.pos+1, ""))
			case isDigit(next):
				l.emit(kNumber, l.numberEnd(l.pos+1))
			case next == '-' && isDigit(l.byteAt(l.pos+2)):
				l.emit(kNumber, l.numberEnd(l.pos+2)) // @-1
			default:
				l.emit(kPunct, l.pos+1)
			}
		case l.identStart(l.pos, ""):
			l.emit(kIdent, l.identEnd(l.pos, ""))
		case l.numberStart(l.pos):
			l.emit(kNumber, l.numberEnd(l.pos))
		default:
			l.emit(kPunct, l.punctEnd(l.pos))
		}
	}
}

// cString lexes a C string literal whose opening quote follows pre-1 bytes
// of prefix (the @ of an NSString literal).
func (l *lexer) cString(start, pre int) {
	end, closed := l.cStringEnd(start+pre-1, '"')
	t := l.emit(kString, end)
	t.esc, t.pre = escBackslash, uint8(pre)
	if closed {
		t.post = 1
	}
}

// cLineCommentEnd returns the end of the // comment at i: the end of its
// line, or of the next one when a backslash continues it, as in C.
func (l *lexer) cLineCommentEnd(i int) int {
	for {
		end := l.lineEnd(i)
		if end >= len(l.src) {
			return end
		}
		j := end
		if j > i && l.src[j-1] == '\r' {
			j--
		}
		if j == i || l.src[j-1] != '\\' {
			return end
		}
		i = end + 1
	}
}

// directive lexes a preprocessor line. A #define's body is tokenized, as a
// constant can be defined there; every other directive (#import, #if,
// #pragma mark ...) is skipped but for its comments.
func (l *lexer) directive() {
	i := l.pos + 1
	for i < len(l.src) && (l.src[i] == ' ' || l.src[i] == '\t') {
		i++
	}
	if l.at(i, "define") && !l.identStart(i+len("define"), "") && !isDigit(l.byteAt(i+len("define"))) {
		l.emit(kDirective, i+len("define"))
		l.inDefine = true
		return
	}
	l.rawLine("//", "/*", "*/", true)
}

// objcStep opens scopes at function, method and block bodies and records
// the bindings of #define and of declarations and assignments.
func objcStep(p *parser, i int) {
	t := &p.toks[i]
	switch t.kind {
	case kDirective:
		name := i + 1
		if !p.isIdent(name) || p.match[i] < 0 {
			return
		}
		end := int(p.match[i])
		// A function-like macro has its parenthesis right after the name.
		if p.isPunct(name+1, "(") && p.toks[name+1].start == p.toks[name].end {
			return
		}
		p.bind(name, name+1, end, true, 0)
	case kPunct:
		switch p.punctText(i) {
		case "=":
			if p.innerBracket() != "{" && p.innerBracket() != "" {
				return // a for loop's initializer, an assignment in a condition
			}
			name := i - 1
			if !p.isIdent(name) || p.isKeyword(name) {
				return
			}
			p.bind(name, i+1, p.endFrom(i+1), p.headHas(name, "const"), p.scope)
		case "^":
			p.block = true
		case ";":
			p.block = false
		case "{":
			if p.match[i] < 0 {
				return
			}
			// A function or method body sits at the top level, after the
			// parameter list or the last part of a selector; a block's
			// body follows its caret.
			topLevel := p.braces == 1 && (p.isPunct(i-1, ")") || p.isIdent(i-1) && !p.isKeyword(i-1))
			if topLevel || p.block {
				p.block = false
				p.pushScope(openScope{depth: p.depth})
			}
		}
	}
}

// objcDecl reports whether the name at i, followed by a parenthesis at
// paren, declares or defines a C function rather than calling one.
func objcDecl(p *parser, i, paren int) bool {
	if m := p.match[paren]; m > 0 && p.isPunct(int(m)+1, "{") {
		return true
	}
	// The parameters of a prototype: (void), (NSString *key, int n).
	if a := paren + 1; p.is(a, "void") && p.isPunct(a+1, ")") ||
		p.isIdent(a) && (p.isIdent(a+1) || p.isPunct(a+1, "*") && p.isIdent(a+2)) && !p.isKeyword(a) && !p.literal(a) {
		return true
	}
	switch {
	case p.isIdent(i-1) && !p.isKeyword(i-1) && !p.literal(i-1):
		return true // void f(...), BOOL g(void);
	case p.isPunct(i-1, "*") && p.isIdent(i-2) && !p.isKeyword(i-2):
		// NSString *f(...) at the start of a declaration, not a * f(...).
		b := i - 3
		return b < 0 || p.isKeyword(b) || p.isPunct(b, ";") || p.isPunct(b, "{") || p.isPunct(b, "}") || p.toks[b].kind == kDirEnd
	}
	return false
}
