package rules

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// Annotation markers: `fe:flag: <key>, <default-or-type>` (current form)
// and `fs:flag:<key>` (older form, key only).
const (
	markerCurrent = "fe:flag:"
	markerOlder   = "fs:flag:"
)

// annotationTypes are the words an annotation may give instead of a
// default value, with the type each stands for.
var annotationTypes = map[string]string{
	"string": "string", "str": "string",
	"number": "number", "int": "number", "float": "number", "double": "number",
	"boolean": "boolean", "bool": "boolean",
	"json": "json", "object": "json", "array": "json",
}

// annotations records the flags declared in comments. An annotation on the
// line of, or directly above, a call already reported for the same key
// does not add a second reference.
func (m *matcher) annotations() {
	callLines := make(map[string][]int)
	for _, r := range m.refs {
		callLines[r.Key] = append(callLines[r.Key], r.Pos.Line)
	}
	for _, c := range m.file.Comments {
		lastLine := c.Pos.Line + strings.Count(c.Text, "\n")
		for _, marker := range []string{markerCurrent, markerOlder} {
			text := c.Text
			base := 0
			for {
				i := strings.Index(text, marker)
				if i < 0 {
					break
				}
				at := base + i + len(marker)
				r, ok := parseAnnotation(c.Text[at:], marker == markerCurrent)
				base = at
				text = c.Text[at:]
				if !ok {
					continue
				}
				r.Pos = offsetPos(c, at+r.Pos.Column) // Column holds the key's offset after the marker
				if annotatesCall(callLines[r.Key], r.Pos.Line, lastLine) {
					continue
				}
				m.refs = append(m.refs, r)
			}
		}
	}
}

func annotatesCall(lines []int, first, last int) bool {
	for _, l := range lines {
		if l >= first && l <= last+1 {
			return true
		}
	}
	return false
}

// parseAnnotation reads `<key>[, <default-or-type>]` from the text after a
// marker. The returned Reference has Pos.Column set to the key's byte
// offset in s, for the caller to turn into a position.
func parseAnnotation(s string, withDefault bool) (Reference, bool) {
	if nl := strings.IndexByte(s, '\n'); nl >= 0 {
		s = s[:nl]
	}
	start := len(s) - len(strings.TrimLeft(s, " \t"))
	end := start
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_-.:/", r)) {
			break
		}
		end += size
	}
	key := strings.TrimRight(s[start:end], ".:/-")
	if key == "" {
		return Reference{}, false
	}
	r := Reference{Key: key, Rule: ruleAnnotation, Pos: syntax.Pos{Column: start}}
	if !withDefault {
		return r, true
	}
	rest := strings.TrimSpace(s[start+len(key):])
	if !strings.HasPrefix(rest, ",") {
		return r, true
	}
	rest = strings.TrimSpace(rest[1:])
	for _, closer := range []string{"*/", "-->", "*)", "%>", "?>"} {
		rest = strings.TrimSpace(strings.TrimSuffix(rest, closer))
	}
	if rest == "" {
		return r, true
	}
	if t, ok := annotationTypes[strings.ToLower(rest)]; ok {
		r.Type = t
		return r, true
	}
	r.Default = rest
	r.Type = literalType(rest)
	return r, true
}

// literalType classifies a default value written in an annotation.
func literalType(s string) string {
	switch {
	case strings.EqualFold(s, "true") || strings.EqualFold(s, "false") || s == "YES" || s == "NO":
		// True/False in Visual Basic, YES/NO in Objective-C.
		return "boolean"
	case strings.HasPrefix(s, `"`) || strings.HasPrefix(s, `'`) || strings.HasPrefix(s, `@"`):
		return "string"
	case strings.HasPrefix(s, "{") || strings.HasPrefix(s, "["):
		return "json"
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return "number"
	}
	return "unknown"
}

// offsetPos returns the position of byte offset off within comment c.
func offsetPos(c syntax.Comment, off int) syntax.Pos {
	before := c.Text[:off]
	nl := strings.LastIndexByte(before, '\n')
	if nl < 0 {
		return syntax.Pos{Line: c.Pos.Line, Column: c.Pos.Column + utf8.RuneCountInString(before)}
	}
	return syntax.Pos{Line: c.Pos.Line + strings.Count(before, "\n"), Column: utf8.RuneCountInString(before[nl+1:]) + 1}
}
