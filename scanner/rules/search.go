package rules

import "bytes"

// needleSearch finds whether any of a set of needles occurs in a file, in
// few passes of bytes.IndexByte: each needle is found by its rarest byte
// (its anchor), and the needles that share an anchor are checked at each
// of its occurrences. Searching for each needle on its own meant as many
// passes, each stopping at every occurrence of the needle's first byte,
// and "lag" or "odification" start with bytes that code is full of; the
// built-in needles share two anchors, F and f.
type needleSearch []anchorGroup

type anchorGroup struct {
	anchor  byte
	needles []anchoredNeedle
}

type anchoredNeedle struct {
	needle []byte
	at     int // the anchor's offset in the needle
}

func newNeedleSearch(needles [][]byte) needleSearch {
	var s needleSearch
	for _, n := range needles {
		if len(n) == 0 {
			continue
		}
		at := 0
		for i, c := range n {
			if r, best := byteRank(c), byteRank(n[at]); r < best || r == best && c < n[at] {
				at = i
			}
		}
		s = s.add(n[at], anchoredNeedle{needle: n, at: at})
	}
	return s
}

func (s needleSearch) add(anchor byte, n anchoredNeedle) needleSearch {
	for i := range s {
		if s[i].anchor == anchor {
			s[i].needles = append(s[i].needles, n)
			return s
		}
	}
	return append(s, anchorGroup{anchor: anchor, needles: []anchoredNeedle{n}})
}

// in reports whether a needle occurs in src.
func (s needleSearch) in(src []byte) bool {
	for _, g := range s {
		for off := 0; off < len(src); {
			i := bytes.IndexByte(src[off:], g.anchor)
			if i < 0 {
				break
			}
			p := off + i
			for _, n := range g.needles {
				if start := p - n.at; start >= 0 && start+len(n.needle) <= len(src) && bytes.Equal(src[start:start+len(n.needle)], n.needle) {
					return true
				}
			}
			off = p + 1
		}
	}
	return false
}

// byteRank orders bytes by how often source code holds them, roughly: the
// rarer, the lower. Capitals are rarest in most code; among lower-case
// letters f, p, g, w, y and b are rarer than the vowels and n, r, s, t, l;
// punctuation such as : and _ is everywhere in some languages.
func byteRank(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return 20
	case bytes.IndexByte([]byte("vkxjqz"), c) >= 0:
		return 30
	case bytes.IndexByte([]byte("fpgwyb"), c) >= 0:
		return 50
	case c >= 'a' && c <= 'z':
		return 80
	}
	return 60
}
