package resolve

import (
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
}

// typeUse resolves a constant named through its type (FlagKeys.CHECKOUT,
// Flags::CHECKOUT) or imported by itself (Java's import static, Kotlin's
// import of a top-level const, C#'s using static), in Java, Kotlin, C#,
// Swift and PHP. The type is found through the file's imports where they
// name it, else by its name: the files named after it (Java's rule, and
// the others' convention), then the files of the same directory (the same
// package). Two definitions that disagree resolve nothing.
func (w *walk) typeUse(p, lang string, imports []syntax.Import, names []string, depth int) result {
	if depth > maxDepth || len(names) == 0 {
		return result{}
	}
	member := names[len(names)-1]
	owner := typeOwner(names[:len(names)-1])
	qualifier := "" // the package or namespace an import names the type in
	for _, im := range imports {
		if im.Local != names[0] {
			continue
		}
		from := strings.ReplaceAll(im.From, `\`, ".")
		from = strings.TrimPrefix(from, ".")
		if im.Name != "" && len(names) == 1 {
			// import static a.b.Keys.CHECKOUT: member of Keys.
			qualifier, owner = packageOf(from), []string{lastSegment(from)}
			member = im.Name
		} else {
			// import a.b.Keys (as K): K.CHECKOUT is Keys.CHECKOUT.
			qualifier = packageOf(from)
			owner = append([]string{lastSegment(from)}, owner[1:]...)
			if len(names) == 1 {
				// Kotlin: import a.b.CHECKOUT of a top-level const.
				owner, member = nil, lastSegment(from)
			}
		}
		break
	}
	if len(owner) == 0 && len(names) > 1 {
		return result{}
	}
	var candidates []string
	if len(owner) > 0 {
		candidates = w.typeFiles(p, lang, owner[0], qualifier)
	}
	if len(candidates) == 0 {
		dir := dirOf(p)
		if qualifier != "" {
			if d := w.packageDir(p, lang, qualifier); d != "" {
				dir = d
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
		if c == p && len(owner) == 0 {
			continue // the file itself said it does not bind the name
		}
		res = join(res, w.typeMember(c, lang, owner, member, depth+1))
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
	if depth > maxDepth || !w.visit(p, append(append([]string{}, owner...), member)) {
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

// typeFiles returns the files that may declare the type: those named
// after it, the one under the qualifier's directories first when an
// import names it.
func (w *walk) typeFiles(from, lang, typ, qualifier string) []string {
	var all []string
	for _, ext := range typeExtensions[lang] {
		all = append(all, w.r.tree.ByName(typ+ext)...)
	}
	if len(all) <= 1 {
		return all
	}
	var narrowed []string
	if qualifier != "" {
		suffix := "/" + strings.ReplaceAll(qualifier, ".", "/") + "/"
		for _, p := range all {
			if strings.Contains("/"+p, suffix) {
				narrowed = append(narrowed, p)
			}
		}
	} else {
		// No import: the same package, that is the same directory.
		for _, p := range all {
			if dirOf(p) == dirOf(from) {
				narrowed = append(narrowed, p)
			}
		}
	}
	if len(narrowed) > 0 {
		return narrowed
	}
	return all
}

// packageDir returns a directory whose path ends with the qualifier's
// (a.b.c is .../a/b/c), "" when none is known.
func (w *walk) packageDir(from, lang, qualifier string) string {
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
