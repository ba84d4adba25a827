package resolve

import (
	"path"
	"slices"
	"strings"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// pyUse resolves names used in the Python file at p through what it
// imports: from m import X, import a.b as m, import a.b, relative
// imports. A module that is not a file of the tree (the standard
// library, a package) resolves nothing.
func (w *walk) pyUse(p string, imports []syntax.Import, names []string, depth int) result {
	if depth > MaxDepth || len(names) == 0 {
		return result{}
	}
	// The longest import that names a prefix of the chain: import a.b
	// binds a.b, and a.b.KEY is KEY of a.b.
	best, bestLen := -1, 0
	for i, im := range imports {
		local := strings.Split(im.Local, ".")
		if len(local) <= len(names) && slices.Equal(local, names[:len(local)]) && len(local) > bestLen {
			best, bestLen = i, len(local)
		}
	}
	if best < 0 {
		// from m import *: every public name of m.
		var res result
		for _, im := range imports {
			if im.Local != "*" {
				continue
			}
			if mod := w.pyModule(p, im.From); mod != "" {
				res = join(res, w.pyAttr(mod, names, depth+1))
			}
		}
		if res.ambiguous || strings.HasPrefix(names[0], "_") {
			return result{}
		}
		return res
	}
	im, rest := imports[best], names[bestLen:]
	if im.Name == "" {
		mod := w.pyModule(p, im.From)
		if mod == "" || len(rest) == 0 {
			return result{}
		}
		return w.pyAttr(mod, rest, depth+1)
	}
	if mod := w.pyModule(p, im.From); mod != "" {
		if r := w.pyAttr(mod, append([]string{im.Name}, rest...), depth+1); r.ok || r.ambiguous {
			return r
		}
	}
	// from pkg import flags: a submodule, with or without __init__.py.
	sub := im.From + "." + im.Name
	if strings.HasSuffix(im.From, ".") {
		sub = im.From + im.Name
	}
	if mod := w.pyModule(p, sub); mod != "" && len(rest) > 0 {
		return w.pyAttr(mod, rest, depth+1)
	}
	return result{}
}

// pyAttr resolves names as attributes of the module file p: a
// module-level constant, a class attribute (an Enum member, with or
// without .value), a name the module imports (an __init__.py that
// re-exports), or a submodule of a package.
func (w *walk) pyAttr(p string, names []string, depth int) result {
	if depth > MaxDepth || !w.visit(p, names) {
		return result{}
	}
	f := w.file(p)
	if f == nil {
		return result{}
	}
	local := func(n []string, d int) result { return w.pyAttr(p, n, d) }
	if b, ok := topBinding(f, names[0], nil); ok {
		return w.value(p, b.Value, names[1:], depth, local)
	}
	if len(names) >= 2 {
		// Class.ATTR, Enum.MEMBER.value
		owner := []string{names[0]}
		if b, ok := topBinding(f, names[1], owner); ok {
			rest := names[2:]
			if len(rest) == 1 && rest[0] == "value" {
				rest = nil
			}
			return w.value(p, b.Value, rest, depth, local)
		}
	}
	if r := w.pyUse(p, f.Imports, names, depth); r.ok {
		return r
	}
	if path.Base(p) == "__init__.py" && len(names) >= 2 {
		if sub := w.pyFile(path.Join(dirOf(p), names[0])); sub != "" {
			return w.pyAttr(sub, names[1:], depth+1)
		}
	}
	return result{}
}

// pyModule returns the file of a module named from the file at from:
// relative (.m, ..m) from its package, absolute from the root of the
// tree, from a src directory, or from any directory above the file (the
// layouts a repository puts on its import path).
func (w *walk) pyModule(from, mod string) string {
	if strings.HasPrefix(mod, ".") {
		dots := len(mod) - len(strings.TrimLeft(mod, "."))
		dir := dirOf(from)
		for i := 1; i < dots; i++ {
			if dir == "" {
				return ""
			}
			dir = dirOf(dir)
		}
		rest := strings.ReplaceAll(mod[dots:], ".", "/")
		if rest == "" {
			return w.pyFile(dir)
		}
		return w.pyFile(path.Join(dir, rest))
	}
	rel := strings.ReplaceAll(mod, ".", "/")
	for dir := dirOf(from); ; dir = dirOf(dir) {
		if f := w.pyFile(path.Join(dir, rel)); f != "" {
			return f
		}
		if f := w.pyFile(path.Join(dir, "src", rel)); dir == "" && f != "" {
			return f
		}
		if dir == "" {
			return ""
		}
	}
}

// pyFile returns the file of the module at path p (no extension): p.py,
// or p/__init__.py for a package; "" when neither is in the tree.
func (w *walk) pyFile(p string) string {
	if p != "" && w.r.tree.Has(p+".py") {
		return p + ".py"
	}
	if init := path.Join(p, "__init__.py"); w.r.tree.Has(init) {
		return init
	}
	return ""
}
