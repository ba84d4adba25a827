package treesitter

/*
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "treesitter.h"
typedef struct { uint32_t row, column; } fsPoint;

uint32_t ts_node_start_byte(fsNode);
uint32_t ts_node_end_byte(fsNode);
fsPoint ts_node_start_point(fsNode);
uint16_t ts_node_symbol(fsNode);
fsNode ts_node_child_by_field_id(fsNode, uint16_t);
bool ts_node_is_named(fsNode);
fsCursor ts_tree_cursor_new(fsNode);
void ts_tree_cursor_delete(fsCursor *);
fsNode ts_tree_cursor_current_node(const fsCursor *);
uint16_t ts_tree_cursor_current_field_id(const fsCursor *);
bool ts_tree_cursor_goto_first_child(fsCursor *);
bool ts_tree_cursor_goto_next_sibling(fsCursor *);
bool ts_tree_cursor_goto_parent(fsCursor *);

static fsNode fs_flat_node(const fsFlat *f) {
	fsNode n = {{f->context[0], f->context[1], f->context[2], f->context[3]}, (const void *)f->id, (const void *)f->tree};
	return n;
}

// fs_flat_field is ts_node_child_by_field_id of the node f is; it
// answers the child's id.
static uintptr_t fs_flat_field(const fsFlat *f, uint16_t field) {
	return (uintptr_t)ts_node_child_by_field_id(fs_flat_node(f), field).id;
}

// fs_flatten writes the nodes of the tree under root into out in
// document order (the order of a tree cursor's walk), up to cap of them,
// and returns how many there are: more than cap when out is too short;
// 0 when out of memory.
static uint32_t fs_flatten(fsNode root, fsFlat *out, uint32_t cap) {
	uint32_t depth_cap = 64, depth = 0, n = 0;
	int32_t *stack = malloc(depth_cap * sizeof(int32_t));
	if (!stack) return 0;
	fsCursor cur = ts_tree_cursor_new(root);
	for (;;) {
		if (depth == depth_cap) {
			int32_t *s = realloc(stack, 2 * depth_cap * sizeof(int32_t));
			if (!s) {
				n = 0;
				break;
			}
			stack = s;
			depth_cap *= 2;
		}
		if (n < cap) {
			fsNode node = ts_tree_cursor_current_node(&cur);
			fsFlat *f = &out[n];
			fsPoint p = ts_node_start_point(node);
			for (int i = 0; i < 4; i++) f->context[i] = node.context[i];
			f->id = (uintptr_t)node.id;
			f->tree = (uintptr_t)node.tree;
			f->depth = depth;
			f->start = ts_node_start_byte(node);
			f->end = ts_node_end_byte(node);
			f->row = p.row;
			f->column = p.column;
			f->symbol = ts_node_symbol(node);
			f->field = ts_tree_cursor_current_field_id(&cur);
			f->is_named = ts_node_is_named(node);
			f->kids = 0;
			f->named = 0;
			f->parent = depth > 0 ? stack[depth - 1] : -1;
			if (f->parent >= 0) {
				out[f->parent].kids++;
				if (f->is_named) out[f->parent].named++;
			}
		}
		stack[depth] = (int32_t)n;
		n++;
		if (ts_tree_cursor_goto_first_child(&cur)) {
			depth++;
			continue;
		}
		bool done = false;
		while (!ts_tree_cursor_goto_next_sibling(&cur)) {
			if (!ts_tree_cursor_goto_parent(&cur)) {
				done = true;
				break;
			}
			depth--;
		}
		if (done) break;
	}
	ts_tree_cursor_delete(&cur);
	free(stack);
	return n;
}

*/
import "C"

import (
	"fmt"

	sitter "github.com/smacker/go-tree-sitter"
)

// A flat tree is a tree-sitter tree copied into Go memory in one call
// into C: the extraction then moves about it without crossing into C.
// Each call into C costs about as much as the tree-sitter work of a step,
// and modelling a call takes dozens of steps (a node's type, its fields,
// its children, its parent), so that extraction had cost more than the
// parse. The copy holds what the extraction reads of a node: its type,
// range, first point, field in its parent, parent and children.
type flat struct {
	rec   []C.fsFlat // the nodes in document order
	nodes []node     // the handle of each
	kids  []int32    // the children of each node, contiguous per node
	named []int32    // the named children of each node, likewise
	at    []uint32   // per node, where its children start in kids
	namAt []uint32   // and in named
	pos   []uint32   // per node, its index among its parent's children
	names *symbolNames
	byID  map[uintptr]int32 // built for custom queries' captures
}

