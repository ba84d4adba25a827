package lexical

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// kind is the class of a token. The four languages share one token model;
// only the rules that cut the bytes into tokens differ.
type kind uint8

const (
	kIdent     kind = iota + 1
	kNumber         // a numeric literal, suffixes included
	kString         // a string literal without substitutions
	kTemplate       // a string literal with $name substitutions only (Dart): no code inside
	kStrStart       // a string literal's text up to its first code substitution
	kStrMid         // the text between two code substitutions
	kStrEnd         // the text after the last code substitution, closing quote included
	kChar           // character, date and byte-string literals: not keys
	kPunct          // an operator or a bracket
	kDirective      // Objective-C: "#define", the start of a macro definition
	kDirEnd         // Objective-C: the end of a #define line (zero width)
)

// escapes says how a string literal writes what its quotes cannot hold.
type escapes uint8

const (
	escBackslash escapes = iota // C-family backslash escapes
	escNone                     // raw: the body is the value
	escDoubled                  // a doubled quote stands for one quote (VB, F# verbatim)
)

// token is one token. Positions are byte offsets into the source; line and
// col are where it starts, 1-based, col counted in characters.
type token struct {
	start, end int32
	line, col  int32
	kind       kind
	// nl is set on the first token of a line: of a physical line in F#,
	// whose layout is indentation based, and of a logical line in VB, whose
	// statements end with the line unless it is continued.
	nl bool
	// String literals: how to decode them, and the byte lengths of their
	// opening (prefix and quotes) and closing delimiters. post is 0 for a
	// literal that is not terminated.
	esc       escapes
	pre, post uint8
	braces    bool // an interpolated string without substitutions: {{ and }} are braces
}

// hole is a code substitution being lexed inside a string literal: the
// string resumes at the brace that closes it.
type hole struct {
	str   strCtx
	depth int // braces opened inside the substitution and not yet closed
}

// lexer holds the state shared by the four languages' tokenizers. They
// work forward, and a look-ahead that fails (a quote in an F# comment that
// opens no string) is not tried again, so a file is tokenized in linear
// time whatever it holds.
type lexer struct {
	src      []byte
	pos      int
	line     int32
	lineOff  int   // offset of the current line's first byte
	colOff   int   // column cache: colN is the column of the byte at colOff
	colN     int32 // (on the current line)
	nl       bool  // a line break was crossed since the last token
	joinLine bool  // VB: the next line break continues the logical line
	ops      []string
	opStart  [utf8.RuneSelf]bool // the first bytes of ops
	toks     []token
	comments []syntax.Comment
	holes    []hole

	// Objective-C preprocessor state.
	inDefine      bool // lexing the body of a #define, which ends with the line
	backslashJoin bool // a backslash before a line break joins the lines
}

func newLexer(src []byte, ops []string) *lexer {
	l := &lexer{src: src, line: 1, colN: 1, nl: true, ops: ops, toks: make([]token, 0, len(src)/6+1)}
	for _, op := range ops {
		l.opStart[op[0]] = true
	}
	return l
}

// col returns the column of the byte at off, which must be on the current
// line at or after every offset asked before. Asking in order makes the
// cost of all columns linear in the line's length.
func (l *lexer) col(off int) int32 {
	if l.colOff < l.lineOff {
		l.colOff, l.colN = l.lineOff, 1
	}
	l.colN += int32(utf8.RuneCount(l.src[l.colOff:off]))
	l.colOff = off
	return l.colN
}

// skipTo moves to off, counting the line breaks on the way, and reports
// whether there were any.
func (l *lexer) skipTo(off int) bool {
	crossed := false
	for {
		k := bytes.IndexByte(l.src[l.pos:off], '\n')
		if k < 0 {
			break
		}
		l.pos += k + 1
		l.line++
		l.lineOff = l.pos
		crossed = true
	}
	l.pos = off
	return crossed
}

// emit records a token from the current position to end and moves past it.
// The returned pointer is valid until the next emit.
func (l *lexer) emit(k kind, end int) *token {
	start := l.pos
	l.toks = append(l.toks, token{start: int32(start), end: int32(end), line: l.line, col: l.col(start), kind: k, nl: l.nl})
	l.nl = false
	l.skipTo(end)
	return &l.toks[len(l.toks)-1]
}

