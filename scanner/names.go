package scanner

import (
	"context"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/flagscan/flagscan/scanner/resolve"
	"github.com/flagscan/flagscan/scanner/source"
	"github.com/flagscan/flagscan/scanner/syntax"
)

// configFiles are the files, in no language flagscan scans, that say how
// names are found across files: Go's module path, TypeScript's path
// aliases.
var configFiles = map[string]bool{"go.mod": true, "tsconfig.json": true, "jsconfig.json": true}

// fileNames is one file's unresolved names, from its scan.
type fileNames struct {
	path  string
	names *resolve.Names
}

// treeIndex is the tree of one scan as resolution reads it: every file
// the walk offered, by path, directory and name, and the definitions of
// the files resolution parsed. Files are read again only when a name
// leads to them. The walk only appends to a list; the maps are built on
// the first question, which most scans (no names to resolve) never ask.
type treeIndex struct {
	list []source.File

	index  sync.Once
	files  map[string]source.File
	dirs   map[string][]string
	byName map[string][]string

	mu     sync.Mutex
	defs   *Definitions
	parsed map[string]*syntax.File
}

func newTreeIndex(e *Engine) *treeIndex {
	return &treeIndex{defs: e.NewDefinitions(), parsed: map[string]*syntax.File{}}
}

// build makes the maps of the index from the list of the walk.
func (t *treeIndex) build() {
	t.index.Do(func() {
		t.files = make(map[string]source.File, len(t.list))
		t.dirs, t.byName = map[string][]string{}, map[string][]string{}
		for _, f := range t.list {
			t.files[f.Path] = f
			dir, base := path.Split(f.Path)
			dir = strings.TrimSuffix(dir, "/")
			t.dirs[dir] = append(t.dirs[dir], base)
			t.byName[base] = append(t.byName[base], f.Path)
		}
		t.list = nil
	})
}

// Definitions parses the files names lead to, for what they define. It
// owns a parser, created on first use: one goroutine at a time.
type Definitions struct {
	e   *Engine
	det *Detector
}

// NewDefinitions returns a Definitions; Close it when done.
func (e *Engine) NewDefinitions() *Definitions { return &Definitions{e: e} }

// Parse returns the syntax model of the file at path with the given
// content, nil when it is in no language flagscan reads, binary, minified
// or does not parse: such a file defines nothing.
func (d *Definitions) Parse(ctx context.Context, path string, content []byte) *syntax.File {
	lang := LanguageOf(path)
	if lang == "" || content == nil || IsBinary(content) || isMinified(content) {
		return nil
	}
	if d.det == nil {
		d.det = d.e.NewDetector()
	}
	f, err := d.det.Definitions(ctx, lang, content)
	if err != nil {
		return nil
	}
	return f
}

// Close frees the parser.
func (d *Definitions) Close() {
	if d.det != nil {
		d.det.Close()
		d.det = nil
	}
}

// NewDefinitions returns a Definitions of the scanner's engine.
func (s *Scanner) NewDefinitions() *Definitions { return s.engine.NewDefinitions() }

// ResolvedReference is the reference a use of the file at path resolved
// to: where the use is, with the key and the definition resolution found.
func ResolvedReference(path string, u resolve.Use, def resolve.Def) Reference {
	return Reference{
		FlagKey:      def.Key,
		Path:         path,
		Line:         u.Pos.Line,
		Column:       u.Pos.Column,
		Language:     LanguageOf(path),
		Rule:         u.Rule,
		Code:         u.Code,
		DefaultValue: optional(u.Default),
		Type:         u.Type,
		Via:          &Via{Path: def.Path, Line: def.Pos.Line},
	}
}

// filter widens a scan's filter to the configuration files resolution
// reads.
func (t *treeIndex) filter(f source.Filter) source.Filter {
	want := f.Want
	f.Want = func(p string) bool { return want(p) || configFiles[path.Base(p)] }
	return f
}

// add records a file the walk offers, and says whether it is scanned:
// configuration files are only recorded.
func (t *treeIndex) add(f source.File) bool {
	t.list = append(t.list, f)
	return !configFiles[path.Base(f.Path)]
}

// Has reports whether p is a file of the tree.
func (t *treeIndex) Has(p string) bool {
	t.build()
	_, ok := t.files[p]
	return ok
}

// Dir returns the names of the files in dir.
func (t *treeIndex) Dir(dir string) []string {
	t.build()
	return t.dirs[dir]
}

// ByName returns the paths of the files named name.
func (t *treeIndex) ByName(name string) []string {
	t.build()
	return t.byName[name]
}

// Paths returns the paths of the files with one of the extensions, in
// no particular order.
func (t *treeIndex) Paths(exts []string) []string {
	t.build()
	var out []string
	for p := range t.files {
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				out = append(out, p)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// Read returns a file's content, nil when it cannot be read.
func (t *treeIndex) Read(ctx context.Context, p string) []byte {
	t.build()
	f, ok := t.files[p]
	if !ok || f.Oversize {
		return nil
	}
	b, err := f.Content()
	if err != nil {
		return nil
	}
	return b
}

// File returns the definitions of the source file at p, parsed once.
func (t *treeIndex) File(ctx context.Context, p string) *syntax.File {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f, ok := t.parsed[p]; ok {
		return f
	}
	var f *syntax.File
	if LanguageOf(p) != "" {
		f = t.defs.Parse(ctx, p, t.Read(ctx, p))
	}
	t.parsed[p] = f
	return f
}

// close frees the parser of the index.
func (t *treeIndex) close() { t.defs.Close() }

// resolveNames resolves the names of the scan's files in its tree: each
// that resolves moves from res.Unresolved to res.References, with the
// definition it was read from as its Via.
func (s *Scanner) resolveNames(ctx context.Context, res *Result, tree *treeIndex, files []fileNames) error {
	defer tree.close()
	r := resolve.New(tree)
	type at struct {
		path       string
		line, col  int
		rule, name string
	}
	resolved := map[at]bool{}
	for _, fn := range files {
		lang := LanguageOf(fn.path)
		for _, u := range fn.names.Uses {
			if err := ctx.Err(); err != nil {
				return err
			}
			def, ok := r.Resolve(ctx, fn.path, lang, fn.names, u)
			if !ok {
				continue
			}
			resolved[at{fn.path, u.Pos.Line, u.Pos.Column, u.Rule, strings.Join(u.Name, ".")}] = true
			res.References = append(res.References, ResolvedReference(fn.path, u, def))
		}
	}
	if len(resolved) == 0 {
		return nil
	}
	kept := res.Unresolved[:0]
	for _, u := range res.Unresolved {
		if !resolved[at{u.Path, u.Line, u.Column, u.Rule, u.Name}] {
			kept = append(kept, u)
		}
	}
	res.Unresolved = kept
	return nil
}
