package source

import (
	"bytes"
	"strings"
)

// This file is a small gitignore engine that follows git's dir.c and
// wildmatch.c rather than go-git's plumbing/format/gitignore, which differs
// from git where it matters for us: it hands "[!...]" classes to
// filepath.Match (where '!' is not negation, so the class is inverted), it
// lets "dir/**" exclude dir itself (so "!dir/keep" can never re-include
// anything), and its "**" handling is a subset of git's.

// ignorePattern is one line of a .gitignore or info/exclude file.
type ignorePattern struct {
	glob     string // with "!" prefix, trailing "/" and, for path patterns, leading "/" removed
	negate   bool   // "!pattern": re-include what an earlier pattern excluded
	dirOnly  bool   // "pattern/": matches directories only
	basename bool   // no "/" inside: matched against the last path component, at any depth
	literal  bool   // no wildcard at all: a plain comparison will do
}

// patternList holds the patterns of one file, in file order.
type patternList struct {
	base     string // directory the patterns are relative to: slash-separated, "" for the top
	patterns []ignorePattern
}

// parseIgnore parses the content of a gitignore-style file whose patterns
// are relative to base.
func parseIgnore(data []byte, base string) *patternList {
	l := &patternList{base: base}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // git skips a UTF-8 BOM
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if p, ok := parsePattern(trimTrailingSpaces(string(line))); ok {
			l.patterns = append(l.patterns, p)
		}
	}
	return l
}

// trimTrailingSpaces drops unescaped trailing spaces, as git does; "\ "
// keeps a space. Tabs are not trimmed.
func trimTrailingSpaces(s string) string {
	lastSpace := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if lastSpace < 0 {
				lastSpace = i
			}
		case '\\':
			i++
			if i == len(s) {
				return s
			}
			lastSpace = -1
		default:
			lastSpace = -1
		}
	}
	if lastSpace >= 0 {
		return s[:lastSpace]
	}
	return s
}

