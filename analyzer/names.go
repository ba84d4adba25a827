package analyzer

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/resolve"
	"github.com/flagscan/flagscan/scanner/source"
	"github.com/flagscan/flagscan/scanner/syntax"
)

// Keys written as names defined in other files (issue 10) are resolved at
// each commit of a walk, from what the blob cache keeps per file: the
// names a file uses and what it imports (scanner.FileResult.Names). A use
// file's resolution records what it looked at in the tree (resolve.Deps);
// at the next commit it is resolved again only if that commit changed the
// file itself or one of those paths, so that a commit that changes a
// constant moves the key in every file that uses it, and a commit that
// changes neither costs nothing.

// useFile is a file whose keys include names defined elsewhere.
type useFile struct {
	blob   string
	direct []scanner.Reference // the references the file yields on its own
	// names are nil, with direct, for a file restored from a snapshot
	// (restoreFiles) until it must be resolved again: they are read from
	// the blob cache then.
	names *resolve.Names
	deps  *resolve.Deps // what its last resolution looked at; nil: never resolved
	// kept is the stored resolution the file's references and deps are,
	// stored again as it is; nil once the file is resolved here.
	kept *store.Use
}

// nameState is the use files of a state.
type nameState struct {
	files map[string]*useFile
}

// nameCache is what resolutions share over one run: tree listings by id
// and the definitions of blobs, parsed once.
type nameCache struct {
	trees map[git.Hash][]git.TreeEntry
	defs  map[defKey]*syntax.File
	parse *scanner.Definitions
}

// defKey names a blob parsed in a language: one blob may be at a .ts and
// a .js path.
type defKey struct {
	blob git.Hash
	lang string
}

// names returns the run's name cache, made on first use.
func (r *resolver) names() *nameCache {
	if r.nameCache == nil {
		r.nameCache = &nameCache{trees: map[git.Hash][]git.TreeEntry{}, defs: map[defKey]*syntax.File{}, parse: r.a.scanner.NewDefinitions()}
	}
	return r.nameCache
}

// close waits for the cache writer, and frees the trees and the parser of
// the run's name cache, if it made one. A run that succeeds calls flush
// first, for the writer's error.
func (r *resolver) close() {
	r.flush()
	r.versions.Close()
	if r.nameCache != nil {
		r.nameCache.parse.Close()
	}
}

// trackNames records the file at path, as loaded, among the use files of
// st when it has names to resolve, and forgets it otherwise.
func (st *state) trackNames(path string, fr *fileRefs) {
	if fr == nil || fr.names == nil {
		delete(st.names.files, path)
		return
	}
	if uf, ok := st.names.files[path]; ok && uf.blob == fr.blob {
		return
	}
	st.names.files[path] = &useFile{blob: fr.blob, direct: fr.refs, names: fr.names}
}

