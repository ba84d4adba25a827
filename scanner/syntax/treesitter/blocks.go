package treesitter

import (
	"bytes"
	"sort"
)

// Span is a byte range [Start, End) of a file.
type Span struct {
	Start, End int
}

// Block is a part of a file that a parse may leave out: the content of a
// pair of braces or, when Unit is set, a whole declaration or statement
// that ends with such a pair (a function, a method, a class). Inner holds
// the largest such parts inside it, to leave out in its stead when it is
// needed.
type Block struct {
	Span
	Unit  bool
	Inner []Block
}

// minCold is the shortest block content worth leaving out of a parse: a
// shorter one costs the parser less than it costs to check.
const minCold = 48

// maxHoles bounds how deeply string substitutions may nest before a file
// is given up on (and parsed whole).
const maxHoles = 32

// ColdBlocks returns the parts of src that a parse may leave out: the
// largest blocks that hold none of the needles, in order and disjoint.
// A block is the content of a pair of braces or a whole unit (a function,
// a method, a class: see Block); in Python, a compound statement. The code
// of functions that call no flag method is what most of a file is, and
// what a parser pays for; what it holds can matter only through the names
// it shares with the rest of the file, which the caller checks (see
// Partial).
//
// The blocks are found by a scanner that knows each language's comments
// and strings, substitutions in strings included. It need not be right
// for every file: a parse with blocks left out is trusted only if
// tree-sitter finds no syntax error and pairs each block's braces as the
// scanner did (Partial.Trusted). ColdBlocks returns nil for a language it
// does not know, for a file whose braces or strings do not balance, and
// for a file with no needle at all.
func ColdBlocks(lang string, src []byte, needles [][]byte) []Block {
	syn, ok := blockSyntaxes[lang]
	if !ok && lang != "python" {
		return nil
	}
	hits := needleHits(src, needles)
	if len(hits) == 0 {
		return nil
	}
	if lang == "python" {
		blocks, _ := pythonBlocks(src, hits)
		return blocks
	}
	s := &blockScanner{src: src, syn: syn, hits: hits}
	if !s.scan() {
		return nil
	}
	return s.cold
}

// needleHits returns the sorted offsets at which a needle starts.
func needleHits(src []byte, needles [][]byte) []int {
	var hits []int
	for _, n := range needles {
		for off := 0; ; {
			i := bytes.Index(src[off:], n)
			if i < 0 {
				break
			}
			hits = append(hits, off+i)
			off += i + 1
		}
	}
	sort.Ints(hits)
	return hits
}

// blockSyntax is what the brace scanner must know of a language's lexical
// syntax: where comments and strings start and end, and which strings
// hold code.
type blockSyntax struct {
	hashComment   bool // # starts a line comment (PHP)
	nestedComment bool // /* */ comments nest (Kotlin, Swift)
	// singleQuote is how a quote ' reads: a string that holds no code
	// and ends at the line ('s'), or at any line for PHP ('m'); 0 when it is
	// no delimiter (Swift).
	singleQuote byte
	// doubleMultiline: a "..." string may run over lines (PHP).
	doubleMultiline bool
	backtick        byte // '`': a JavaScript template; 'r': a Go raw string
	tripleQuote     bool // """ strings (Java, Kotlin, Swift, C#)
	// dollarBrace: ${ opens a substitution in "..." strings (Kotlin,
	// PHP) and in templates (JavaScript).
	dollarBrace bool
	braceHole   bool // PHP: {$ opens a substitution in "..." strings
	swiftHoles  bool // Swift: \( opens a substitution; #"..."# raw strings
	csharp      bool // C#: @"..." verbatim, $"..." interpolated strings
	heredoc     bool // PHP: <<<ID heredocs and nowdocs
	regex       bool // JavaScript: regular expression literals
	// headerSemicolons: a ; may part the header of a statement whose
	// block follows (Go: if err := f(); err != nil { ... }), and starts
	// no unit: taken for one, err != nil { ... } was left out, and the if
	// with it.
	headerSemicolons bool
}

// doubleHole is the bracket that opens a substitution in a "..." string.
func (syn blockSyntax) doubleHole() byte {
	switch {
	case syn.dollarBrace:
		return '{'
	case syn.swiftHoles:
		return '('
	}
	return 0
}

var jsSyntax = blockSyntax{singleQuote: 's', backtick: '`', dollarBrace: true, regex: true}

