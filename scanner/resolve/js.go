package resolve

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// jsExtensions are tried, in order, after a module specifier without one,
// and after index in a directory: what TypeScript and bundlers try.
var jsExtensions = []string{".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".d.ts"}

// jsUse resolves names used in the file at p, a JavaScript or TypeScript
// module, through what it imports. A name it neither binds nor imports
// is no other file's: JavaScript has no implicit names across files.
func (w *walk) jsUse(p string, imports []syntax.Import, names []string, depth int) result {
	if depth > MaxDepth || len(names) == 0 {
		return result{}
	}
	for _, im := range imports {
		if im.Local != names[0] {
			continue
		}
		mod := w.jsModule(p, im.From)
		if mod == "" {
			// A package, or a path that is not in the tree.
			return result{}
		}
		if im.Name == "" {
			// import * as ns, const ns = require(): the module itself.
			if len(names) < 2 {
				return result{}
			}
			return w.jsExport(mod, names[1], names[2:], depth+1)
		}
		return w.jsExport(mod, im.Name, names[1:], depth+1)
	}
	return result{}
}

// jsLocal resolves names at the top of the module p: a binding of the
// module, else what it imports.
func (w *walk) jsLocal(p string, f *syntax.File, names []string, depth int) result {
	if depth > MaxDepth {
		return result{}
	}
	if b, ok := topBinding(f, names[0], nil); ok {
		return w.value(p, b.Value, names[1:], depth, func(n []string, d int) result { return w.jsLocal(p, f, n, d) })
	}
	for _, b := range f.Bindings {
		if b.Name == names[0] && b.Scope == 0 {
			return result{} // bound, but not once to a value
		}
	}
	return w.jsUse(p, f.Imports, names, depth)
}

// jsExport resolves the export name of module p, and the names after it.
func (w *walk) jsExport(p, name string, rest []string, depth int) result {
	if depth > MaxDepth || !w.visit(p, append([]string{name}, rest...)) {
		return result{}
	}
	f := w.file(p)
	if f == nil {
		return result{}
	}
	local := func(n []string, d int) result { return w.jsLocal(p, f, n, d) }
	for _, b := range f.Bindings {
		if b.Exported && b.Name == name && b.Scope == 0 {
			return w.jsLocal(p, f, append([]string{name}, rest...), depth)
		}
	}
	var cjs *syntax.Export
	for i := range f.Exports {
		e := &f.Exports[i]
		switch {
		case e.Name == "=":
			cjs = e
			continue
		case e.Name != name:
			continue
		case e.From != "":
			mod := w.jsModule(p, e.From)
			if mod == "" {
				return result{}
			}
			if e.Imported == "*" {
				if len(rest) == 0 {
					return result{}
				}
				return w.jsExport(mod, rest[0], rest[1:], depth+1)
			}
			return w.jsExport(mod, e.Imported, rest, depth+1)
		case e.Local != "":
			return w.jsLocal(p, f, append([]string{e.Local}, rest...), depth)
		case e.Value != nil:
			return w.value(p, *e.Value, rest, depth, local)
		}
	}
	if cjs != nil {
		// module.exports = {...}: its members are the module's exports,
		// and it is the module's default.
		names := append([]string{name}, rest...)
		if name == "default" {
			names = rest
		}
		if cjs.Local != "" {
			return w.jsLocal(p, f, append([]string{cjs.Local}, names...), depth)
		}
		if cjs.Value != nil {
			return w.value(p, *cjs.Value, names, depth, local)
		}
	}
	if name == "default" {
		return result{}
	}
	// export * from "./m" gives every name of m but its default; two
	// modules giving the same name give none (ECMAScript's ambiguity).
	var res result
	for _, e := range f.Exports {
		if e.Name != "*" || e.From == "" {
			continue
		}
		if w.stars++; w.stars > maxStars {
			return result{}
		}
		mod := w.jsModule(p, e.From)
		if mod == "" {
			continue
		}
		res = join(res, w.jsExport(mod, name, rest, depth+1))
		if res.ambiguous {
			return result{}
		}
	}
	return res
}

// jsModule returns the file a module specifier names from the file at
// from: a relative path, or a path through the tsconfig.json (or
// jsconfig.json) paths and baseUrl above it, with the extensions and
// index files bundlers try. "" for a package or a path not in the tree.
func (w *walk) jsModule(from, spec string) string {
	if strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../") || spec == "." || spec == ".." {
		return w.jsFile(clean(dirOf(from), spec))
	}
	if strings.HasPrefix(spec, "/") {
		return ""
	}
	cfg := w.r.tsConfigFor(w, dirOf(from))
	if cfg == nil {
		return ""
	}
	for _, target := range cfg.match(spec) {
		if f := w.jsFile(target); f != "" {
			return f
		}
	}
	return ""
}

