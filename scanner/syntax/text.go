package syntax

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxText bounds Expr.Text, so that a megabyte-long literal does not travel
// through the pipeline to end up in a report nobody reads.
const MaxText = 200

// Clip returns s cut to at most MaxText bytes, on a character boundary.
func Clip(s string) string {
	if len(s) <= MaxText {
		return s
	}
	cut := MaxText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Column returns the 1-based character column of the byte at offset in src.
func Column(src []byte, offset int) int {
	if offset > len(src) {
		offset = len(src)
	}
	start := bytes.LastIndexByte(src[:offset], '\n') + 1
	return utf8.RuneCount(src[start:offset]) + 1
}

// PosAt returns the position of the byte at offset, counting lines from
// the start of src. Extractors that already know the line use Column.
func PosAt(src []byte, offset int) Pos {
	if offset > len(src) {
		offset = len(src)
	}
	return Pos{Line: bytes.Count(src[:offset], []byte{'\n'}) + 1, Column: Column(src, offset)}
}

// Unescape decodes the backslash escapes common to C-family string
// literals (\n \t \r \0 \\ \" \' \xHH \uHHHH \u{H...} \UHHHHHHHH). An
// escape it does not know is kept as written: a flag key with one is
// exotic, and keeping the text is closer to it than dropping it.
func Unescape(body string) string {
	if !strings.Contains(body, `\`) {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 == len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := body[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\', '"', '\'', '`', '$', '/':
			b.WriteByte(e)
		case 'x', 'u', 'U':
			n, width := hexEscape(body[i:])
			if width == 0 {
				b.WriteByte('\\')
				b.WriteByte(e)
				continue
			}
			b.WriteRune(rune(n))
			i += width - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

// hexEscape decodes the escape starting at s[0] ('x', 'u' or 'U') and
// returns its value and the number of bytes it spans, 0 if malformed.
func hexEscape(s string) (uint64, int) {
	digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[0]]
	if s[0] == 'u' && len(s) > 1 && s[1] == '{' {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return 0, 0
		}
		n, err := strconv.ParseUint(s[2:end], 16, 32)
		if err != nil {
			return 0, 0
		}
		return n, end + 1
	}
	if len(s) < 1+digits {
		return 0, 0
	}
	n, err := strconv.ParseUint(s[1:1+digits], 16, 32)
	if err != nil || n > utf8.MaxRune {
		return 0, 0
	}
	return n, 1 + digits
}