// blockSyntaxes are the languages whose blocks are braces. Python's
// blocks are its indentation (blocks_python.go).
var blockSyntaxes = map[string]blockSyntax{
	"javascript": jsSyntax,
	"typescript": jsSyntax,
	"tsx":        jsSyntax,
	"go":         {singleQuote: 's', backtick: 'r', headerSemicolons: true},
	"java":       {singleQuote: 's', tripleQuote: true},
	"kotlin":     {singleQuote: 's', tripleQuote: true, dollarBrace: true, nestedComment: true},
	"swift":      {tripleQuote: true, swiftHoles: true, nestedComment: true},
	"csharp":     {singleQuote: 's', tripleQuote: true, csharp: true},
	"php":        {singleQuote: 'm', doubleMultiline: true, hashComment: true, dollarBrace: true, braceHole: true, heredoc: true},
}

// blockScanner finds the cold blocks of one file.
type blockScanner struct {
	src   []byte
	syn   blockSyntax
	hits  []int
	pos   int
	holes int     // substitutions being scanned
	open  []int   // offsets of the braces of the enclosing blocks
	cold  []Block // the largest cold blocks closed so far
	bad   bool    // the scan lost its way: leave nothing out
	last  byte    // the last byte of code that is not space, for regular expressions
	// parens counts the parentheses and brackets open; seps holds, for
	// the file and each enclosing block, where a unit may start (past
	// the last ; or brace at that level) and parens there.
	parens int
	seps   []sep
}

type sep struct{ off, parens int }

// scan scans the whole file and reports whether its braces balance.
func (s *blockScanner) scan() bool {
	s.seps = append(s.seps, sep{})
	s.code(0)
	return !s.bad && len(s.open) == 0
}

// separate records that a unit may start at off.
func (s *blockScanner) separate(off int) {
	s.seps[len(s.seps)-1] = sep{off: off, parens: s.parens}
}

// hot reports whether a needle starts in [from, to).
func (s *blockScanner) hot(from, to int) bool {
	i := sort.SearchInts(s.hits, from)
	return i < len(s.hits) && s.hits[i] < to
}

// closeBlock records the block whose braces are at open and end, and the
// unit it ends if it ends one; from is where that unit would start.
func (s *blockScanner) closeBlock(open, end int, from sep) {
	content := Span{Start: open + 1, End: end}
	if content.End-content.Start < minCold || s.hot(content.Start, content.End) {
		return
	}
	// The blocks inside it closed before it did: it holds them.
	i := len(s.cold)
	for i > 0 && s.cold[i-1].Start > open {
		i--
	}
	b := Block{Span: content, Inner: append([]Block(nil), s.cold[i:]...)}
	s.cold = append(s.cold[:i], b)
	if !s.isUnit(from, end+1) {
		return
	}
	// The unit holds the block and any before it in its head (a default
	// argument, a decorator's object).
	for i > 0 && s.cold[i-1].Start >= from.off {
		i--
	}
	u := Block{Span: Span{Start: from.off, End: end + 1}, Unit: true, Inner: append([]Block(nil), s.cold[i:]...)}
	s.cold = append(s.cold[:i], u)
}

// continuations are the words that continue the statement before them:
// a unit must not start with one, nor be followed by one. Besides the
// clauses of compound statements, the words that go on after a closing
// brace within a statement: JavaScript's import { ... } from, and
// TypeScript's { ... } as T and satisfies T. Taken for units, a file's
// imports left their from clauses behind, and every TypeScript file with
// imports of several names was parsed with blocks left out, not trusted,
// and parsed again whole.
var continuations = map[string]bool{
	"else": true, "elseif": true, "catch": true, "finally": true, "while": true,
	"from": true, "as": true, "satisfies": true, "instanceof": true,
}

// isUnit reports whether [from.off, end) can be left out whole: it holds
// no needle, its parentheses balance, it starts with a word (or an
// annotation) and what follows it starts a statement of its own (or
// closes the block), so that the code around it reads the same without
// it, even where a line break ends a statement.
func (s *blockScanner) isUnit(from sep, end int) bool {
	if from.parens != s.parens || s.hot(from.off, end) {
		return false
	}
	if s.syn.heredoc && bytes.Contains(s.src[from.off:end], []byte("?>")) {
		return false // PHP: the unit would take code out of its tags
	}
	first := s.significant(from.off)
	if first >= end || !(isWordByte(s.src[first]) || s.src[first] == '@' || s.syn.csharp && s.src[first] == '[') || continuations[s.word(first)] {
		return false
	}
	if s.labelled(first, end) {
		return false
	}
	next := s.significant(end)
	if next == len(s.src) {
		return true
	}
	switch c := s.src[next]; {
	case c == '}' || c == ';' || c == '@':
		return true
	case s.syn.heredoc && bytes.HasPrefix(s.src[next:], []byte("?>")):
		return true
	case s.syn.csharp && c == '[':
		return true
	case isWordByte(c):
		return !continuations[s.word(next)]
	}
	return false
}