func parsePattern(s string) (ignorePattern, bool) {
	var p ignorePattern
	if strings.HasPrefix(s, "!") {
		p.negate = true
		s = s[1:]
	}
	if strings.HasSuffix(s, "/") {
		p.dirOnly = true
		s = s[:len(s)-1]
	}
	if s == "" {
		return p, false
	}
	if strings.Contains(s, "/") {
		// A slash anywhere but at the end anchors the pattern to the
		// directory of its file; a leading one only says so explicitly.
		s = strings.TrimPrefix(s, "/")
	} else {
		p.basename = true
	}
	p.glob = s
	p.literal = !strings.ContainsAny(s, `*?[\`)
	return p, true
}

// match reports whether path (slash-separated, relative to the top) is
// excluded by the last pattern of l that matches it; matched is false when
// none does, so the decision falls to a list of lower priority.
func (l *patternList) match(path string, isDir bool) (excluded, matched bool) {
	rel := path
	if b := l.base; b != "" {
		if len(path) <= len(b) || path[len(b)] != '/' || path[:len(b)] != b {
			return false, false
		}
		rel = path[len(b)+1:]
	}
	name := rel[strings.LastIndexByte(rel, '/')+1:]
	for i := len(l.patterns) - 1; i >= 0; i-- {
		p := &l.patterns[i]
		if p.dirOnly && !isDir {
			continue
		}
		subject := rel
		if p.basename {
			subject = name
		}
		var ok bool
		if p.literal {
			ok = p.glob == subject
		} else {
			ok = wildmatch(p.glob, subject)
		}
		if ok {
			return !p.negate, true
		}
	}
	return false, false
}

// ignoreStack is the set of pattern lists in force for a directory, from
// lowest priority (info/exclude, then the top .gitignore) to highest (the
// .gitignore of the deepest directory).
type ignoreStack []*patternList

// excluded reports whether git would ignore path. The deepest list with a
// matching pattern decides, which is how a nested "!pattern" can re-include
// what a parent .gitignore excluded. Callers must not ask about paths inside
// an excluded directory: git never looks there, and neither do we.
func (s ignoreStack) excluded(path string, isDir bool) bool {
	for i := len(s) - 1; i >= 0; i-- {
		if ex, ok := s[i].match(path, isDir); ok {
			return ex
		}
	}
	return false
}

// Results of dowild, as in git's wildmatch.c. The two abort values let an
// outer '*' stop trying further positions once success has become impossible.
const (
	wmMatch = iota
	wmNoMatch
	wmAbortAll
	wmAbortToStarStar
)

// wildmatch reports whether text matches the glob pattern with git's
// WM_PATHNAME rules: '*', '?' and bracket classes never match '/', while
// "**" as a whole path component matches any number of directories.
func wildmatch(pattern, text string) bool {
	return dowild(pattern, text) == wmMatch
}

// dowild is a port of dowild() from git's wildmatch.c (WM_PATHNAME set,
// WM_CASEFOLD not); keeping its shape makes it checkable against the C.
func dowild(p, text string) int {
	ti := 0
	for pi := 0; pi < len(p); pi, ti = pi+1, ti+1 {
		pc := p[pi]
		if ti >= len(text) && pc != '*' {
			return wmAbortAll
		}
		var tc byte
		if ti < len(text) {
			tc = text[ti]
		}
		switch pc {
		case '\\':
			// Literal match with the next pattern character.
			pi++
			if pi >= len(p) || tc != p[pi] {
				return wmNoMatch
			}
		case '?':
			if tc == '/' {
				return wmNoMatch
			}
		case '*':
			matchSlash := false
			pi++
			if pi < len(p) && p[pi] == '*' {
				prev := pi - 2 // the character before the first '*'
				for pi < len(p) && p[pi] == '*' {
					pi++
				}
				if (prev < 0 || p[prev] == '/') &&
					(pi == len(p) || p[pi] == '/' || (p[pi] == '\\' && pi+1 < len(p) && p[pi+1] == '/')) {
					// "**/" may match no directory at all: try the
					// rest of the pattern right here first.
					if pi < len(p) && p[pi] == '/' && dowild(p[pi+1:], text[ti:]) == wmMatch {
						return wmMatch
					}
					matchSlash = true
				}
				// Any other "**" is an ordinary '*'.
			}
			if pi == len(p) {
				// A trailing "**" matches everything; a trailing '*'
				// only what is left of the current component.
				if !matchSlash && strings.IndexByte(text[ti:], '/') >= 0 {
					return wmNoMatch
				}
				return wmMatch
			}
			if !matchSlash && p[pi] == '/' {
				// "*/" matches exactly one directory name.
				slash := strings.IndexByte(text[ti:], '/')
				if slash < 0 {
					return wmNoMatch
				}
				ti += slash // the loop steps over both slashes
				continue
			}
			for ti < len(text) {
				tc = text[ti]
				if !isGlobSpecial(p[pi]) {
					// Skip ahead to the next occurrence of the literal
					// that follows the star; nothing before it can
					// start a match.
					lit := p[pi]
					for ti < len(text) && (matchSlash || text[ti] != '/') && text[ti] != lit {
						ti++
					}
					if ti >= len(text) || text[ti] != lit {
						return wmNoMatch
					}
					tc = text[ti]
				}
				if m := dowild(p[pi:], text[ti:]); m != wmNoMatch {
					if !matchSlash || m != wmAbortToStarStar {
						return m
					}
				} else if !matchSlash && tc == '/' {
					return wmAbortToStarStar
				}
				ti++
			}
			return wmAbortAll
		case '[':
			pi++
			if pi >= len(p) {
				return wmAbortAll
			}
			pc = p[pi]
			if pc == '^' {
				pc = '!'
			}
			negated := pc == '!'
			if negated {
				pi++
				if pi >= len(p) {
					return wmAbortAll
				}
				pc = p[pi]
			}
			var prev byte
			matched := false
			for {
				switch {
				case pc == '\\':
					pi++
					if pi >= len(p) {
						return wmAbortAll
					}
					pc = p[pi]
					if tc == pc {
						matched = true
					}
				case pc == '-' && prev != 0 && pi+1 < len(p) && p[pi+1] != ']':
					pi++
					pc = p[pi]
					if pc == '\\' {
						pi++
						if pi >= len(p) {
							return wmAbortAll
						}
						pc = p[pi]
					}
					if tc <= pc && tc >= prev {
						matched = true
					}
					pc = 0 // a range cannot start another range
				case pc == '[' && pi+1 < len(p) && p[pi+1] == ':':
					start := pi + 2
					end := start
					for end < len(p) && p[end] != ']' {
						end++
					}
					if end >= len(p) {
						return wmAbortAll
					}
					if end-start-1 < 0 || p[end-1] != ':' {
						// No ":]": the '[' is an ordinary member.
						pc = '['
						if tc == pc {
							matched = true
						}
						break
					}
					in, ok := inClass(p[start:end-1], tc)
					if !ok {
						return wmAbortAll // malformed [:class:]
					}
					if in {
						matched = true
					}
					pi = end
					pc = 0
				default:
					if tc == pc {
						matched = true
					}
				}
				prev = pc
				pi++
				if pi >= len(p) {
					return wmAbortAll
				}
				pc = p[pi]
				if pc == ']' {
					break
				}
			}
			if matched == negated || tc == '/' {
				return wmNoMatch
			}
		default:
			if tc != pc {
				return wmNoMatch
			}
		}
	}
	if ti < len(text) {
		return wmNoMatch
	}
	return wmMatch
}

func isGlobSpecial(c byte) bool {
	return c == '*' || c == '?' || c == '[' || c == '\\'
}

// inClass reports whether c belongs to the POSIX class name (ASCII only, as
// in git); ok is false for an unknown class name.
func inClass(name string, c byte) (in, ok bool) {
	isUpper := 'A' <= c && c <= 'Z'
	isLower := 'a' <= c && c <= 'z'
	isDigit := '0' <= c && c <= '9'
	isPrint := 0x20 <= c && c < 0x7f
	isSpace := c == ' ' || c == '\t' || c == '\n' || c == '\r'
	switch name {
	case "alnum":
		return isUpper || isLower || isDigit, true
	case "alpha":
		return isUpper || isLower, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return isDigit, true
	case "graph":
		return isPrint && c != ' ', true
	case "lower":
		return isLower, true
	case "print":
		return isPrint, true
	case "punct":
		return isPrint && c != ' ' && !isUpper && !isLower && !isDigit, true
	case "space":
		return isSpace, true
	case "upper":
		return isUpper, true
	case "xdigit":
		return isDigit || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F'), true
	}
	return false, false
}