// jsFile returns the file a module path (without or with an extension)
// names, "" when none is in the tree.
func (w *walk) jsFile(p string) string {
	if p == "" {
		return ""
	}
	t := w.r.tree
	if t.Has(p) && isJS(p) {
		return p
	}
	// import "./flags.js" from TypeScript names flags.ts.
	base := p
	for _, ext := range []string{".js", ".jsx", ".mjs", ".cjs"} {
		if strings.HasSuffix(p, ext) {
			base = strings.TrimSuffix(p, ext)
		}
	}
	for _, ext := range jsExtensions {
		if t.Has(base + ext) {
			return base + ext
		}
	}
	for _, ext := range jsExtensions {
		if t.Has(p + "/index" + ext) {
			return p + "/index" + ext
		}
	}
	return ""
}

func isJS(p string) bool {
	for _, ext := range jsExtensions {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

// tsConfig is what resolution needs of a tsconfig.json: its directory,
// baseUrl and paths.
type tsConfig struct {
	dir     string // directory baseUrl and paths are relative to
	baseURL string // "" when not set
	paths   map[string][]string
}

// match returns the paths (from the root) a non-relative specifier may
// name, in the order TypeScript tries them.
func (c *tsConfig) match(spec string) []string {
	var out []string
	best := -1
	var bestTargets []string
	var bestStar string
	for pattern, targets := range c.paths {
		prefix, suffix, wild := strings.Cut(pattern, "*")
		switch {
		case !wild && pattern == spec:
			if len(pattern) > best {
				best, bestTargets, bestStar = len(pattern), targets, ""
			}
		case wild && strings.HasPrefix(spec, prefix) && strings.HasSuffix(spec, suffix) && len(spec) >= len(prefix)+len(suffix):
			if len(prefix) > best {
				best, bestTargets, bestStar = len(prefix), targets, spec[len(prefix):len(spec)-len(suffix)]
			}
		}
	}
	root := c.dir
	if c.baseURL != "" {
		root = clean(c.dir, c.baseURL)
	}
	for _, t := range bestTargets {
		if p := clean(root, strings.Replace(t, "*", bestStar, 1)); p != "" {
			out = append(out, p)
		}
	}
	if c.baseURL != "" {
		if p := clean(root, spec); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tsConfigFor returns the tsconfig.json (or jsconfig.json) nearest above
// dir, nil when there is none.
func (r *Resolver) tsConfigFor(w *walk, dir string) *tsConfig {
	r.mu.Lock()
	c, ok := r.tsconfig[dir]
	r.mu.Unlock()
	if ok {
		return c
	}
	for _, name := range []string{"tsconfig.json", "jsconfig.json"} {
		p := path.Join(dir, name)
		if !r.tree.Has(p) {
			continue
		}
		if c = parseTSConfig(dir, r.tree.Read(w.ctx, p)); c != nil {
			break
		}
	}
	if c == nil && dir != "" {
		c = r.tsConfigFor(w, dirOf(dir))
	}
	r.mu.Lock()
	r.tsconfig[dir] = c
	r.mu.Unlock()
	return c
}

// parseTSConfig reads the compilerOptions of a tsconfig.json, which may
// hold comments and trailing commas. nil when it sets neither baseUrl
// nor paths, or cannot be read.
func parseTSConfig(dir string, src []byte) *tsConfig {
	var doc struct {
		CompilerOptions struct {
			BaseURL string              `json:"baseUrl"`
			Paths   map[string][]string `json:"paths"`
		} `json:"compilerOptions"`
	}
	if err := json.Unmarshal(jsonc(src), &doc); err != nil {
		return nil
	}
	o := doc.CompilerOptions
	if o.BaseURL == "" && len(o.Paths) == 0 {
		return nil
	}
	return &tsConfig{dir: dir, baseURL: o.BaseURL, paths: o.Paths}
}

// jsonc turns JSON with comments and trailing commas into JSON.
func jsonc(src []byte) []byte {
	var out bytes.Buffer
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case inString:
			out.WriteByte(c)
			if c == '\\' && i+1 < len(src) {
				i++
				out.WriteByte(src[i])
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
			out.WriteByte(c)
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			out.WriteByte('\n')
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := bytes.Index(src[i+2:], []byte("*/"))
			if end < 0 {
				return out.Bytes()
			}
			i += end + 3
		case c == ',':
			// a comma followed by a closing bracket is dropped
			j := i + 1
			for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\n' || src[j] == '\r') {
				j++
			}
			if j < len(src) && (src[j] == '}' || src[j] == ']') {
				continue
			}
			out.WriteByte(c)
		default:
			out.WriteByte(c)
		}
	}
	return out.Bytes()
}