// labelled reports whether the word at first is followed by a colon (or
// ?:) before end: a member of an object type, an interface or a literal
// (name: { ... };), a label or a case, not a declaration. Left out whole,
// TypeScript's interface members left their ; behind, and the file's
// partial parse was not trusted.
func (s *blockScanner) labelled(first, end int) bool {
	at := s.significant(first + len(s.word(first)))
	if at < end && s.src[at] == '?' {
		at = s.significant(at + 1)
	}
	return at+1 < end && s.src[at] == ':' && s.src[at+1] != ':'
}

// significant returns the offset of the first byte at or after off that
// is neither space nor in a comment, or len(src).
func (s *blockScanner) significant(off int) int {
	src := s.src
	for off < len(src) {
		switch c := src[off]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			off++
		case c == '/' && off+1 < len(src) && src[off+1] == '/', c == '#' && s.syn.hashComment && !(off+1 < len(src) && src[off+1] == '['):
			i := bytes.IndexByte(src[off:], '\n')
			if i < 0 {
				return len(src)
			}
			off += i + 1
		case c == '/' && off+1 < len(src) && src[off+1] == '*':
			// Nested comments end no earlier than this.
			i := bytes.Index(src[off+2:], []byte("*/"))
			if i < 0 {
				return len(src)
			}
			if s.syn.nestedComment && bytes.Contains(src[off+2:off+2+i], []byte("/*")) {
				return len(src) // too deep to skip here: no unit
			}
			off += 2 + i + 2
		default:
			return off
		}
	}
	return off
}

// word returns the identifier starting at off.
func (s *blockScanner) word(off int) string {
	end := off
	for end < len(s.src) && isWordByte(s.src[end]) {
		end++
	}
	return string(s.src[off:end])
}

// code scans code up to the end of the file or, in a substitution
// (closer != 0), past the closer that ends it. Blocks are recorded only
// outside substitutions.
func (s *blockScanner) code(closer byte) {
	depth := 0 // brackets of the closer's kind opened in this substitution
	src := s.src
	for s.pos < len(src) && !s.bad {
		c := src[s.pos]
		if !isCodeSyntax(c) {
			// Most bytes of code: no comment, string or bracket starts
			// here, and only the regular-expression test looks back.
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				s.last = c
			}
			s.pos++
			continue
		}
		switch {
		case c == '/' && s.pos+1 < len(src) && src[s.pos+1] == '/', c == '#' && s.syn.hashComment && !(s.pos+1 < len(src) && src[s.pos+1] == '['):
			s.lineComment()
			continue
		case c == '/' && s.pos+1 < len(src) && src[s.pos+1] == '*':
			s.blockComment()
			continue
		case c == '/' && s.syn.regex && regexMayStart(s.last):
			s.regexLiteral()
		case c == '"' || c == '\'' || c == '`' || c == '@' || c == '$' || c == '#' || c == '<':
			if !s.literal() {
				s.pos++
			}
		case closer != 0 && c == closer && depth == 0:
			s.pos++
			return
		case c == '{':
			if closer == 0 {
				s.open = append(s.open, s.pos)
				s.seps = append(s.seps, sep{off: s.pos + 1, parens: s.parens})
			} else if closer == '}' {
				depth++
			}
			s.pos++
		case c == '}':
			if closer == '}' {
				depth--
			} else if closer == 0 {
				if len(s.open) == 0 {
					s.bad = true
					return
				}
				open := s.open[len(s.open)-1]
				s.open = s.open[:len(s.open)-1]
				s.seps = s.seps[:len(s.seps)-1]
				s.closeBlock(open, s.pos, s.seps[len(s.seps)-1])
				s.separate(s.pos + 1)
			}
			s.pos++
		case closer == 0 && c == ';':
			if !s.syn.headerSemicolons {
				s.separate(s.pos + 1)
			}
			s.pos++
		case closer == 0 && (c == '(' || c == '['):
			s.parens++
			s.pos++
		case closer == 0 && (c == ')' || c == ']'):
			s.parens--
			s.pos++
		case c == '(' && closer == ')':
			depth++
			s.pos++
		case c == ')' && closer == ')':
			depth--
			s.pos++
		default:
			s.pos++
		}
		s.last = c
	}
	if closer != 0 {
		s.bad = true // a substitution the file does not close
	}
}