// comment records a comment from the current position to end.
func (l *lexer) comment(end int) {
	start := l.pos
	text := end
	for text > start && l.src[text-1] == '\r' {
		text--
	}
	l.comments = append(l.comments, syntax.Comment{
		Text: string(l.src[start:text]),
		Pos:  syntax.Pos{Line: int(l.line), Column: int(l.col(start))},
	})
	if l.skipTo(end) {
		l.nl = true
	}
}

// space skips white space. In an Objective-C #define, the line break that
// ends the definition is emitted as a kDirEnd token.
func (l *lexer) space() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch c {
		case ' ', '\t', '\r', '\f', '\v':
			l.pos++
		case '\n':
			if l.inDefine {
				l.inDefine = false
				l.emit(kDirEnd, l.pos)
			}
			l.pos++
			l.line++
			l.lineOff = l.pos
			if l.joinLine {
				l.joinLine = false
			} else {
				l.nl = true
			}
		case '\\':
			if !l.backslashJoin {
				return
			}
			end := lineBreakAfter(l.src, l.pos+1)
			if end < 0 {
				return
			}
			l.skipTo(end)
		default:
			if c < utf8.RuneSelf {
				return
			}
			r, size := utf8.DecodeRune(l.src[l.pos:])
			if r != '\uFEFF' && (r == utf8.RuneError || !unicode.IsSpace(r)) {
				return
			}
			l.pos += size
		}
	}
	if l.inDefine {
		l.inDefine = false
		l.emit(kDirEnd, l.pos)
	}
}

// lineBreakAfter returns the offset after the line break that starts at i
// ("\n" or "\r\n"), or -1 if there is none there.
func lineBreakAfter(src []byte, i int) int {
	if i < len(src) && src[i] == '\r' {
		i++
	}
	if i < len(src) && src[i] == '\n' {
		return i + 1
	}
	return -1
}

// at reports whether the source continues with s at offset i.
func (l *lexer) at(i int, s string) bool {
	return i >= 0 && len(l.src)-i >= len(s) && string(l.src[i:i+len(s)]) == s
}

// byteAt returns the byte at i, or 0 past the end.
func (l *lexer) byteAt(i int) byte {
	if i < 0 || i >= len(l.src) {
		return 0
	}
	return l.src[i]
}

// lineEnd returns the offset of the line break ending the line that holds
// i, or the end of the source.
func (l *lexer) lineEnd(i int) int {
	if k := bytes.IndexByte(l.src[i:], '\n'); k >= 0 {
		return i + k
	}
	return len(l.src)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// identStart reports whether an identifier starts at i. extra lists the
// ASCII punctuation the language allows in identifiers ('$' in Dart).
func (l *lexer) identStart(i int, extra string) bool {
	c := l.byteAt(i)
	if c < utf8.RuneSelf {
		return isAlpha(c) || c == '_' || c != 0 && strings.IndexByte(extra, c) >= 0
	}
	r, _ := utf8.DecodeRune(l.src[i:])
	return unicode.IsLetter(r)
}

// identEnd returns the end of the identifier starting at i.
func (l *lexer) identEnd(i int, extra string) int {
	for i < len(l.src) {
		c := l.src[i]
		if c < utf8.RuneSelf {
			if isAlnum(c) || c == '_' || strings.IndexByte(extra, c) >= 0 {
				i++
				continue
			}
			return i
		}
		r, size := utf8.DecodeRune(l.src[i:])
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)) {
			return i
		}
		i += size
	}
	return i
}

