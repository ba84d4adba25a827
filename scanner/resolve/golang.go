package resolve

import (
	"bufio"
	"bytes"
	"path"
	"strings"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// goUse resolves names used in the Go file at p, of package pkg: a
// package-level constant of the same package (the other files of its
// directory), or pkg.Name of a package of the same module imported by
// the file. A package of another module is not in the tree's reach.
func (w *walk) goUse(p, pkg string, imports []syntax.Import, names []string, depth int) result {
	if depth > MaxDepth || len(names) == 0 {
		return result{}
	}
	if len(names) == 1 {
		return w.goConst(dirOf(p), pkg, names[0], isGoTest(p), depth+1)
	}
	if len(names) != 2 {
		return result{}
	}
	for _, im := range imports {
		local := im.Local
		if local == "" {
			local = path.Base(im.From)
		}
		if local != names[0] {
			continue
		}
		dir := w.goPackageDir(p, im.From)
		if dir == "" || !isExported(names[1]) {
			return result{}
		}
		return w.goConst(dir, "", names[1], false, depth+1)
	}
	return result{}
}

// goConst resolves the package-level constant name of the package in
// dir: exactly one const declaration of it, in the files of the package
// (pkg, when known; tests only for a test's use).
func (w *walk) goConst(dir, pkg, name string, tests bool, depth int) result {
	if depth > MaxDepth || !w.visit(dir+"/", []string{name}) {
		return result{}
	}
	var res result
	for _, base := range w.r.tree.Dir(dir) {
		p := path.Join(dir, base)
		if !strings.HasSuffix(base, ".go") || (!tests && isGoTest(base)) {
			continue
		}
		f := w.file(p)
		if f == nil || (pkg != "" && f.Package != pkg && f.Package != pkg+"_test") {
			continue
		}
		for _, b := range f.Bindings {
			if b.Name != name || b.Scope != 0 {
				continue
			}
			if !b.Const {
				return result{} // a package-level var may change
			}
			r := w.value(p, b.Value, nil, depth, func(n []string, d int) result {
				return w.goUse(p, f.Package, f.Imports, n, d)
			})
			res = join(res, r)
			if res.ambiguous {
				return result{}
			}
		}
	}
	return res
}

// goPackageDir returns the directory of the tree holding the package an
// import path names, through the go.mod nearest above the importing
// file; "" for a package of another module.
func (w *walk) goPackageDir(from, importPath string) string {
	for dir := dirOf(from); ; dir = dirOf(dir) {
		if mod := w.r.goModule(w, dir); mod != "" {
			switch {
			case importPath == mod:
				return dir
			case strings.HasPrefix(importPath, mod+"/"):
				return clean(dir, strings.TrimPrefix(importPath, mod+"/"))
			}
			return ""
		}
		if dir == "" {
			return ""
		}
	}
}

// goModule returns the module path of the go.mod in dir, "" when there is
// none.
func (r *Resolver) goModule(w *walk, dir string) string {
	r.mu.Lock()
	mod, ok := r.gomod[dir]
	r.mu.Unlock()
	if ok {
		return mod
	}
	if p := path.Join(dir, "go.mod"); r.tree.Has(p) {
		sc := bufio.NewScanner(bytes.NewReader(r.tree.Read(w.ctx, p)))
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module"); ok {
				mod = strings.Trim(strings.TrimSpace(rest), `"`)
				break
			}
		}
	}
	r.mu.Lock()
	r.gomod[dir] = mod
	r.mu.Unlock()
	return mod
}

func isGoTest(p string) bool { return strings.HasSuffix(p, "_test.go") }

// isExported reports a Go name other packages can use.
func isExported(name string) bool { return name != "" && name[0] >= 'A' && name[0] <= 'Z' }