// isCodeSyntax reports the bytes the brace scanner must look at in code:
// those that may start a comment or a string, the brackets and the
// statement separator.
func isCodeSyntax(c byte) bool {
	switch c {
	case '/', '#', '"', '\'', '`', '@', '$', '<', '{', '}', '(', ')', '[', ']', ';':
		return true
	}
	return false
}

// regexMayStart reports whether a slash after the byte last starts a
// regular expression rather than a division: after an operator or an
// opening bracket. After a keyword (return /x/) it is taken for a
// division; a misreading costs the file its partial parse, not its
// results.
func regexMayStart(last byte) bool {
	switch last {
	case 0, '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^':
		return true
	}
	return false
}

func (s *blockScanner) lineComment() {
	if i := bytes.IndexByte(s.src[s.pos:], '\n'); i >= 0 {
		s.pos += i + 1
	} else {
		s.pos = len(s.src)
	}
}

func (s *blockScanner) blockComment() {
	depth := 0
	for s.pos < len(s.src) {
		switch {
		case bytes.HasPrefix(s.src[s.pos:], []byte("/*")):
			depth++
			s.pos += 2
			if !s.syn.nestedComment {
				i := bytes.Index(s.src[s.pos:], []byte("*/"))
				if i < 0 {
					s.pos = len(s.src)
					return
				}
				s.pos += i + 2
				return
			}
		case bytes.HasPrefix(s.src[s.pos:], []byte("*/")):
			s.pos += 2
			if depth--; depth == 0 {
				return
			}
		default:
			s.pos++
		}
	}
}

func (s *blockScanner) regexLiteral() {
	s.pos++ // the opening slash
	class := false
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; {
		case c == '\\':
			s.pos += 2
			continue
		case c == '\n':
			return // not a regular expression after all; go on as code
		case c == '[':
			class = true
		case c == ']':
			class = false
		case c == '/' && !class:
			s.pos++
			return
		}
		s.pos++
	}
}

// literal scans the string literal at the current position, if one starts
// there, and reports whether one did.
func (s *blockScanner) literal() bool {
	src, p, syn := s.src, s.pos, s.syn
	at := func(prefix string) bool { return bytes.HasPrefix(src[p:], []byte(prefix)) }
	switch c := src[p]; {
	case syn.csharp && (at(`$@"`) || at(`@$"`)):
		s.pos += 3
		s.quoted('"', true, false, true, '{')
	case syn.csharp && at(`@"`):
		s.pos += 2
		s.quoted('"', true, false, true, 0)
	case syn.csharp && at(`$"""`), syn.csharp && at(`$$"""`):
		s.pos = p + bytes.IndexByte(src[p:], '"')
		s.tripleQuoted(false, 0)
	case syn.csharp && at(`$"`):
		s.pos += 2
		s.quoted('"', false, true, false, '{')
	case syn.swiftHoles && c == '#':
		// #"..."#: a raw string; the hashes after it close it.
		n := 0
		for p+n < len(src) && src[p+n] == '#' {
			n++
		}
		if p+n >= len(src) || src[p+n] != '"' {
			return false
		}
		end := append([]byte{'"'}, bytes.Repeat([]byte{'#'}, n)...)
		if bytes.HasPrefix(src[p+n:], []byte(`"""`)) {
			end = append([]byte(`"""`), end[1:]...)
		}
		s.pos = p + n + 1
		if i := bytes.Index(src[s.pos:], end); i >= 0 {
			s.pos += i + len(end)
		} else {
			s.bad = true
		}
	case syn.heredoc && at("<<<"):
		s.heredoc()
	case c == '"' && syn.tripleQuote && at(`"""`):
		s.tripleQuoted(!syn.dollarBrace && !syn.csharp, syn.doubleHole())
	case c == '"':
		s.pos++
		s.quoted('"', syn.doubleMultiline, true, false, syn.doubleHole())
	case c == '\'' && syn.singleQuote != 0:
		s.pos++
		s.quoted('\'', syn.singleQuote == 'm', true, false, 0)
	case c == '`' && syn.backtick == '`':
		s.pos++
		s.quoted('`', true, true, false, '{')
	case c == '`' && syn.backtick == 'r':
		s.pos++
		if i := bytes.IndexByte(src[s.pos:], '`'); i >= 0 {
			s.pos += i + 1
		} else {
			s.bad = true
		}
	default:
		return false
	}
	s.last = '"'
	return true
}