// numberEnd returns the end of the numeric literal starting at i: digits,
// a fraction, an exponent and the letters of a suffix (1.5f, 10L, 3m).
func (l *lexer) numberEnd(i int) int {
	src, n := l.src, len(l.src)
	if src[i] == '0' && i+1 < n && strings.IndexByte("xXbBoO", src[i+1]) >= 0 {
		i += 2
		for i < n && (isHex(src[i]) || src[i] == '_') {
			i++
		}
	} else {
		for i < n && (isDigit(src[i]) || src[i] == '_') {
			i++
		}
		if i+1 < n && src[i] == '.' && isDigit(src[i+1]) {
			i++
			for i < n && (isDigit(src[i]) || src[i] == '_') {
				i++
			}
		}
		if i < n && (src[i] == 'e' || src[i] == 'E') {
			j := i + 1
			if j < n && (src[j] == '+' || src[j] == '-') {
				j++
			}
			if j < n && isDigit(src[j]) {
				for i = j; i < n && isDigit(src[i]); i++ {
				}
			}
		}
	}
	for i < n && (isAlnum(src[i]) || src[i] == '_') {
		i++
	}
	return i
}

// numberStart reports whether a numeric literal starts at i.
func (l *lexer) numberStart(i int) bool {
	c := l.byteAt(i)
	return isDigit(c) || c == '.' && isDigit(l.byteAt(i+1))
}

// punctEnd returns the end of the operator or bracket at i: the longest of
// the language's multi-character operators, else one character.
func (l *lexer) punctEnd(i int) int {
	if c := l.src[i]; c < utf8.RuneSelf {
		if l.opStart[c] {
			for _, op := range l.ops {
				if op[0] == c && l.at(i, op) {
					return i + len(op)
				}
			}
		}
		return i + 1
	}
	_, size := utf8.DecodeRune(l.src[i:])
	return i + size
}

// blockCommentEnd returns the end of the block comment opened at i, whose
// delimiters are open and close, nested when nested is set. An unterminated
// comment ends with the file.
func (l *lexer) blockCommentEnd(i int, open, close string, nested bool) int {
	i += len(open)
	if !nested {
		if k := bytes.Index(l.src[i:], []byte(close)); k >= 0 {
			return i + k + len(close)
		}
		return len(l.src)
	}
	depth := 1
	for i < len(l.src) {
		switch {
		case l.at(i, close):
			i += len(close)
			if depth--; depth == 0 {
				return i
			}
		case l.at(i, open):
			i += len(open)
			depth++
		default:
			i++
		}
	}
	return len(l.src)
}

// cStringEnd returns the end of the C-family string or character literal
// whose opening quote is at q, and whether it is terminated. An unterminated
// literal stops at the end of its line, as C compilers recover.
func (l *lexer) cStringEnd(q int, quote byte) (int, bool) {
	src := l.src
	for i := q + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			if end := lineBreakAfter(src, i+1); end > 0 {
				i = end - 1
			} else {
				i++
			}
		case quote:
			return i + 1, true
		case '\n':
			return i, false
		}
	}
	return len(src), false
}

// stop is why a string scan ended.
type stop uint8

const (
	stopClosed stop = iota // at the closing quote
	stopHole               // at the opening of a code substitution
	stopOpen               // at the end of the line or file: unterminated
)

// strCtx describes the kind of string literal being lexed.
type strCtx struct {
	quote     byte
	triple    bool // closed by three quotes
	escapes   bool // backslash escapes
	doubled   bool // a doubled quote stands for one
	multiline bool // may span lines
	dollar    bool // Dart: $name and ${...} substitutions
	braces    int  // F#, VB: how many braces open a substitution; 0 for none
	curly     bool // VB: curly quotes delimit strings too
}

// quoteAt returns the length of the closing quote character at i, 0 if
// there is none.
func (s *strCtx) quoteAt(src []byte, i int) int {
	if src[i] == s.quote {
		return 1
	}
	if s.curly && i+2 < len(src) && src[i] == 0xE2 && src[i+1] == 0x80 && (src[i+2] == 0x9C || src[i+2] == 0x9D) {
		return 3
	}
	return 0
}

