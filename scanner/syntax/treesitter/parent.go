package treesitter

/*
#include <stdbool.h>
#include <stdint.h>

// fsNode and fsCursor are TSNode and TSTreeCursor of tree-sitter's api.h,
// passed by value as the C library defines them; the functions are the
// library's own, linked in with go-tree-sitter.
typedef struct { uint32_t context[4]; const void *id; const void *tree; } fsNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } fsCursor;

uint32_t ts_node_start_byte(fsNode);
uint32_t ts_node_end_byte(fsNode);
fsNode ts_node_parent(fsNode);
fsNode ts_node_child_by_field_id(fsNode, uint16_t);
fsCursor ts_tree_cursor_new(fsNode);
void ts_tree_cursor_delete(fsCursor *);
void ts_tree_cursor_reset(fsCursor *, fsNode);
fsNode ts_tree_cursor_current_node(const fsCursor *);
bool ts_tree_cursor_goto_parent(fsCursor *);
bool ts_tree_cursor_goto_next_sibling(fsCursor *);
int64_t ts_tree_cursor_goto_first_child_for_byte(fsCursor *, uint32_t);

// fs_covers reports whether a's range covers b's.
static bool fs_covers(fsNode a, fsNode b) {
	return ts_node_start_byte(a) <= ts_node_start_byte(b) && ts_node_end_byte(b) <= ts_node_end_byte(a);
}

// fs_same_range reports whether a and b span the same bytes.
static bool fs_same_range(fsNode a, fsNode b) {
	return ts_node_start_byte(a) == ts_node_start_byte(b) && ts_node_end_byte(a) == ts_node_end_byte(b);
}

// fs_locate moves the cursor onto n, reporting whether it found it.
static bool fs_locate(fsCursor *cur, fsNode root, fsNode n) {
	fsNode c = ts_tree_cursor_current_node(cur);
	// Up to a node that strictly covers n (a node with n's very range may
	// be n's ancestor or its descendant), or the root.
	while (c.id != n.id && (!fs_covers(c, n) || fs_same_range(c, n))) {
		if (!ts_tree_cursor_goto_parent(cur)) {
			break;
		}
		c = ts_tree_cursor_current_node(cur);
	}
	// Down to n.
	uint32_t start = ts_node_start_byte(n);
	while (c.id != n.id) {
		if (!fs_covers(c, n) || ts_tree_cursor_goto_first_child_for_byte(cur, start) < 0) {
			ts_tree_cursor_reset(cur, root);
			return false;
		}
		c = ts_tree_cursor_current_node(cur);
		while (!fs_covers(c, n) && ts_node_start_byte(c) <= start) {
			if (!ts_tree_cursor_goto_next_sibling(cur)) {
				ts_tree_cursor_reset(cur, root);
				return false;
			}
			c = ts_tree_cursor_current_node(cur);
		}
	}
	return true;
}

// fs_parent returns the parent of n, a node with a NULL id for the root.
static fsNode fs_parent(fsCursor *cur, fsNode root, fsNode n) {
	if (!fs_locate(cur, root, n)) {
		return ts_node_parent(n); // a node the cursor cannot reach by its range (zero width)
	}
	if (!ts_tree_cursor_goto_parent(cur)) {
		fsNode none = {0};
		return none;
	}
	return ts_tree_cursor_current_node(cur);
}
*/
import "C"

import (
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// The helpers here do in one call into C what go-tree-sitter's methods do
// in many: each call into C costs about as much as the tree-sitter work of
// a step, and extraction takes many steps per node. They read the TSNode a
// sitter.Node holds as its first field (TestNodeHelpers checks it).

// cnode returns the TSNode of n.
func cnode(n *sitter.Node) C.fsNode {
	return *(*C.fsNode)(unsafe.Pointer(n))
}

// wrap returns c as a node of the tree of like, nil for a null node.
func wrap(like *sitter.Node, c C.fsNode) *sitter.Node {
	if c.id == nil {
		return nil
	}
	n := new(sitter.Node)
	*n = *like
	*(*C.fsNode)(unsafe.Pointer(n)) = c
	return n
}

// field returns n's child in the named field, nil if none: Node's
// ChildByFieldName without copying the name to C memory and back, nor
// looking it up among the grammar's field names in C, one by one.
func (x *extraction) field(n *sitter.Node, name string) *sitter.Node {
	id, ok := x.lang.fields[name]
	if !ok {
		return nil
	}
	return wrap(n, C.ts_node_child_by_field_id(cnode(n), C.uint16_t(id)))
}

// fieldIDs returns the ids of the fields of a grammar by name.
func fieldIDs(ts *sitter.Language) map[string]uint16 {
	ids := map[string]uint16{}
	for id := 1; id < 1<<16; id++ {
		name := ts.FieldName(id)
		if name == "" {
			break
		}
		ids[name] = uint16(id)
	}
	return ids
}

// parents finds the parents of nodes with one tree cursor. Tree-sitter's
// nodes do not know their parent: Node.Parent walks down from the root,
// so asking it for the parent of each of n nested calls takes time
// quadratic in n. The cursor instead moves from the node it was last
// asked about to the next one, up and then down; the extraction asks
// about nodes in about document order, so the moves add up to about the
// size of the tree. The moves are made in C, in one call per parent.
type parents struct {
	cur  C.fsCursor
	root *sitter.Node
}

func newParents(root *sitter.Node) *parents {
	return &parents{cur: C.ts_tree_cursor_new(cnode(root)), root: root}
}

func (p *parents) close() { C.ts_tree_cursor_delete(&p.cur) }

// of returns the parent of n, nil for the root.
func (p *parents) of(n *sitter.Node) *sitter.Node {
	return wrap(n, C.fs_parent(&p.cur, cnode(p.root), cnode(n)))
}

// parent returns the parent of n in the tree being extracted.
func (x *extraction) parent(n *sitter.Node) *sitter.Node {
	if x.parents == nil {
		return n.Parent()
	}
	return x.parents.of(n)
}
