package config

import (
	"fmt"
	"path"
	"strings"
)

// MatchGlob reports whether the slash-separated path name matches pattern.
// Both are relative to the same root (the repository's, for file paths), and
// the whole of name must match:
//
//   - a path segment "**" matches any number of segments, including none, so
//     "vendor/**" matches "vendor" and everything below it and "**/*.js"
//     matches a .js file in any directory;
//
//   - elsewhere, as in path.Match, "*" matches any run of characters but "/",
//     "?" one character but "/", "[a-z]" and "[^a-z]" one character in or not
//     in a class, and "\" escapes the character after it.
//
//   - "{a,b}" matches either alternative, as in shells and .gitignore-like
//     tools: "**/*.{py,go}" is "**/*.py" or "**/*.go".
//
// A malformed pattern (see CheckGlob) may match nothing.
func MatchGlob(pattern, name string) bool {
	for _, alt := range expandBraces(pattern) {
		if matchGlob(alt, name) {
			return true
		}
	}
	return false
}

// maxBraceAlternatives bounds what a pattern's braces expand to.
const maxBraceAlternatives = 256

// expandBraces returns the patterns that the first {a,b,...} of pattern
// (not escaped by \) expands to, each expanded in turn; a pattern without
// braces is itself. Unbalanced braces are left as they are (CheckGlob
// refuses them).
func expandBraces(pattern string) []string {
	open := -1
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			i++
		case '{':
			open = i
		}
		if open >= 0 {
			break
		}
	}
	if open < 0 {
		return []string{pattern}
	}
	depth, start := 0, open+1
	var alts []string
	for i := open; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				alts = append(alts, pattern[start:i])
				var out []string
				for _, a := range alts {
					for _, rest := range expandBraces(pattern[:open] + a + pattern[i+1:]) {
						if len(out) < maxBraceAlternatives {
							out = append(out, rest)
						}
					}
				}
				return out
			}
		case ',':
			if depth == 1 {
				alts = append(alts, pattern[start:i])
				start = i + 1
			}
		}
	}
	return []string{pattern}
}

func matchGlob(pattern, name string) bool {
	// p and n index the start of the current segment of pattern and name; a
	// value past the end means every segment has been matched. starP and starN
	// remember where matching resumes when the last "**" seen has to absorb
	// one more segment of name.
	p, n := 0, 0
	starP, starN := -1, -1
	for {
		if p <= len(pattern) {
			pseg, pnext := segment(pattern, p)
			if pseg == "**" {
				p, starP, starN = pnext, pnext, n
				continue
			}
			if n <= len(name) {
				nseg, nnext := segment(name, n)
				if ok, err := path.Match(pseg, nseg); ok && err == nil {
					p, n = pnext, nnext
					continue
				}
			}
		} else if n > len(name) {
			return true
		}
		if starP < 0 || starN > len(name) {
			return false
		}
		_, starN = segment(name, starN)
		p, n = starP, starN
	}
}

// segment returns the segment of the slash-separated s that starts at i, and
// the start of the next one, len(s)+1 if there is none.
func segment(s string, i int) (seg string, next int) {
	if j := strings.IndexByte(s[i:], '/'); j >= 0 {
		return s[i : i+j], i + j + 1
	}
	return s[i:], len(s) + 1
}

// CheckGlob reports what is wrong with pattern as a MatchGlob pattern, or
// returns nil. Beyond path.Match's syntax (and braces), it refuses patterns that
// MatchGlob would accept but that surely mean something else: an absolute or
// empty pattern, an empty segment ("a//b", "vendor/"), "**" inside a
// segment ("a**"), and "[!...]" (write "[^...]").
func CheckGlob(pattern string) error {
	switch {
	case strings.TrimSpace(pattern) == "":
		return fmt.Errorf("pattern is empty")
	case strings.HasPrefix(pattern, "/"):
		return fmt.Errorf("%q: patterns are relative to the root: remove the leading /", pattern)
	case strings.HasSuffix(pattern, "/"):
		return fmt.Errorf("%q: to match a directory and what it holds, write %q", pattern, pattern+"**")
	case strings.Count(pattern, "{")-strings.Count(pattern, "\\{") != strings.Count(pattern, "}")-strings.Count(pattern, "\\}"):
		return fmt.Errorf("%q has unbalanced braces: write {a,b} for either a or b", pattern)
	}
	for _, alt := range expandBraces(pattern) {
		if err := checkAlternative(pattern, alt); err != nil {
			return err
		}
	}
	return nil
}

func checkAlternative(pattern, alt string) error {
	for p := 0; p <= len(alt); {
		var seg string
		seg, p = segment(alt, p)
		switch {
		case seg == "":
			return fmt.Errorf("%q has an empty path segment", pattern)
		case seg != "**" && strings.Contains(seg, "**"):
			return fmt.Errorf("%q: ** must be a whole path segment, as in a/**/b or **/*.js", pattern)
		case strings.Contains(seg, "[!"):
			return fmt.Errorf("%q: a negated class is written [^...], not [!...]", pattern)
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("%q is malformed: an unclosed [ or a trailing \\", pattern)
		}
	}
	return nil
}