// quoted scans a string from past its opening quote to past its closing
// one. multiline lets it run over lines; backslash escapes; doubled is
// a doubled quote standing for one (C# verbatim strings). hole is the
// bracket of substitutions: '{' for ${ (or { in C#, {$ in PHP), '(' for
// Swift's \(; 0 for none.
func (s *blockScanner) quoted(quote byte, multiline, backslash, doubled bool, hole byte) {
	src := s.src
	for s.pos < len(src) {
		if s.escapeOrHole(backslash, hole) {
			continue
		}
		c := src[s.pos]
		switch {
		case c == quote:
			if doubled && s.pos+1 < len(src) && src[s.pos+1] == quote {
				s.pos += 2
				continue
			}
			s.pos++
			return
		case c == '\n' && !multiline:
			return // an unterminated string ends with its line
		case hole == '{' && s.syn.csharp && c == '{':
			if s.pos+1 < len(src) && src[s.pos+1] == '{' {
				s.pos += 2 // {{ is a brace
				continue
			}
			s.pos++
			s.substitution('}')
			continue
		case hole == '{' && s.syn.braceHole && c == '{' && s.pos+1 < len(src) && src[s.pos+1] == '$':
			s.pos++
			s.substitution('}')
			continue
		}
		s.pos++
	}
}

// escapeOrHole moves past a backslash escape (when backslash) or into
// and past a substitution opening at the current position in a string,
// and reports whether there was one.
func (s *blockScanner) escapeOrHole(backslash bool, hole byte) bool {
	src, p := s.src, s.pos
	switch {
	case backslash && src[p] == '\\' && hole == '(' && p+1 < len(src) && src[p+1] == '(':
		s.pos += 2
		s.substitution(')')
	case backslash && src[p] == '\\':
		s.pos += 2
	case hole == '{' && src[p] == '$' && p+1 < len(src) && src[p+1] == '{':
		s.pos += 2
		s.substitution('}')
	default:
		return false
	}
	return true
}

// tripleQuoted scans a """ string from its first quote. Kotlin and Java
// text blocks take no escapes before the closing quotes in a way that
// matters here; backslash says whether \ escapes.
func (s *blockScanner) tripleQuoted(backslash bool, hole byte) {
	src := s.src
	s.pos += 3
	for s.pos < len(src) {
		if s.escapeOrHole(backslash, hole) {
			continue
		}
		if bytes.HasPrefix(src[s.pos:], []byte(`"""`)) {
			s.pos += 3
			for s.pos < len(src) && src[s.pos] == '"' {
				s.pos++ // """"" ends with the last three
			}
			return
		}
		s.pos++
	}
	s.bad = true
}

// substitution scans the code of a string substitution, up to and past
// its closer.
func (s *blockScanner) substitution(closer byte) {
	if s.holes++; s.holes > maxHoles {
		s.bad = true
		return
	}
	last := s.last
	s.last = 0
	s.code(closer)
	s.last = last
	s.holes--
}

// heredoc scans a PHP heredoc or nowdoc, <<<ID or <<<'ID' or <<<"ID",
// up to the line whose first word is ID. Substitutions in a heredoc are
// not scanned: their braces are in the text the block check reads.
func (s *blockScanner) heredoc() {
	src := s.src
	p := s.pos + 3
	for p < len(src) && (src[p] == ' ' || src[p] == '\t') {
		p++
	}
	if p < len(src) && (src[p] == '\'' || src[p] == '"') {
		p++
	}
	start := p
	for p < len(src) && isWordByte(src[p]) {
		p++
	}
	id := src[start:p]
	if len(id) == 0 {
		s.pos += 3
		return
	}
	nl := bytes.IndexByte(src[p:], '\n')
	if nl < 0 {
		s.bad = true
		return
	}
	p += nl + 1
	for p < len(src) {
		line := bytes.TrimLeft(src[p:], " \t")
		if bytes.HasPrefix(line, id) && (len(line) == len(id) || !isWordByte(line[len(id)])) {
			s.pos = len(src) - len(line) + len(id)
			return
		}
		nl := bytes.IndexByte(src[p:], '\n')
		if nl < 0 {
			break
		}
		p += nl + 1
	}
	s.bad = true
}

// isWordByte reports the bytes of an identifier, and every byte of a
// multibyte character, which may be one.
func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
