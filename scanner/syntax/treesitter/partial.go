package treesitter

import (
	"bytes"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
)

// Partial is what a parse that left blocks out (ExtractPartial) needs
// checked before its file can stand for the whole one.
//
// A block left out is the content of a pair of braces in which no needle
// occurs: no call the rules name, no annotation. What it holds can still
// matter in three ways, and Needed reports each block that may:
//
//   - it is inside a call the extraction modelled (an argument, a
//     trailing closure), whose model it would change;
//   - it is inside the declaration of a name the rules looked up;
//   - it mentions a name the rules looked up or a variable a call's value
//     was assigned to: it may bind that name again, or call get, has or
//     getValue on that variable.
//
// Anything else in it is invisible to the rules: its calls are not named
// by them and its names are not the file's keys.
type Partial struct {
	src      []byte
	skip     []Block
	trusted  bool
	calls    []Span
	bindings []boundSpan
}

type boundSpan struct {
	name string
	span Span
}

// Trusted reports whether tree-sitter read the file as the scanner of
// ColdBlocks did: no syntax error, and each block's braces a pair.
// Otherwise the file must be parsed whole.
func (pa *Partial) Trusted() bool { return pa.trusted }

// Needed returns the indexes (into the skipped blocks) of the blocks that
// may matter to the rules, given the names they looked up. The file
// stands for the whole one when there are none.
func (pa *Partial) Needed(names map[string]bool) []int {
	var words [][]byte
	for n := range names {
		// A PHP variable's name is looked up without its $ in some
		// models; the word without it is found in both spellings.
		if n = strings.TrimLeft(n, "$@"); n != "" {
			words = append(words, []byte(n))
		}
	}
	var need []int
	for i, b := range pa.skip {
		if pa.inside(b, pa.calls) || pa.inBinding(b, names) || mentions(pa.src[b.Start:b.End], words) {
			need = append(need, i)
		}
	}
	return need
}

// inside reports whether block b is within one of spans.
func (pa *Partial) inside(b Block, spans []Span) bool {
	for _, s := range spans {
		if s.Start <= b.Start && b.End <= s.End {
			return true
		}
	}
	return false
}

func (pa *Partial) inBinding(b Block, names map[string]bool) bool {
	for _, bs := range pa.bindings {
		if names[bs.name] && bs.span.Start <= b.Start && b.End <= bs.span.End {
			return true
		}
	}
	return false
}

// mentions reports whether one of words occurs in text as a whole word.
func mentions(text []byte, words [][]byte) bool {
	for _, w := range words {
		for off := 0; ; {
			i := bytes.Index(text[off:], w)
			if i < 0 {
				break
			}
			start, end := off+i, off+i+len(w)
			if (start == 0 || !isWordByte(text[start-1])) && (end == len(text) || !isWordByte(text[end])) {
				return true
			}
			off = start + 1
		}
	}
	return false
}

// wholeFile is the included range of a parse of the whole file, as
// tree-sitter has it by default.
var wholeFile = []sitter.Range{{EndPoint: sitter.Point{Row: ^uint32(0), Column: ^uint32(0)}, EndByte: ^uint32(0)}}

// included returns the ranges of src around the blocks of skip.
func included(src []byte, skip []Block, lines lineIndex) []sitter.Range {
	ranges := make([]sitter.Range, 0, len(skip)+1)
	add := func(from, to int) {
		if from < to {
			ranges = append(ranges, sitter.Range{StartPoint: lines.point(from), EndPoint: lines.point(to), StartByte: uint32(from), EndByte: uint32(to)})
		}
	}
	at := 0
	for _, b := range skip {
		add(at, b.Start)
		at = b.End
	}
	add(at, len(src))
	if len(ranges) == 0 {
		// All of it left out: one empty range, which tree-sitter reads
		// as an empty file.
		ranges = append(ranges, sitter.Range{})
	}
	return ranges
}

// bracesPaired reports whether tree-sitter parsed each block's braces (the
// bytes around its content) as one pair of tokens of one node.
func bracesPaired(root *sitter.Node, lines lineIndex, skip []Block) bool {
	for _, b := range skip {
		if b.Unit {
			// Nothing of a unit is left to pair; the code around it
			// is what the whole file has, and parsed without error.
			continue
		}
		open, end := b.Start-1, b.End+1
		n := root.NamedDescendantForPointRange(lines.point(open), lines.point(end))
		if n == nil || !pairedIn(n, open, b.End) {
			return false
		}
	}
	return true
}

// pairedIn reports whether n has a "{" token child at open and a "}"
// token child at close.
func pairedIn(n *sitter.Node, open, close int) bool {
	count := int(n.ChildCount())
	if count < 2 {
		return false
	}
	first, last := n.Child(0), n.Child(count-1)
	if int(first.StartByte()) == open && int(last.StartByte()) == close {
		return first.Type() == "{" && last.Type() == "}"
	}
	// The braces of a switch or a declaration list may be children of a
	// node that starts before them.
	var sawOpen bool
	for i := 0; i < count; i++ {
		c := n.Child(i)
		switch int(c.StartByte()) {
		case open:
			sawOpen = c.Type() == "{" && c.EndByte() == uint32(open+1)
		case close:
			return sawOpen && c.Type() == "}" && c.EndByte() == uint32(close+1)
		}
	}
	return false
}

// lineIndex turns byte offsets into tree-sitter points (row, byte column).
type lineIndex []int

func newLineIndex(src []byte) lineIndex {
	l := lineIndex{0}
	for i, c := range src {
		if c == '\n' {
			l = append(l, i+1)
		}
	}
	return l
}

func (l lineIndex) point(off int) sitter.Point {
	lo, hi := 0, len(l)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if l[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return sitter.Point{Row: uint32(lo), Column: uint32(off - l[lo])}
}
