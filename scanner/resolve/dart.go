package resolve

import (
	"path"
	"strings"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// dartUse resolves names used in the Dart file at p through the
// libraries it imports: a top-level constant (KEY), a static constant of
// a class (Keys.KEY), either through an import prefix (flags.Keys.KEY).
// A library re-exported (export 'x.dart') gives its names too; dart: and
// packages outside the tree give none.
func (w *walk) dartUse(p string, imports []syntax.Import, names []string, depth int) result {
	if depth > MaxDepth || len(names) == 0 {
		return result{}
	}
	var libs []string
	prefixed := false
	for _, im := range imports {
		if im.Local == names[0] && len(names) > 1 {
			if !prefixed {
				libs, prefixed = nil, true
			}
			libs = append(libs, w.dartLibrary(p, im.From))
		} else if im.Local == "*" && !prefixed {
			libs = append(libs, w.dartLibrary(p, im.From))
		}
	}
	if prefixed {
		names = names[1:]
	}
	var res result
	for _, lib := range libs {
		if lib == "" {
			continue
		}
		res = join(res, w.dartMember(lib, names, depth+1))
		if res.ambiguous {
			return result{}
		}
	}
	return res
}

// dartMember resolves names in the library at p and those it exports.
func (w *walk) dartMember(p string, names []string, depth int) result {
	if depth > MaxDepth || len(names) > 2 || !w.visit("dart:"+p, names) {
		return result{}
	}
	f := w.file(p)
	if f == nil {
		return result{}
	}
	var owner []string
	if len(names) == 2 {
		owner = names[:1]
	}
	res := w.typeMember(p, "dart", owner, names[len(names)-1], depth)
	for _, e := range f.Exports {
		if res.ambiguous {
			return result{}
		}
		if e.Name == "*" && e.From != "" {
			if lib := w.dartLibrary(p, e.From); lib != "" {
				res = join(res, w.dartMember(lib, names, depth+1))
			}
		}
	}
	if res.ambiguous {
		return result{}
	}
	return res
}

// dartLibrary returns the file a Dart URI names from the file at from:
// a relative path, or package:name/path, the lib/path of a package of the
// tree (a directory above the file, or the root, holding lib/). "" for
// dart: libraries and packages the tree does not hold.
func (w *walk) dartLibrary(from, uri string) string {
	if rest, ok := strings.CutPrefix(uri, "package:"); ok {
		_, rel, ok := strings.Cut(rest, "/")
		if !ok {
			return ""
		}
		for dir := dirOf(from); ; dir = dirOf(dir) {
			if p := path.Join(dir, "lib", rel); w.r.tree.Has(p) {
				return p
			}
			if dir == "" {
				return ""
			}
		}
	}
	if strings.Contains(uri, ":") {
		return ""
	}
	if p := clean(dirOf(from), uri); p != "" && w.r.tree.Has(p) {
		return p
	}
	return ""
}