// resolveNames resolves again, in the tree of a commit, the use files
// that changed or whose last resolution looked at a changed path (all of
// them when all is set), and sets their references in st.
func (a *Analyzer) resolveNames(ctx context.Context, res *resolver, st *state, tree git.Hash, changed []string, all bool) error {
	if len(st.names.files) == 0 {
		return nil
	}
	var todo []string
	for p, uf := range st.names.files {
		if all || uf.deps == nil || touchesAny(uf.deps, changed) {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	sort.Strings(todo)
	if err := loadNames(ctx, res, st, todo); err != nil {
		return err
	}
	t := &gitTree{a: a, cache: res.names(), root: tree}
	for _, p := range todo {
		if err := ctx.Err(); err != nil {
			return err
		}
		uf := st.names.files[p]
		rec := resolve.Record(t)
		r := resolve.New(rec)
		refs := append([]scanner.Reference(nil), uf.direct...)
		for _, u := range uf.names.Uses {
			if def, ok := r.Resolve(ctx, p, scanner.LanguageOf(p), uf.names, u); ok {
				refs = append(refs, scanner.ResolvedReference(p, u, def))
			}
		}
		uf.deps, uf.kept = rec.Deps(), nil
		st.set(p, &fileRefs{blob: uf.blob, refs: refs, names: uf.names})
		res.resolved++
	}
	return t.err
}

// loadNames reads from the blob cache the names and own references of
// the use files of paths restored without them.
func loadNames(ctx context.Context, res *resolver, st *state, paths []string) error {
	var entries []source.Entry
	for _, p := range paths {
		if uf := st.names.files[p]; uf.names == nil {
			entries = append(entries, source.Entry{Path: p, Blob: uf.blob})
		}
	}
	if len(entries) == 0 {
		return nil
	}
	if err := res.load(ctx, entries); err != nil {
		return err
	}
	for _, e := range entries {
		st.names.files[e.Path].setNames(res.refs(e.Path, e.Blob))
	}
	return nil
}

// setNames gives a use file restored without them the names and own
// references of its blob, fr, unless it has them.
func (uf *useFile) setNames(fr fileRefs) {
	if uf.names != nil {
		return
	}
	uf.direct, uf.names = fr.refs, fr.names
	if uf.names == nil {
		// The blob's result names nothing (other rules made it): the
		// file is what it yields on its own.
		uf.names = &resolve.Names{}
	}
}

// uses returns what a snapshot of st keeps of its use files: each one's
// resolved references and what its resolution looked at, so that the
// next process resolves only those its commits may change. kept is false
// when one of them is left out.
func (a *Analyzer) uses(st *state) (out map[string]store.Use, kept bool, err error) {
	out = make(map[string]store.Use, len(st.names.files))
	kept = true
	for p, uf := range st.names.files {
		fr, ok := st.files[p]
		if uf.deps == nil || !ok || fr.blob != uf.blob {
			kept = false // not resolved at this state: the next process resolves it
			continue
		}
		if uf.kept != nil {
			out[p] = *uf.kept
			continue
		}
		deps, err := json.Marshal(uf.deps)
		if err != nil {
			return nil, false, fmt.Errorf("encode the resolution of %s: %w", p, err)
		}
		refs, err := json.Marshal(fr.refs)
		if err != nil {
			return nil, false, fmt.Errorf("encode the resolution of %s: %w", p, err)
		}
		out[p] = store.Use{Blob: uf.blob, Fingerprint: a.fingerprint, Deps: deps, Refs: refs}
	}
	return out, kept, nil
}

// restoreUses gives the use files of st the resolutions snap stored for
// them, where it holds one of the same blob under the same rules: those
// are not resolved again unless a change touches what they looked at. A
// snapshot stored by an older flagscan holds none, and a row that cannot
// be decoded is as good as none.
func (a *Analyzer) restoreUses(st *state, snap *store.Snapshot) {
	for p, uf := range st.names.files {
		u, ok := snap.Uses[p]
		if uf.deps != nil || !ok || u.Blob != uf.blob || u.Fingerprint != a.fingerprint {
			continue
		}
		deps := new(resolve.Deps)
		var refs []scanner.Reference
		if json.Unmarshal(u.Deps, deps) != nil || json.Unmarshal(u.Refs, &refs) != nil {
			continue
		}
		uf.deps, uf.kept = deps, &u
		st.set(p, &fileRefs{blob: uf.blob, refs: refs, names: uf.names})
	}
}

func touchesAny(d *resolve.Deps, changed []string) bool {
	for _, p := range changed {
		if d.Touches(p) {
			return true
		}
	}
	return false
}

// gitTree is the tree of a commit as resolution reads it: entries are
// read from the object store as they are asked for, and definitions
// parsed once per blob.
type gitTree struct {
	a     *Analyzer
	cache *nameCache
	root  git.Hash
	all   []string // every file path, listed on the first ByName or Paths
	err   error    // the first tree that could not be read
	// dirs are the entries of the directories asked for, by path: the
	// same few directories are asked for by every use file.
	dirs map[string][]git.TreeEntry
}

// entries returns the entries of directory dir, nil when it is none.
func (t *gitTree) entries(dir string) []git.TreeEntry {
	if es, ok := t.dirs[dir]; ok {
		return es
	}
	var es []git.TreeEntry
	switch {
	case t.root == (git.Hash{}):
	case dir == "":
		es = t.list(t.root)
	default:
		parent, name := path.Split(dir)
		for _, e := range t.entries(strings.TrimSuffix(parent, "/")) {
			if e.Name == name && e.Kind == git.KindDir {
				es = t.list(e.ID)
				break
			}
		}
	}
	if t.dirs == nil {
		t.dirs = map[string][]git.TreeEntry{}
	}
	t.dirs[dir] = es
	return es
}

// list reads a tree, once per run.
func (t *gitTree) list(id git.Hash) []git.TreeEntry {
	if es, ok := t.cache.trees[id]; ok {
		return es
	}
	es, err := t.a.repo.Tree(id)
	if err != nil && t.err == nil {
		t.err = err
	}
	t.cache.trees[id] = es
	return es
}

// blob returns the id of the file at p, and whether it is one.
func (t *gitTree) blob(p string) (git.Hash, bool) {
	dir, base := path.Split(p)
	for _, e := range t.entries(strings.TrimSuffix(dir, "/")) {
		if e.Name == base && e.Kind == git.KindFile {
			return e.ID, true
		}
	}
	return git.Hash{}, false
}

// Has implements resolve.Tree.
func (t *gitTree) Has(p string) bool {
	_, ok := t.blob(p)
	return ok
}

// Dir implements resolve.Tree.
func (t *gitTree) Dir(dir string) []string {
	var out []string
	for _, e := range t.entries(dir) {
		if e.Kind == git.KindFile {
			out = append(out, e.Name)
		}
	}
	return out
}

// paths lists every file of the tree, once.
func (t *gitTree) paths() []string {
	if t.all == nil && t.root != (git.Hash{}) {
		t.all = []string{}
		if err := t.a.repo.WalkFiles(t.root, func(p string) error {
			t.all = append(t.all, p)
			return nil
		}); err != nil && t.err == nil {
			t.err = err
		}
	}
	return t.all
}

// ByName implements resolve.Tree.
func (t *gitTree) ByName(name string) []string {
	var out []string
	for _, p := range t.paths() {
		if path.Base(p) == name {
			out = append(out, p)
		}
	}
	return out
}

// Paths implements resolve.Tree.
func (t *gitTree) Paths(exts []string) []string {
	var out []string
	for _, p := range t.paths() {
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// Read implements resolve.Tree.
func (t *gitTree) Read(ctx context.Context, p string) []byte {
	id, ok := t.blob(p)
	if !ok {
		return nil
	}
	b, err := t.a.repo.ReadBlob(id, t.a.scanner.Filter().MaxSize)
	if err != nil || b.Oversize {
		return nil
	}
	return b.Data
}

// File implements resolve.Tree.
func (t *gitTree) File(ctx context.Context, p string) *syntax.File {
	id, ok := t.blob(p)
	if !ok {
		return nil
	}
	k := defKey{id, scanner.LanguageOf(p)}
	if f, ok := t.cache.defs[k]; ok {
		return f
	}
	f := t.cache.parse.Parse(ctx, p, t.Read(ctx, p))
	t.cache.defs[k] = f
	return f
}
