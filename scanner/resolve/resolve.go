// Package resolve finds, at one revision of a repository, the literal a
// flag key names when it is written as a name defined in another file: a
// constant of a constants module, a member of an exported object or enum,
// a class constant, a package-level constant of a Go package.
//
// The scan hands it the uses its rules could not resolve in their own
// file (rules.Unresolved.Name) with what their file imports; resolve
// follows each through the language's import rules to the file that
// defines it, reading and parsing only the files on that way. A name that
// leads out of the repository (a package), into a cycle, past MaxDepth
// files or to anything but one string literal stays unresolved: a key is
// never guessed.
package resolve

import (
	"context"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// MaxDepth bounds the files one resolution goes through (an import, a
// re-export, a constant defined as another constant each count one).
// Real chains are two or three long; a barrel of barrels perhaps five.
const MaxDepth = 16

// maxStars bounds the export * modules looked through for one name, over
// a whole resolution: a barrel of a thousand modules is searched, a
// cascade of barrels of barrels is cut.
const maxStars = 4096

// Names is what a file's unresolved names need to be looked up in other
// files: the file's own package and imports, and the uses.
type Names struct {
	Package string          `json:"package,omitempty"`
	Imports []syntax.Import `json:"imports,omitempty"`
	Uses    []Use           `json:"uses"`
}

// Use is a key written as a name the file does not bind.
type Use struct {
	Name    []string   `json:"name"` // the chain of names: FLAGS.CHECKOUT is ["FLAGS", "CHECKOUT"]
	Pos     syntax.Pos `json:"pos"`
	Rule    string     `json:"rule"`
	Default string     `json:"default,omitempty"`
	Type    string     `json:"type,omitempty"`
	Code    string     `json:"code,omitempty"`
}

// Def is where a name was resolved: the key and the definition it was
// read from.
type Def struct {
	Key  string
	Path string
	Pos  syntax.Pos
}

// Tree is the revision resolution reads: which files exist, and their
// definitions.
type Tree interface {
	// Has reports whether path (slash-separated, from the root) is a file
	// of the tree.
	Has(path string) bool
	// Dir returns the names of the files directly in dir ("" is the root).
	Dir(dir string) []string
	// ByName returns the paths of the files with the given base name.
	ByName(name string) []string
	// File returns the syntax model of the file at path, nil when it
	// cannot be read or parsed.
	File(ctx context.Context, path string) *syntax.File
	// Read returns the content of a file (go.mod, tsconfig.json, a
	// file searched for a declaration), nil when it cannot be read.
	Read(ctx context.Context, path string) []byte
	// Paths returns the paths of the files whose names end with one of
	// the extensions.
	Paths(exts []string) []string
}

// Resolver resolves names in one tree. It is safe for concurrent use.
type Resolver struct {
	tree Tree

	mu       sync.Mutex
	tsconfig map[string]*tsConfig // by directory
	gomod    map[string]string    // module path by directory of go.mod
	declared map[string][]string  // files declaring a type, by language and type
}

// New returns a Resolver of tree.
func New(tree Tree) *Resolver {
	return &Resolver{tree: tree, tsconfig: map[string]*tsConfig{}, gomod: map[string]string{}, declared: map[string][]string{}}
}

// Resolve looks up a use of the file at path, of the given language.
func (r *Resolver) Resolve(ctx context.Context, path, lang string, names *Names, u Use) (Def, bool) {
	w := &walk{r: r, ctx: ctx, seen: map[string]bool{}}
	var res result
	switch lang {
	case "javascript", "typescript", "tsx":
		res = w.jsUse(path, names.Imports, u.Name, 0)
	case "go":
		res = w.goUse(path, names.Package, names.Imports, u.Name, 0)
	case "python":
		res = w.pyUse(path, names.Imports, u.Name, 0)
	case "java", "kotlin", "csharp", "swift", "php":
		res = w.typeUse(path, lang, names.Imports, u.Name, 0)
	case "dart":
		res = w.dartUse(path, names.Imports, u.Name, 0)
	}
	if !res.ok {
		return Def{}, false
	}
	return res.def, true
}

// result is the outcome of one step of a resolution. ambiguous is set
// when the step found more than one answer, which no other path may
// paper over.
type result struct {
	def       Def
	ok        bool
	ambiguous bool
}

// walk is the state of one resolution: the definitions visited, to end
// cycles, and the export * modules searched, to bound them.
type walk struct {
	r     *Resolver
	ctx   context.Context
	seen  map[string]bool
	stars int
}

// visit reports whether (file, name) is new to this walk, marking it.
func (w *walk) visit(file string, names []string) bool {
	k := file + "\x00" + strings.Join(names, ".")
	if w.seen[k] {
		return false
	}
	w.seen[k] = true
	return true
}

// file returns a file's model, nil when it is not in the tree or cannot
// be parsed.
func (w *walk) file(p string) *syntax.File {
	if w.ctx.Err() != nil || !w.r.tree.Has(p) {
		return nil
	}
	return w.r.tree.File(w.ctx, p)
}

// topBinding returns the one binding of name at the file scope, outside
// any type, and whether there is exactly one. A name bound twice (a let
// reassigned) has no single value.
func topBinding(f *syntax.File, name string, owner []string) (syntax.Binding, bool) {
	var (
		found syntax.Binding
		n     int
	)
	for _, b := range f.Bindings {
		if b.Name != name || b.Scope != 0 || !slices.Equal(b.Owner, owner) {
			continue
		}
		if n > 0 && !(b.Value.Kind == syntax.String && found.Value.Kind == syntax.String && b.Value.Value == found.Value.Value) {
			return syntax.Binding{}, false
		}
		found = b
		n++
	}
	return found, n > 0 && !found.Param
}

// value follows an expression of file p and the names after it to a
// string literal, whose position is the definition's. local resolves a name of the file, for an expression
// that is itself a name.
func (w *walk) value(p string, e syntax.Expr, rest []string, depth int, local func(names []string, depth int) result) result {
	for len(rest) > 0 && e.Kind == syntax.Object {
		v, ok := prop(e, rest[0])
		if !ok {
			return result{}
		}
		e, rest = v, rest[1:]
	}
	switch e.Kind {
	case syntax.String:
		if len(rest) > 0 || e.Value == "" {
			return result{}
		}
		return result{def: Def{Key: e.Value, Path: p, Pos: e.Pos}, ok: true}
	case syntax.Ident:
		names := append(slices.Clip(e.Names()), rest...)
		return local(names, depth+1)
	}
	return result{}
}

func prop(obj syntax.Expr, key string) (syntax.Expr, bool) {
	for _, p := range obj.Props {
		if p.Key == key {
			return p.Value, true
		}
	}
	return syntax.Expr{}, false
}

// join is the answer of several ways that must agree: one answer, or
// the same key from each, resolves; two keys are ambiguous.
func join(a, b result) result {
	switch {
	case a.ambiguous || b.ambiguous:
		return result{ambiguous: true}
	case !a.ok:
		return b
	case !b.ok:
		return a
	case a.def.Key != b.def.Key:
		return result{ambiguous: true}
	}
	return a
}

// clean joins a directory and a relative path and cleans the result;
// "" when it leaves the root.
func clean(dir, rel string) string {
	p := path.Join(dir, rel)
	if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) {
		return ""
	}
	if p == "." {
		return ""
	}
	return p
}

// dirOf returns the directory of a slash path, "" at the root.
func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}
