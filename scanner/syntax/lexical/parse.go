package lexical

import (
	"bytes"
	"strings"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// maxDepth bounds how deep expressions are modelled: flag arguments are
// shallow, and deeper nesting must not cost a stack. A call met deeper than
// this is modelled later, when the token walk reaches it.
const maxDepth = 12

// literal is the value of a keyword literal.
type literal uint8

const (
	litTrue literal = iota + 1
	litFalse
	litNull
)

// dialect is what the shared parser needs to know about one language.
type dialect struct {
	name string
	lex  func(*lexer)
	ops  []string // multi-character operators, longest first where one prefixes another
	// keywords are the reserved words that are not operands: a keyword
	// followed by a parenthesis is not a call (if, while, return...).
	keywords map[string]bool
	literals map[string]literal
	// prefixes are the keywords an operand may start with that do not
	// change what it is (await, new, const).
	prefixes map[string]bool
	// concat are the operators that concatenate strings.
	concat map[string]bool
	// terminators end a declaration's value (; and , in C-family code).
	terminators map[string]bool
	// memberOps are the operators between a receiver and a member.
	memberOps map[string]bool
	foldCase  bool              // VB: keywords and names are case-insensitive
	opText    map[string]string // ops, interned

	adjacentStrings bool // "a" "b" is one string (C, Dart)
	subscripts      bool // x[i] is a subscript (Dart, Objective-C)
	messages        bool // [receiver selector:arg] (Objective-C)
	casts           bool // (Type *)expr (Objective-C)

	// step does the language's statement-level work at token i, before
	// calls are looked for there: opening scopes, recording bindings.
	step func(p *parser, i int)
	// isDecl reports whether the name at i, followed by the parenthesis
	// at paren, declares a function rather than calling one.
	isDecl func(p *parser, i, paren int) bool
	// label splits a call argument spanning [s, e) into its label and the
	// index where its value starts; "" and s for a positional argument.
	label func(p *parser, s, e int) (string, int)
	// isTerm reports whether token i ends a statement in a language whose
	// statements end with the line (F#, VB).
	isTerm func(p *parser, i int) bool
}

var dialects = map[string]*dialect{objc.name: objc, dart.name: dart, fsharp.name: fsharp, vb.name: vb}

func init() {
	for _, d := range dialects {
		d.opText = make(map[string]string)
		for _, op := range d.ops {
			d.opText[op] = op
		}
	}
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// Scope terminators: what, besides the end of its bracket, closes a scope.
const (
	termNone = iota
	termStmt // a Dart arrow body: ; or , at its own depth
	termLine // a VB single-line lambda: the end of the logical line, or , at its depth
)

// openScope is a scope being walked through.
type openScope struct {
	id    int
	depth int    // bracket depth inside the scope: it closes when the depth drops below
	col   int32  // F#: it closes at a line that starts at or left of this column; 0 for none
	term  uint8  // termStmt, termLine
	kind  string // VB: the block it ends with (End Sub, End Function...)
}

// parser walks the tokens of one file once, front to back, and builds its
// syntax model. Expressions are modelled on demand from the token array,
// with the brackets matched beforehand so that skipping a group costs one
// step: every call is built once (memo), so the whole walk stays linear.
type parser struct {
	d      *dialect
	src    []byte
	toks   []token
	match  []int32 // the matching bracket of each bracket token, -1 if none
	endOf  []int32 // the first terminator at or after each token, at its bracket level
	file   *syntax.File
	names  map[string]bool
	folded map[string]string // VB: lower-cased name -> name in names
	calls  map[int32]*syntax.Call
	sends  map[int32]*syntax.Call // subscripts and messages, by their '['
	buf    []byte

	// The walk's state.
	depth  int     // brackets open
	open   []int32 // the brackets open, innermost last
	braces int     // Objective-C: braces open
	scopes []openScope
	scope  int
	noCall int   // F#: calls are not looked for before this token, the end of a declaration's head
	block  bool  // Objective-C: a ^ was met; the next brace opens a block's body
	indent int32 // the column of the current line's first token (F#'s layout)
	iface  int   // VB: Interface blocks open, whose members have no body
	types  []openType
}

// openType is a type body open at a point of the walk (Dart's class,
// enum, mixin), for the members bound in it.
type openType struct {
	end  int // the token of its closing brace
	name string
}

// owner returns the names of the types whose bodies hold token i,
// outermost first; nil outside any.
func (p *parser) owner(i int) []string {
	for len(p.types) > 0 && p.types[len(p.types)-1].end < i {
		p.types = p.types[:len(p.types)-1]
	}
	var out []string
	for _, t := range p.types {
		out = append(out, t.name)
	}
	return out
}

func newParser(d *dialect, src []byte, l *lexer, names map[string]bool) *parser {
	p := &parser{
		d:     d,
		src:   src,
		toks:  l.toks,
		file:  syntax.NewFile(d.name),
		names: names,
		calls: make(map[int32]*syntax.Call),
		sends: make(map[int32]*syntax.Call),
	}
	p.file.Comments = l.comments
	if d.foldCase {
		p.folded = make(map[string]string, len(names))
		for n := range names {
			if n == "" {
				continue
			}
			k := strings.ToLower(n)
			// GetFlag and getFlag fold alike; .NET code means the former.
			if prev, ok := p.folded[k]; !ok || prev[0] >= 'a' {
				p.folded[k] = n
			}
		}
	}
	p.matchBrackets()
	p.computeEnds()
	return p
}

// run walks the tokens.
func (p *parser) run() {
	for i := range p.toks {
		p.before(i)
		if p.d.step != nil {
			p.d.step(p, i)
		}
		p.callsAt(i)
	}
}

// Token tests.

func (p *parser) raw(i int) []byte {
	t := &p.toks[i]
	return p.src[t.start:t.end]
}

func (p *parser) isIdent(i int) bool {
	return i >= 0 && i < len(p.toks) && p.toks[i].kind == kIdent
}

func (p *parser) isPunct(i int, s string) bool {
	return i >= 0 && i < len(p.toks) && p.toks[i].kind == kPunct && string(p.raw(i)) == s
}

// punctText returns the text of the punctuation token i, "" for another.
// The language's operators are interned: no allocation for them.
func (p *parser) punctText(i int) string {
	if i < 0 || i >= len(p.toks) || p.toks[i].kind != kPunct {
		return ""
	}
	if s, ok := p.d.opText[string(p.raw(i))]; ok {
		return s
	}
	return string(p.raw(i))
}

// word returns identifier i as keywords are compared: lower-cased in VB.
// The result is only valid until the next call.
func (p *parser) word(i int) []byte {
	if !p.isIdent(i) {
		return nil
	}
	w := p.raw(i)
	if !p.d.foldCase {
		return w
	}
	p.buf = append(p.buf[:0], w...)
	for k, c := range p.buf {
		if 'A' <= c && c <= 'Z' {
			p.buf[k] = c + 'a' - 'A'
		}
	}
	return p.buf
}

// is reports whether token i is the identifier w (a keyword, lower case).
func (p *parser) is(i int, w string) bool {
	if !p.isIdent(i) {
		return false
	}
	if p.d.foldCase {
		return bytes.EqualFold(p.raw(i), []byte(w))
	}
	return string(p.raw(i)) == w
}

// isKeyword reports whether token i is a reserved word: one of the
// language's keywords, or an Objective-C @ directive (@interface, @end).
func (p *parser) isKeyword(i int) bool {
	if !p.isIdent(i) {
		return false
	}
	w := p.word(i)
	return p.d.keywords[string(w)] || w[0] == '@' && p.d.literals[string(w)] == 0
}

// literal reports whether identifier i is a keyword literal (true, nil...).
func (p *parser) literal(i int) bool {
	return p.isIdent(i) && p.d.literals[string(p.word(i))] != 0
}

// identValue is the name identifier i stands for: without the brackets of
// a VB escaped name, lower-cased in VB, whose names ignore case.
func (p *parser) identValue(i int) string {
	w := p.raw(i)
	if p.d.foldCase {
		w = bytes.TrimSuffix(bytes.TrimPrefix(w, []byte("[")), []byte("]"))
		return strings.ToLower(string(w))
	}
	return string(w)
}

// callName is the name a call through identifier i has: in VB, the
// spelling the rules use when they know the name in another case.
func (p *parser) callName(i int) string {
	if p.d.foldCase {
		if n, ok := p.folded[string(p.word(i))]; ok {
			return n
		}
		return string(bytes.TrimSuffix(bytes.TrimPrefix(p.raw(i), []byte("[")), []byte("]")))
	}
	return string(p.raw(i))
}

// wanted reports whether the rules want calls through the name at i. It
// is callName without the allocation, as it is asked of every call.
func (p *parser) wanted(i int) bool {
	if p.d.foldCase {
		_, ok := p.folded[string(p.word(i))]
		return ok
	}
	return p.names[string(p.raw(i))]
}

func (p *parser) pos(i int) syntax.Pos {
	if len(p.toks) == 0 {
		return syntax.Pos{Line: 1, Column: 1}
	}
	i = max(0, min(i, len(p.toks)-1))
	return syntax.Pos{Line: int(p.toks[i].line), Column: int(p.toks[i].col)}
}

// text returns the source of tokens [a, b), cut to syntax.MaxText.
func (p *parser) text(a, b int) string {
	if a >= b || a < 0 || b > len(p.toks) {
		return ""
	}
	s := p.src[p.toks[a].start:p.toks[b-1].end]
	if len(s) > syntax.MaxText+1 {
		s = s[:syntax.MaxText+1]
	}
	return syntax.Clip(string(s))
}

// Brackets.

func (p *parser) isOpener(i int) bool {
	switch p.toks[i].kind {
	case kStrStart, kDirective:
		return true
	case kPunct:
		s := p.raw(i)
		return len(s) == 1 && (s[0] == '(' || s[0] == '[' || s[0] == '{')
	}
	return false
}

func (p *parser) isCloser(i int) bool {
	switch p.toks[i].kind {
	case kStrEnd, kDirEnd:
		return true
	case kPunct:
		s := p.raw(i)
		return len(s) == 1 && (s[0] == ')' || s[0] == ']' || s[0] == '}')
	}
	return false
}

// pairs reports whether opener o is closed by closer c.
func (p *parser) pairs(o, c int) bool {
	switch p.toks[o].kind {
	case kStrStart:
		return p.toks[c].kind == kStrEnd
	case kDirective:
		return p.toks[c].kind == kDirEnd
	case kPunct:
		if p.toks[c].kind != kPunct {
			return false
		}
		return string(p.raw(o))+string(p.raw(c)) == "()" || string(p.raw(o))+string(p.raw(c)) == "[]" || string(p.raw(o))+string(p.raw(c)) == "{}"
	}
	return false
}

// matchBrackets pairs the brackets. A bracket pairs with one of the few
// innermost open brackets of its kind, dropping those above it as unclosed;
// a stray closer pairs with nothing. A bracket never pairs across the
// start of a string substitution or of a #define: the end of those closes
// everything opened since, whatever it is. Every search either pops what
// it looked at or is bounded, so the whole is linear.
func (p *parser) matchBrackets() {
	p.match = make([]int32, len(p.toks))
	var stack []int32
	barriers := 0 // string starts and #defines on the stack
	isBarrier := func(k int32) bool {
		return p.toks[k].kind == kStrStart || p.toks[k].kind == kDirective
	}
	for i := range p.toks {
		p.match[i] = -1
		t := &p.toks[i]
		switch {
		case p.isOpener(i):
			stack = append(stack, int32(i))
			if isBarrier(int32(i)) {
				barriers++
			}
		case t.kind == kStrMid || t.kind == kStrEnd || t.kind == kDirEnd:
			// Drop what the substitution or #define left open.
			k := len(stack) - 1
			for barriers > 0 && k >= 0 && !isBarrier(stack[k]) {
				k--
			}
			if barriers == 0 || k < 0 {
				break
			}
			stack = stack[:k+1]
			if t.kind != kStrMid && p.pairs(int(stack[k]), i) {
				p.match[i], p.match[stack[k]] = stack[k], int32(i)
				stack = stack[:k]
				barriers--
			}
		case p.isCloser(i):
			for k := len(stack) - 1; k >= 0 && k >= len(stack)-4 && !isBarrier(stack[k]); k-- {
				if p.pairs(int(stack[k]), i) {
					p.match[i], p.match[stack[k]] = stack[k], int32(i)
					stack = stack[:k]
					break
				}
			}
		}
	}
}

// computeEnds fills endOf, walking back to front with one "next
// terminator" per bracket level.
func (p *parser) computeEnds() {
	n := len(p.toks)
	p.endOf = make([]int32, n)
	next := []int32{int32(n)}
	for i := n - 1; i >= 0; i-- {
		m := p.match[i]
		switch {
		case m >= 0 && int(m) < i: // a closer: the end of the level inside
			p.endOf[i] = int32(i)
			next = append(next, int32(i))
			continue
		case m > int32(i): // an opener: back to the level outside
			if len(next) > 1 {
				next = next[:len(next)-1]
			}
		case p.isCloser(i) || p.toks[i].kind == kStrMid: // a stray closer, or between substitutions
			next[len(next)-1] = int32(i)
		}
		if p.term(i) {
			next[len(next)-1] = int32(i)
		}
		p.endOf[i] = next[len(next)-1]
	}
}

// term reports whether token i ends a declaration's value at its level.
func (p *parser) term(i int) bool {
	if p.d.isTerm != nil {
		return p.d.isTerm(p, i)
	}
	return p.toks[i].kind == kPunct && p.d.terminators[string(p.raw(i))]
}

// endFrom returns the end of the value starting at token s: the first
// terminator at or after it at its level.
func (p *parser) endFrom(s int) int {
	if s >= len(p.toks) {
		return len(p.toks)
	}
	return int(p.endOf[s])
}

// endAfter returns the first terminator after token s at its level.
func (p *parser) endAfter(s int) int {
	if s >= len(p.toks) {
		return len(p.toks)
	}
	next := s + 1
	if m := p.match[s]; m > int32(s) {
		next = int(m) + 1
	}
	return p.endFrom(next)
}

// group returns the closer of the bracket opened at o if it lies before
// limit, else -1.
func (p *parser) group(o, limit int) int {
	if o < 0 || o >= len(p.toks) {
		return -1
	}
	if m := int(p.match[o]); m > o && m < limit {
		return m
	}
	return -1
}

// innerBracket returns the innermost open bracket's text: "(", "[", "{",
// "$" for a string substitution, "#" for a #define, "" at the top level.
func (p *parser) innerBracket() string {
	if len(p.open) == 0 {
		return ""
	}
	o := int(p.open[len(p.open)-1])
	switch p.toks[o].kind {
	case kStrStart:
		return "$"
	case kDirective:
		return "#"
	}
	return string(p.raw(o))
}

// headHas reports whether the declaration whose name is at name has one
// of words among the few tokens before it (const, final).
func (p *parser) headHas(name int, words ...string) bool {
	for k := name - 1; k >= 0 && k >= name-16; k-- {
		t := &p.toks[k]
		if t.kind == kPunct {
			switch string(p.raw(k)) {
			case ";", "{", "}", "(", ")", ",", "=", "=>":
				return false
			}
			continue
		}
		if t.kind != kIdent {
			return false
		}
		for _, w := range words {
			if p.is(k, w) {
				return true
			}
		}
	}
	return false
}

// The walk.

// before updates the bracket depth at token i and closes the scopes that
// end there.
func (p *parser) before(i int) {
	t := &p.toks[i]
	m := int(p.match[i])
	switch {
	case m > i:
		p.depth++
		p.open = append(p.open, int32(i))
		if t.kind == kPunct && p.src[t.start] == '{' {
			p.braces++
		}
	case m >= 0 && m < i:
		p.depth--
		if len(p.open) > 0 {
			p.open = p.open[:len(p.open)-1]
		}
		if t.kind == kPunct && p.src[t.start] == '}' {
			p.braces--
		}
	}
	if t.nl {
		p.indent = t.col
	}
	for len(p.scopes) > 0 {
		s := &p.scopes[len(p.scopes)-1]
		end := p.depth < s.depth
		if !end && p.depth == s.depth && s.term != termNone && t.kind == kPunct {
			switch string(p.raw(i)) {
			case ",":
				end = true
			case ";":
				end = s.term == termStmt
			case ":":
				end = s.term == termLine
			}
		}
		if !end && t.nl {
			end = s.col > 0 && t.col <= s.col || s.term == termLine
		}
		if !end {
			break
		}
		p.popScope(len(p.scopes) - 1)
	}
}

// pushScope opens a scope inside the current one.
func (p *parser) pushScope(s openScope) {
	s.id = p.file.AddScope(p.scope)
	p.scopes = append(p.scopes, s)
	p.scope = s.id
}

// popScope closes the open scope at index k and those inside it.
func (p *parser) popScope(k int) {
	p.scopes = p.scopes[:k]
	p.scope = 0
	if k > 0 {
		p.scope = p.scopes[k-1].id
	}
}

// popKind closes the innermost open scope of the given VB kind, looking
// only a few levels up so that a file of unclosed blocks stays linear.
func (p *parser) popKind(kind string) {
	for k := len(p.scopes) - 1; k >= 0 && k >= len(p.scopes)-8; k-- {
		if p.scopes[k].kind == kind {
			p.popScope(k)
			return
		}
	}
}

// callsAt records the calls whose name (or bracket) is at token i.
func (p *parser) callsAt(i int) {
	t := &p.toks[i]
	switch t.kind {
	case kIdent:
		if i < p.noCall || p.isKeyword(i) && !p.memberOpBefore(i) {
			return
		}
		paren := p.callParen(i)
		if paren < 0 {
			return
		}
		if !p.wanted(i) && !p.chained(paren) {
			return
		}
		if c := p.callAt(i, 0); c != nil && p.names[c.Name] {
			p.file.Calls = append(p.file.Calls, c)
		}
	case kPunct:
		switch p.src[t.start] {
		case '[':
			if t.end-t.start == 1 && p.d.subscripts && p.isSubscript(i) {
				if c := p.subscript(i, 0); c != nil && p.names[c.Name] {
					p.file.Calls = append(p.file.Calls, c)
				}
			}
		case ']':
			// Messages are built when their closing bracket is reached, by
			// when the messages inside them are built.
			if o := int(p.match[i]); p.d.messages && o >= 0 && o < i && p.maySend(o) {
				if c := p.message(o, 0); c != nil && p.names[c.Name] {
					p.file.Calls = append(p.file.Calls, c)
				}
			}
		}
	}
}

// memberOpBefore reports whether the name at i follows a member operator.
func (p *parser) memberOpBefore(i int) bool {
	return i > 0 && p.toks[i-1].kind == kPunct && p.isMemberOp(i-1)
}

func (p *parser) isMemberOp(i int) bool {
	return p.d.memberOps[p.punctText(i)]
}

// chained reports whether the call whose arguments open at paren has a
// member or subscript of its result taken: it is then a receiver that the
// rules may look through, built even if its name is not one they know.
func (p *parser) chained(paren int) bool {
	m := int(p.match[paren])
	if m < 0 || m+1 >= len(p.toks) {
		return false
	}
	return p.isMemberOp(m+1) || p.d.subscripts && p.isPunct(m+1, "[")
}

// bind records a binding of the name at token name to the value spanning
// [a, b), in scope, and marks a call that is the whole value as assigned.
func (p *parser) bind(name, a, b int, constant bool, scope int) {
	if !p.isIdent(name) || a >= b || b > len(p.toks) {
		return
	}
	v := p.expr(a, b, 1)
	n := p.identValue(name)
	p.file.Bindings = append(p.file.Bindings, syntax.Binding{Name: n, Value: v, Scope: scope, Const: constant, Pos: p.pos(name), Owner: p.owner(name)})
	if v.Kind == syntax.CallExpr && v.Call != nil && v.Call.Assigned == "" {
		v.Call.Assigned = n
	}
}
