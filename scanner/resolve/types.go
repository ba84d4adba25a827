package resolve

import (
	"bytes"
	"path"
	"strings"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// typeExtensions are the file extensions of each language whose constants
// live in types (classes, objects, enums, structs).
var typeExtensions = map[string][]string{
	"java":   {".java"},
	"kotlin": {".kt", ".kts"},
	"csharp": {".cs"},
	"swift":  {".swift"},
	"php":    {".php"},
	"dart":   {".dart"},
}

// typeUse resolves a constant named through its type (FlagKeys.CHECKOUT,
// Flags::CHECKOUT) or imported by itself (Java's import static, Kotlin's
// import of a top-level const, C#'s using static), in Java, Kotlin, C#,
// Swift and PHP. The type is found through the file's imports where they
// name it, else by its name: the files named after it (Java's rule, and
// the others' convention), then the files of the same directory (the same
// package). Two definitions that disagree resolve nothing.
func (w *walk) typeUse(p, lang string, imports []syntax.Import, names []string, depth int) result {
	if depth > MaxDepth || len(names) == 0 {
		return result{}
	}
	// The first place that defines the name wins, as Java's scoping
	// has it: a single-type import, the package, the wildcard imports,
	// then, for languages without imports, the type's name anywhere.
	for _, l := range typeLookups(imports, names) {
		if r := w.typeLookup(p, lang, l, depth); r.ok || r.ambiguous {
			return r
		}
	}
	return result{}
}

// lookup is one place a constant may be: member of the type owner (nil
// for a constant outside any type), in the package or namespace
// qualifier ("" for the file's own, or wherever the type's file is).
type lookup struct {
	owner     []string
	member    string
	qualifier string
	anywhere  bool // the type's files wherever they are, not only the package's
}

// typeLookups returns where the names may be defined: where an import of
// their head says, else in the file's package or by the type's name, and
// in each package a wildcard import opens.
func typeLookups(imports []syntax.Import, names []string) []lookup {
	member := names[len(names)-1]
	for _, im := range imports {
		if im.Local != names[0] {
			continue
		}
		from := strings.TrimPrefix(strings.ReplaceAll(im.From, `\`, "."), ".")
		switch {
		case im.Name != "" && len(names) == 1:
			// import static a.b.Keys.KEY: member KEY of Keys.
			return []lookup{{owner: []string{lastSegment(from)}, member: im.Name, qualifier: packageOf(from)}}
		case len(names) == 1:
			// Kotlin's import a.b.KEY of a top-level constant.
			return []lookup{{member: lastSegment(from), qualifier: packageOf(from)}}
		}
		// import a.b.Keys (as K): K.KEY is Keys.KEY.
		owner := append([]string{lastSegment(from)}, typeOwner(names[1:len(names)-1])...)
		return []lookup{{owner: owner, member: member, qualifier: packageOf(from)}}
	}
	owner := typeOwner(names[:len(names)-1])
	if len(names) > 1 && len(owner) == 0 {
		return nil
	}
	// com.acme.flags.Keys.KEY: the names before the type are its package.
	qualifier := strings.Join(names[:len(names)-1-len(owner)], ".")
	out := []lookup{{owner: owner, member: member, qualifier: qualifier}}
	for _, im := range imports {
		if im.Local != "*" || qualifier != "" {
			continue
		}
		from := strings.TrimPrefix(strings.ReplaceAll(im.From, `\`, "."), ".")
		switch {
		case im.Name == "*" && len(names) == 1:
			// import static a.b.Keys.*, using static A.B.Keys.
			out = append(out, lookup{owner: []string{lastSegment(from)}, member: member, qualifier: packageOf(from)})
		case im.Name == "" && len(names) > 1:
			// import a.b.*, using A.B.
			out = append(out, lookup{owner: owner, member: member, qualifier: from})
		}
	}
	if len(owner) > 0 && qualifier == "" {
		out = append(out, lookup{owner: owner, member: member, anywhere: true})
	}
	return out
}

// typeLookup resolves one lookup: in the files named after the type,
// else in the files of the qualifier's directory or the file's own.
func (w *walk) typeLookup(p, lang string, l lookup, depth int) result {
	var candidates []string
	if len(l.owner) > 0 {
		candidates = w.typeFiles(p, lang, l.owner[0], l.qualifier, l.anywhere)
		if len(candidates) == 0 && l.qualifier != "" {
			// A namespace need not be a directory (C#, PHP's PSR-4
			// prefixes): the type's files that declare the qualifier.
			candidates = w.inPackage(w.typeFiles(p, lang, l.owner[0], "", true), l.qualifier)
			if len(candidates) == 0 && lang != "java" {
				candidates = w.inPackage(w.r.declaring(w, lang, l.owner[0]), l.qualifier)
			}
		}
		if len(candidates) == 0 && l.anywhere && lang != "java" {
			// Outside Java a type need not live in a file of its name.
			candidates = w.r.declaring(w, lang, l.owner[0])
		}
	}
	if len(candidates) == 0 && !l.anywhere {
		dir := dirOf(p)
		if l.qualifier != "" {
			if dir = w.packageDir(p, l.qualifier); dir == "" {
				return result{}
			}
		}
		for _, base := range w.r.tree.Dir(dir) {
			if hasExt(base, typeExtensions[lang]) {
				candidates = append(candidates, path.Join(dir, base))
			}
		}
	}
	var res result
	for _, c := range candidates {
		if c == p && len(l.owner) == 0 {
			continue // the file itself said it does not bind the name
		}
		res = join(res, w.typeMember(c, lang, l.owner, l.member, depth+1))
		if res.ambiguous {
			return result{}
		}
	}
	return res
}

// typeMember resolves the constant member of the type owner (nil: a
// constant of the file, PHP's define or Kotlin's top-level const) in the
// file p.
func (w *walk) typeMember(p, lang string, owner []string, member string, depth int) result {
	if depth > MaxDepth || !w.visit(p, append(append([]string{}, owner...), member)) {
		return result{}
	}
	f := w.file(p)
	if f == nil {
		return result{}
	}
	var res result
	for _, b := range f.Bindings {
		if b.Name != member || b.Scope != 0 || !ownerMatches(b.Owner, owner) || b.Param {
			continue
		}
		if !b.Const {
			return result{} // a field that may change holds no one key
		}
		r := w.value(p, b.Value, nil, depth, func(n []string, d int) result {
			if len(n) == 1 && len(b.Owner) > 0 {
				// A constant defined as another of its own type.
				if r := w.typeMember(p, lang, b.Owner, n[0], d); r.ok {
					return r
				}
			}
			return w.typeUse(p, lang, f.Imports, n, d)
		})
		res = join(res, r)
		if res.ambiguous {
			return result{}
		}
	}
	return res
}

// ownerMatches reports whether a binding's owner is the type a chain
// names: the same innermost types (Outer.Inner.KEY may be written
// Inner.KEY inside Outer's file).
func ownerMatches(have, want []string) bool {
	if len(want) == 0 {
		return len(have) == 0
	}
	if len(have) < len(want) {
		return false
	}
	tail := have[len(have)-len(want):]
	for i := range want {
		if tail[i] != want[i] {
			return false
		}
	}
	return true
}

// typeOwner returns the type part of a qualified name: the names from
// the first that starts with an upper-case letter (com.x.FlagKeys is
// FlagKeys; Keys.Group is Keys.Group).
func typeOwner(names []string) []string {
	for i, n := range names {
		if isTypeName(n) {
			return names[i:]
		}
	}
	return names
}

func isTypeName(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// typeFiles returns the files named after the type: those under the
// qualifier's directories when it is set, else those of the file's own
// directory (its package), or all of them when anywhere is set.
func (w *walk) typeFiles(from, lang, typ, qualifier string, anywhere bool) []string {
	var all []string
	for _, ext := range typeExtensions[lang] {
		all = append(all, w.r.tree.ByName(typ+ext)...)
	}
	if anywhere {
		return all
	}
	var narrowed []string
	suffix := "/" + strings.ReplaceAll(qualifier, ".", "/") + "/"
	for _, p := range all {
		if qualifier != "" && strings.Contains("/"+p, suffix) || qualifier == "" && dirOf(p) == dirOf(from) {
			narrowed = append(narrowed, p)
		}
	}
	return narrowed
}

// inPackage returns the files that declare the package or namespace.
func (w *walk) inPackage(files []string, qualifier string) []string {
	var out []string
	for _, p := range files {
		if f := w.file(p); f != nil && strings.ReplaceAll(f.Package, `\`, ".") == qualifier {
			out = append(out, p)
		}
	}
	return out
}

// packageDir returns a directory whose path ends with the qualifier's
// (a.b.c is .../a/b/c), "" when none is known.
func (w *walk) packageDir(from, qualifier string) string {
	rel := strings.ReplaceAll(qualifier, ".", "/")
	for dir := dirOf(from); ; dir = dirOf(dir) {
		if d := path.Join(dir, rel); len(w.r.tree.Dir(d)) > 0 {
			return d
		}
		if dir == "" {
			return ""
		}
	}
}

func packageOf(qualified string) string {
	if i := strings.LastIndexByte(qualified, '.'); i >= 0 {
		return qualified[:i]
	}
	return ""
}

func lastSegment(qualified string) string {
	return qualified[strings.LastIndexByte(qualified, '.')+1:]
}

func hasExt(name string, exts []string) bool {
	for _, e := range exts {
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}

// typeKeywords are the words that declare a type, per language, for the
// search of a type's file by its content.
var typeKeywords = map[string][]string{
	"kotlin": {"object ", "class ", "interface "},
	"csharp": {"class ", "struct ", "interface ", "record "},
	"swift":  {"enum ", "struct ", "class ", "extension ", "protocol "},
	"php":    {"class ", "interface ", "enum ", "trait "},
}

// declaring returns the files of the language whose text declares the
// type (class Keys, object Keys...), each read once per type and
// resolver: the fallback when no file is named after it.
func (r *Resolver) declaring(w *walk, lang, typ string) []string {
	k := lang + "\x00" + typ
	r.mu.Lock()
	out, ok := r.declared[k]
	r.mu.Unlock()
	if ok {
		return out
	}
	var needles [][]byte
	for _, kw := range typeKeywords[lang] {
		needles = append(needles, []byte(kw+typ))
	}
	for _, p := range r.tree.Paths(typeExtensions[lang]) {
		src := r.tree.Read(w.ctx, p)
		for _, n := range needles {
			if i := bytes.Index(src, n); i >= 0 && !isWordByte(src, i+len(n)) {
				out = append(out, p)
				break
			}
		}
	}
	r.mu.Lock()
	r.declared[k] = out
	r.mu.Unlock()
	return out
}

// isWordByte reports whether src[i] continues a name.
func isWordByte(src []byte, i int) bool {
	if i >= len(src) {
		return false
	}
	c := src[i]
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
