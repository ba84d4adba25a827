package treesitter

import "bytes"

// pyLine is one logical line of Python: physical lines joined inside
// brackets, triple-quoted strings and after a backslash.
type pyLine struct {
	start, end int // end is past its line break
	indent     int
	blank      bool   // nothing but spaces and a comment
	word       string // the first word
}

// pythonHeads are the words that start a compound statement that can be
// left out whole: its suite goes with it.
var pythonHeads = map[string]bool{"def": true, "class": true, "async": true, "if": true, "for": true, "while": true, "with": true, "try": true}

// pythonClauses continue a compound statement at its indentation.
var pythonClauses = map[string]bool{"elif": true, "else": true, "except": true, "finally": true}

// pythonBlocks returns the cold units of a Python file: the compound
// statements (with their decorators) that hold no needle, each with the
// ones nested in it. A Python block is its indentation, not a pair of
// braces: a unit is whole lines, from the first of its head to the last
// of its suite, so that what follows it is indented as before.
func pythonBlocks(src []byte, hits []int) ([]Block, bool) {
	lines, ok := pythonLines(src)
	if !ok {
		return nil, false
	}
	s := &blockScanner{src: src, hits: hits}
	return s.pythonUnits(lines, 0, len(lines)), true
}

// pythonUnits returns the cold units among lines[from:to].
func (s *blockScanner) pythonUnits(lines []pyLine, from, to int) []Block {
	var out []Block
	for i := from; i < to; {
		l := lines[i]
		if l.blank || !(pythonHeads[l.word] || l.word == "@") {
			i++
			continue
		}
		j := i + 1
		for j < to && (lines[j].blank || lines[j].indent > l.indent ||
			lines[j].indent == l.indent && (pythonClauses[lines[j].word] || lines[i].word == "@" && lastHead(lines, i, j))) {
			j++
		}
		end := len(s.src)
		if j < len(lines) {
			end = lines[j].start
		}
		inner := s.pythonUnits(lines, i+1, j)
		if end-l.start >= minCold && !s.hot(l.start, end) {
			out = append(out, Block{Span: Span{Start: l.start, End: end}, Unit: true, Inner: inner})
		} else {
			out = append(out, inner...)
		}
		i = j
	}
	return out
}

// lastHead reports whether lines[i:j] are only decorators, so that the
// line at j (at their indentation) is what they decorate.
func lastHead(lines []pyLine, i, j int) bool {
	for k := i; k < j; k++ {
		if !lines[k].blank && lines[k].word != "@" {
			return false
		}
	}
	return true
}

// pythonLines cuts src into logical lines. It reports false when a string
// or a bracket is left open at the end.
func pythonLines(src []byte) ([]pyLine, bool) {
	var lines []pyLine
	p := 0
	for p < len(src) {
		l := pyLine{start: p}
		for p < len(src) && (src[p] == ' ' || src[p] == '\t') {
			p++
		}
		l.indent = p - l.start
		if p >= len(src) || src[p] == '\n' || src[p] == '\r' || src[p] == '#' {
			l.blank = true
		} else if src[p] == '@' {
			l.word = "@"
		} else {
			e := p
			for e < len(src) && isWordByte(src[e]) {
				e++
			}
			l.word = string(src[p:e])
		}
		depth := 0
	line:
		for p < len(src) {
			switch c := src[p]; {
			case c == '#':
				if i := bytes.IndexByte(src[p:], '\n'); i >= 0 {
					p += i
				} else {
					p = len(src)
				}
			case c == '\\':
				p += 2
			case c == '\n':
				p++
				if depth == 0 {
					break line
				}
			case c == '(' || c == '[' || c == '{':
				depth++
				p++
			case c == ')' || c == ']' || c == '}':
				depth--
				p++
			case c == '"' || c == '\'':
				var ok bool
				if p, ok = skipPythonString(src, p); !ok {
					return nil, false
				}
			default:
				p++
			}
		}
		if depth != 0 {
			return nil, false
		}
		l.end = min(p, len(src))
		lines = append(lines, l)
	}
	return lines, true
}

// skipPythonString returns the offset past the string literal whose quote is
// at p (a prefix before it reads the same: only r changes escapes, and a
// backslash before a quote never closes a string).
func skipPythonString(src []byte, p int) (int, bool) {
	q := src[p]
	triple := bytes.HasPrefix(src[p:], []byte{q, q, q})
	if triple {
		p += 3
	} else {
		p++
	}
	for p < len(src) {
		switch c := src[p]; {
		case c == '\\':
			p += 2
		case c == q && (!triple || bytes.HasPrefix(src[p:], []byte{q, q, q})):
			if triple {
				return p + 3, true
			}
			return p + 1, true
		case c == '\n' && !triple:
			return p, true // unterminated: it ends with its line
		default:
			p++
		}
	}
	return p, !triple
}