// scan reads a string body from i. It returns where it stopped (after the
// closing quote, after a substitution's opener, or at an unterminated
// literal's end), why, the length of the closing quote, and whether a Dart
// $name substitution was seen.
func (s *strCtx) scan(src []byte, i int) (end int, why stop, closeLen int, template bool) {
	n := len(src)
	for i < n {
		c := src[i]
		switch {
		case c == '\\' && s.escapes:
			i += 2
			continue
		case s.quoteAt(src, i) > 0:
			ql := s.quoteAt(src, i)
			if s.triple {
				if i+2 < n && src[i+1] == s.quote && src[i+2] == s.quote {
					return i + 3, stopClosed, 3, template
				}
				i++
				continue
			}
			if s.doubled && i+ql < n && s.quoteAt(src, i+ql) > 0 {
				i += ql + s.quoteAt(src, i+ql)
				continue
			}
			return i + ql, stopClosed, ql, template
		case c == '\n' && !s.multiline:
			return i, stopOpen, 0, template
		case c == '$' && s.dollar && i+1 < n:
			if src[i+1] == '{' {
				return i + 2, stopHole, 0, template
			}
			if isAlpha(src[i+1]) || src[i+1] == '_' {
				template = true
			}
		case c == '{' && s.braces > 0:
			run := 1
			for i+run < n && src[i+run] == '{' {
				run++
			}
			if s.braces == 1 {
				if run == 1 {
					return i + 1, stopHole, 0, template
				}
				i += 2 // {{ is a literal brace
				continue
			}
			if run >= s.braces {
				return i + run, stopHole, 0, template
			}
			i += run
			continue
		case c == '}' && s.braces == 1 && i+1 < n && src[i+1] == '}':
			i += 2
			continue
		}
		i++
	}
	return n, stopOpen, 0, template
}

// str lexes the string literal of kind s that starts at the current
// position (prefix and opening quotes) and whose body starts at body. A
// literal with code substitutions is cut into a kStrStart token, the
// substitutions' tokens and kStrMid and kStrEnd tokens.
func (l *lexer) str(s strCtx, body int) {
	end, why, closeLen, template := s.scan(l.src, body)
	if end > len(l.src) {
		end = len(l.src)
	}
	if why == stopHole {
		l.emit(kStrStart, end)
		l.holes = append(l.holes, hole{str: s})
		return
	}
	k := kString
	if template {
		k = kTemplate
	}
	pre := body - l.pos
	t := l.emit(k, end)
	t.esc = escNone
	switch {
	case s.escapes:
		t.esc = escBackslash
	case s.doubled:
		t.esc = escDoubled
	}
	t.pre, t.post = uint8(min(pre, 255)), uint8(closeLen)
	t.braces = s.braces == 1
}

// inHole handles a brace met inside a code substitution: it counts nested
// braces, and at the brace that closes the substitution resumes the string.
// It reports whether it consumed the brace.
func (l *lexer) inHole() bool {
	if len(l.holes) == 0 {
		return false
	}
	h := &l.holes[len(l.holes)-1]
	switch l.src[l.pos] {
	case '{':
		h.depth++
		return false
	case '}':
		if h.depth > 0 {
			h.depth--
			return false
		}
	default:
		return false
	}
	closer := max(h.str.braces, 1)
	if !l.at(l.pos, strings.Repeat("}", closer)) {
		return false
	}
	end, why, _, _ := h.str.scan(l.src, l.pos+closer)
	if end > len(l.src) {
		end = len(l.src)
	}
	if why == stopHole {
		l.emit(kStrMid, end)
		return true
	}
	l.holes = l.holes[:len(l.holes)-1]
	l.emit(kStrEnd, end)
	return true
}

// rawLine skips the rest of a preprocessor line the parser has no use for,
// recording the comments on it. lineComment and blockOpen/blockClose are
// the language's comment delimiters ("" for none); a backslash at the end
// of a line continues the directive when backslash is set.
func (l *lexer) rawLine(lineComment, blockOpen, blockClose string, backslash bool) {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\n':
			return
		case c == '\\' && backslash && lineBreakAfter(l.src, l.pos+1) > 0:
			l.skipTo(lineBreakAfter(l.src, l.pos+1))
		case lineComment != "" && l.at(l.pos, lineComment):
			l.comment(l.lineEnd(l.pos))
			return
		case blockOpen != "" && l.at(l.pos, blockOpen):
			l.comment(l.blockCommentEnd(l.pos, blockOpen, blockClose, false))
		case c == '"':
			end, _ := l.cStringEnd(l.pos, '"')
			l.skipTo(end)
		default:
			l.pos++
		}
	}
}