// symbolError is the symbol of tree-sitter's ERROR nodes.
const symbolError = 0xFFFF

// node is a node of a flat tree. A nil *node is no node.
type node struct {
	t *flat
	i int32
}

// symbolNames are a grammar's node type and field names by id.
type symbolNames struct {
	types  []string
	fields []string
	errors [2]string // the types of the symbols past the grammar's: ERROR, and its repeat
}

// newSymbolNames reads the names of the grammar ts.
func newSymbolNames(ts *sitter.Language) *symbolNames {
	s := &symbolNames{types: make([]string, ts.SymbolCount()), fields: []string{""}}
	for i := range s.types {
		s.types[i] = ts.SymbolName(sitter.Symbol(i))
	}
	for i := range s.errors {
		s.errors[i] = ts.SymbolName(sitter.Symbol(0xFFFF - i))
	}
	for id := 1; id < 1<<16; id++ {
		name := ts.FieldName(id)
		if name == "" {
			break
		}
		s.fields = append(s.fields, name)
	}
	return s
}

// fieldIDs returns the ids of the grammar's fields by name.
func (s *symbolNames) fieldIDs() map[string]uint16 {
	ids := make(map[string]uint16, len(s.fields))
	for id, name := range s.fields[1:] {
		ids[name] = uint16(id + 1)
	}
	return ids
}

// load copies the tree of root into f, reusing f's memory.
func (f *flat) load(root *sitter.Node, names *symbolNames) error {
	f.names, f.byID = names, nil
	if cap(f.rec) == 0 {
		f.rec = make([]C.fsFlat, 1024)
	}
	for {
		f.rec = f.rec[:cap(f.rec)]
		n := int(C.fs_flatten(cnode(root), &f.rec[0], C.uint32_t(len(f.rec))))
		if n == 0 {
			return fmt.Errorf("%w: out of memory copying the tree", ErrParse)
		}
		if n <= len(f.rec) {
			f.rec = f.rec[:n]
			break
		}
		f.rec = make([]C.fsFlat, n)
	}
	n := len(f.rec)
	f.nodes = grow(f.nodes, n)
	f.at, f.namAt, f.pos = grow(f.at, n), grow(f.namAt, n), grow(f.pos, n)
	var kids, named uint32
	for i := range f.rec {
		r := &f.rec[i]
		f.nodes[i] = node{t: f, i: int32(i)}
		f.at[i], f.namAt[i] = kids, named
		kids += uint32(r.kids)
		named += uint32(r.named)
		f.pos[i] = 0
	}
	f.kids, f.named = grow(f.kids, int(kids)), grow(f.named, int(named))
	// The walk met each node's children in order: each goes next in its
	// parent's lists, and pos counts the parent's children so far until
	// it is each child's own index.
	for i := 1; i < n; i++ {
		p := f.rec[i].parent
		k := f.pos[p]
		f.kids[f.at[p]+k] = int32(i)
		f.pos[p]++
	}
	for p := 0; p < n; p++ {
		m := f.namAt[p]
		for _, c := range f.kids[f.at[p] : f.at[p]+uint32(f.rec[p].kids)] {
			if f.rec[c].is_named != 0 {
				f.named[m] = c
				m++
			}
		}
	}
	for p := 0; p < n; p++ {
		for k, c := range f.kids[f.at[p] : f.at[p]+uint32(f.rec[p].kids)] {
			f.pos[c] = uint32(k)
		}
	}
	f.pos[0] = 0
	return nil
}

// grow returns s with length n, reusing its memory.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// root returns the root of f.
func (f *flat) root() *node { return &f.nodes[0] }

// of returns the node of f that n is, nil if none.
func (f *flat) of(n *sitter.Node) *node { return f.ofID(uintptr(cnode(n).id)) }

// ofID returns the node of f whose TSNode id is id, nil if none.
func (f *flat) ofID(id uintptr) *node {
	if f.byID == nil {
		f.byID = make(map[uintptr]int32, len(f.rec))
		for i := range f.rec {
			f.byID[uintptr(f.rec[i].id)] = int32(i)
		}
	}
	i, ok := f.byID[id]
	if !ok {
		return nil
	}
	return &f.nodes[i]
}

