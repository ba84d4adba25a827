package resolve

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// Deps is what a resolution looked at in a tree: the paths it asked for
// (present or not), the directories it listed, the file names it looked
// up and the extensions it searched. A change to a tree that touches none
// of them cannot change the resolution, which is what lets a history be
// followed commit by commit without resolving every name again.
type Deps struct {
	paths map[string]bool
	dirs  map[string]bool
	names map[string]bool
	exts  map[string]bool
}

// Touches reports whether a change of the file at p (added, modified or
// deleted) may change what the resolution found.
func (d *Deps) Touches(p string) bool {
	if d == nil {
		return false
	}
	if d.paths[p] || d.dirs[dirOf(p)] || d.names[path.Base(p)] {
		return true
	}
	for e := range d.exts {
		if strings.HasSuffix(p, e) {
			return true
		}
	}
	return false
}

// Recorder is a Tree that records in its Deps what is asked of it.
type Recorder struct {
	tree Tree
	deps Deps
}

// Record returns a Recorder of tree.
func Record(tree Tree) *Recorder {
	return &Recorder{tree: tree, deps: Deps{paths: map[string]bool{}, dirs: map[string]bool{}, names: map[string]bool{}, exts: map[string]bool{}}}
}

// Deps returns what was asked so far.
func (r *Recorder) Deps() *Deps { return &r.deps }

// Has implements Tree.
func (r *Recorder) Has(p string) bool {
	r.deps.paths[p] = true
	return r.tree.Has(p)
}

// Dir implements Tree.
func (r *Recorder) Dir(dir string) []string {
	r.deps.dirs[dir] = true
	return r.tree.Dir(dir)
}

// ByName implements Tree.
func (r *Recorder) ByName(name string) []string {
	r.deps.names[name] = true
	return r.tree.ByName(name)
}

// File implements Tree.
func (r *Recorder) File(ctx context.Context, p string) *syntax.File {
	r.deps.paths[p] = true
	return r.tree.File(ctx, p)
}

// Read implements Tree.
func (r *Recorder) Read(ctx context.Context, p string) []byte {
	r.deps.paths[p] = true
	return r.tree.Read(ctx, p)
}

// Paths implements Tree.
func (r *Recorder) Paths(exts []string) []string {
	for _, e := range exts {
		r.deps.exts[e] = true
	}
	return r.tree.Paths(exts)
}

// depsJSON is the stored form of Deps: each set sorted, so that the same
// resolution is always stored as the same bytes.
type depsJSON struct {
	Paths []string `json:"paths,omitempty"`
	Dirs  []string `json:"dirs,omitempty"`
	Names []string `json:"names,omitempty"`
	Exts  []string `json:"exts,omitempty"`
}

// MarshalJSON implements json.Marshaler: a store keeps what a resolution
// looked at, so that another process knows which changes to a tree can
// change it without resolving it again.
func (d *Deps) MarshalJSON() ([]byte, error) {
	return json.Marshal(depsJSON{
		Paths: slices.Sorted(maps.Keys(d.paths)),
		Dirs:  slices.Sorted(maps.Keys(d.dirs)),
		Names: slices.Sorted(maps.Keys(d.names)),
		Exts:  slices.Sorted(maps.Keys(d.exts)),
	})
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *Deps) UnmarshalJSON(b []byte) error {
	var j depsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("decode resolution dependencies: %w", err)
	}
	*d = Deps{paths: setOf(j.Paths), dirs: setOf(j.Dirs), names: setOf(j.Names), exts: setOf(j.Exts)}
	return nil
}

func setOf(s []string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, k := range s {
		m[k] = true
	}
	return m
}
