package analyzer

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/flagscan/flagscan/analyzer/event"
)

// decodeRefs decodes a key's stored references, as json.Marshal wrote
// them ([{"path":..,"line":..,"code":..,"url":..},...]). A push reads
// every key of its snapshot back (stored.go), and encoding/json took a
// tenth of a 1-commit push for it: this reads that one shape directly and
// hands anything else to encoding/json, so that the result is always
// json.Unmarshal's.
func decodeRefs(raw []byte) ([]event.Reference, error) {
	if refs, ok := scanRefs(raw); ok {
		return refs, nil
	}
	var refs []event.Reference
	err := json.Unmarshal(raw, &refs)
	return refs, err
}

// scanRefs is decodeRefs' direct reading; ok is false for anything but
// the shape json.Marshal writes.
func scanRefs(raw []byte) (refs []event.Reference, ok bool) {
	d := refScanner{b: raw}
	if !d.lit("[") {
		return nil, false
	}
	if d.lit("]") {
		return []event.Reference{}, d.end()
	}
	for {
		var r event.Reference
		if !d.lit(`{"path":`) || !d.str(&r.Path) || !d.lit(`,"line":`) || !d.num(&r.Line) || !d.lit(`,"code":`) || !d.str(&r.Code) {
			return nil, false
		}
		if d.lit(`,"url":`) && !d.str(&r.URL) {
			return nil, false
		}
		if !d.lit("}") {
			return nil, false
		}
		refs = append(refs, r)
		if d.lit("]") {
			return refs, d.end()
		}
		if !d.lit(",") {
			return nil, false
		}
	}
}

type refScanner struct {
	b []byte
	i int
}

// lit consumes s if the input continues with it.
func (d *refScanner) lit(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

func (d *refScanner) end() bool { return d.i == len(d.b) }

// num reads a non-negative integer as json.Marshal writes one.
func (d *refScanner) num(n *int) bool {
	j := d.i
	for j < len(d.b) && '0' <= d.b[j] && d.b[j] <= '9' {
		j++
	}
	if j == d.i || j-d.i > 1 && d.b[d.i] == '0' {
		return false
	}
	v, err := strconv.Atoi(string(d.b[d.i:j]))
	if err != nil {
		return false
	}
	*n, d.i = v, j
	return true
}

// str reads a JSON string: its escapes, and no control character or
// invalid UTF-8 (which encoding/json would replace).
func (d *refScanner) str(s *string) bool {
	if !d.lit(`"`) {
		return false
	}
	start := d.i
	end := bytes.IndexByte(d.b[start:], '"')
	if end < 0 {
		return false
	}
	if bytes.IndexByte(d.b[start:start+end], '\\') < 0 {
		// No escape: the common case of paths and URLs.
		v := d.b[start : start+end]
		if !plain(v) {
			return false
		}
		*s, d.i = string(v), start+end+1
		return true
	}
	var out []byte
	i := start
	for i < len(d.b) {
		c := d.b[i]
		switch {
		case c == '"':
			if !utf8.Valid(out) {
				return false
			}
			*s, d.i = string(out), i+1
			return true
		case c < 0x20:
			return false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(d.b) {
			return false
		}
		switch e := d.b[i+1]; e {
		case '"', '\\', '/':
			out, i = append(out, e), i+2
		case 'b':
			out, i = append(out, '\b'), i+2
		case 'f':
			out, i = append(out, '\f'), i+2
		case 'n':
			out, i = append(out, '\n'), i+2
		case 'r':
			out, i = append(out, '\r'), i+2
		case 't':
			out, i = append(out, '\t'), i+2
		case 'u':
			r, n := hex4(d.b[i+2:])
			if n == 0 {
				return false
			}
			i += 2 + n
			if utf16.IsSurrogate(r) {
				// A pair, or encoding/json's replacement character: left
				// to it.
				if len(d.b) < i+6 || d.b[i] != '\\' || d.b[i+1] != 'u' {
					return false
				}
				r2, n2 := hex4(d.b[i+2:])
				if n2 == 0 {
					return false
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return false
				}
				i += 2 + n2
			}
			out = utf8.AppendRune(out, r)
		default:
			return false
		}
	}
	return false
}

// plain reports whether v is valid UTF-8 without control characters.
func plain(v []byte) bool {
	for _, c := range v {
		if c < 0x20 {
			return false
		}
	}
	return utf8.Valid(v)
}

// hex4 reads the four hex digits of a \u escape; n is 0 if there are none.
func hex4(b []byte) (r rune, n int) {
	if len(b) < 4 {
		return 0, 0
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 32)
	if err != nil {
		return 0, 0
	}
	return rune(v), 4
}