func (n *node) rec() *C.fsFlat { return &n.t.rec[n.i] }

// Type returns the node's type, as tree-sitter's ts_node_type.
func (n *node) Type() string {
	sym := int(n.rec().symbol)
	if types := n.t.names.types; sym < len(types) {
		return types[sym]
	}
	if i := 0xFFFF - sym; i < len(n.t.names.errors) {
		return n.t.names.errors[i]
	}
	return ""
}

// StartByte returns the offset of the node's first byte.
func (n *node) StartByte() uint32 { return uint32(n.rec().start) }

// EndByte returns the offset past the node's last byte.
func (n *node) EndByte() uint32 { return uint32(n.rec().end) }

// StartPoint returns the row and byte column of the node's first byte.
func (n *node) StartPoint() sitter.Point {
	r := n.rec()
	return sitter.Point{Row: uint32(r.row), Column: uint32(r.column)}
}

// ID returns an id of the node, unique within its tree.
func (n *node) ID() uintptr { return uintptr(n.i) }

// Equal reports whether n and o are the same node; nil is no node.
func (n *node) Equal(o *node) bool {
	if n == nil || o == nil {
		return n == o
	}
	return n.t == o.t && n.i == o.i
}

// Parent returns the node's parent, nil for the root.
func (n *node) Parent() *node {
	p := n.rec().parent
	if p < 0 {
		return nil
	}
	return &n.t.nodes[p]
}

// ChildCount returns the number of the node's children.
func (n *node) ChildCount() uint32 { return uint32(n.rec().kids) }

// Child returns the node's child i, nil if none.
func (n *node) Child(i int) *node {
	if i < 0 || i >= int(n.rec().kids) {
		return nil
	}
	return &n.t.nodes[n.t.kids[int(n.t.at[n.i])+i]]
}

// NamedChildCount returns the number of the node's named children.
func (n *node) NamedChildCount() uint32 { return uint32(n.rec().named) }

// NamedChild returns the node's named child i, nil if none.
func (n *node) NamedChild(i int) *node {
	if i < 0 || i >= int(n.rec().named) {
		return nil
	}
	return &n.t.nodes[n.t.named[int(n.t.namAt[n.i])+i]]
}

// FieldNameForChild returns the name of the field of the node's child i,
// "" if it is in none.
func (n *node) FieldNameForChild(i int) string {
	c := n.Child(i)
	if c == nil || n.rec().symbol == symbolError {
		return ""
	}
	return n.t.names.fields[c.rec().field]
}

// PrevSibling returns the child of the node's parent before it, nil if
// none.
func (n *node) PrevSibling() *node {
	p := n.Parent()
	if p == nil {
		return nil
	}
	return p.Child(int(n.t.pos[n.i]) - 1)
}

// fieldChild returns the node's first child in the field with id, nil if
// none, as ts_node_child_by_field_id finds it. A child can be in more
// than one field, and the copy knows only the first (the one a tree
// cursor names): where an earlier child is in a field, the child the
// copy finds may not be the first in this one, and tree-sitter is asked.
func (n *node) fieldChild(id uint16) *node {
	t := n.t
	if t.rec[n.i].symbol == symbolError {
		// A tree cursor names fields of a hidden node's rule also under
		// an ERROR; ts_node_child_by_field_id, which the extraction was
		// written against, finds none in one.
		return nil
	}
	kids := t.kids[t.at[n.i] : t.at[n.i]+uint32(t.rec[n.i].kids)]
	fielded := false
	for _, c := range kids {
		switch f := uint16(t.rec[c].field); {
		case f == id && !fielded:
			return &t.nodes[c]
		case f != 0:
			fielded = true
		}
	}
	if !fielded {
		// No child is in a field: none is in this one.
		return nil
	}
	found := C.fs_flat_field(&t.rec[n.i], C.uint16_t(id))
	if found == 0 {
		return nil
	}
	for _, c := range kids {
		if t.rec[c].id == found {
			return &t.nodes[c]
		}
	}
	return t.ofID(uintptr(found))
}

// release ends the use of f's tree. The memory of a large one is let go,
// so that one big file does not stay with a worker for the rest of a run.
func (f *flat) release() {
	f.byID = nil
	if cap(f.rec) > 1<<16 {
		*f = flat{}
	}
}
