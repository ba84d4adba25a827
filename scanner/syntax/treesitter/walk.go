package treesitter

/*
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct { uint32_t context[4]; const void *id; const void *tree; } fsNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } fsCursor;

uint16_t ts_node_symbol(fsNode);
const void *ts_tree_language(const void *);
uint32_t ts_language_symbol_count(const void *);
uint16_t ts_language_symbol_for_name(const void *, const char *, uint32_t, bool);
fsCursor ts_tree_cursor_new(fsNode);
void ts_tree_cursor_delete(fsCursor *);
fsNode ts_tree_cursor_current_node(const fsCursor *);
bool ts_tree_cursor_goto_first_child(fsCursor *);
bool ts_tree_cursor_goto_next_sibling(fsCursor *);
bool ts_tree_cursor_goto_parent(fsCursor *);

#define FS_WALK_SLOTS 2

// fsCapture is a node the walk captured, with the index of the capture.
typedef struct { fsNode node; uint32_t capture; } fsCapture;

// fsWalk is a walk over a tree in document order, resumable.
typedef struct { fsCursor cur; bool done; } fsWalk;

// fs_walk_next continues the walk and fills out with up to cap captures:
// each node whose symbol the table maps to captures (FS_WALK_SLOTS per
// symbol, capture index + 1, 0 for none), in document order and, for one
// node, in the table's order. It returns how many it filled, fewer than
// cap only at the end of the tree.
static uint32_t fs_walk_next(fsWalk *w, const uint8_t *table, uint32_t symbols, fsCapture *out, uint32_t cap) {
	uint32_t n = 0;
	while (!w->done && n + FS_WALK_SLOTS <= cap) {
		fsNode node = ts_tree_cursor_current_node(&w->cur);
		uint16_t sym = ts_node_symbol(node);
		if (sym < symbols) {
			for (int j = 0; j < FS_WALK_SLOTS && table[sym * FS_WALK_SLOTS + j]; j++) {
				out[n].node = node;
				out[n].capture = table[sym * FS_WALK_SLOTS + j] - 1;
				n++;
			}
		}
		if (ts_tree_cursor_goto_first_child(&w->cur)) {
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(&w->cur)) {
			if (!ts_tree_cursor_goto_parent(&w->cur)) {
				w->done = true;
				break;
			}
		}
	}
	return n;
}

static uint32_t fs_symbol_count(fsNode n) { return ts_language_symbol_count(ts_tree_language(n.tree)); }

static uint16_t fs_symbol_for_name(fsNode n, const char *name, uint32_t len) {
	return ts_language_symbol_for_name(ts_tree_language(n.tree), name, len, true);
}
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// walkSlots is how many patterns of a walkQuery may capture one node type.
const walkSlots = C.FS_WALK_SLOTS

// walkQuery is a query whose every pattern captures one node by its type,
// (type) @capture or [(a) (b)] @capture, with no field, child or
// predicate: what the built-in queries of most grammars are. It runs as one
// walk over the tree in C, which yields the captures a tree-sitter query
// cursor yields, in the same order (document order; for one node, pattern
// order), without compiling the query, which for the larger grammars
// costs tens of milliseconds per query and process (C#, Kotlin), nor the
// query cursor's work and a call into C per capture.
type walkQuery struct {
	types   [][]string // the node types of each pattern
	capture []string   // the capture of each pattern
	names   []string   // the distinct capture names, by index

	once  sync.Once
	table []uint8 // per symbol, walkSlots capture indexes + 1
	err   error
}

// parseWalkQuery returns the walkQuery of src, false when src has
// patterns of other shapes.
func parseWalkQuery(src string) (*walkQuery, bool) {
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, ";") {
			lines = append(lines, l)
		}
	}
	s := strings.Join(lines, " ")
	// Tokens: "(", ")", "[", "]", "@name" and node types.
	s = strings.NewReplacer("(", " ( ", ")", " ) ", "[", " [ ", "]", " ] ").Replace(s)
	toks := strings.Fields(s)
	w := &walkQuery{}
	index := map[string]int{}
	for len(toks) > 0 {
		var types []string
		switch toks[0] {
		case "(":
			if len(toks) < 3 || toks[2] != ")" || !isNodeType(toks[1]) {
				return nil, false
			}
			types, toks = []string{toks[1]}, toks[3:]
		case "[":
			toks = toks[1:]
			for len(toks) >= 3 && toks[0] == "(" && toks[2] == ")" && isNodeType(toks[1]) {
				types, toks = append(types, toks[1]), toks[3:]
			}
			if len(toks) == 0 || toks[0] != "]" || len(types) == 0 {
				return nil, false
			}
			toks = toks[1:]
		default:
			return nil, false
		}
		if len(toks) == 0 || !strings.HasPrefix(toks[0], "@") || len(toks[0]) < 2 {
			return nil, false
		}
		name := toks[0][1:]
		toks = toks[1:]
		if _, ok := index[name]; !ok {
			index[name] = len(w.names)
			w.names = append(w.names, name)
		}
		w.types = append(w.types, types)
		w.capture = append(w.capture, name)
	}
	if len(w.types) == 0 || len(w.names) > 254 {
		return nil, false
	}
	return w, true
}

// isNodeType reports a named node type: letters, digits and underscores.
func isNodeType(s string) bool {
	for _, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return s != "" && s != "_"
}

// compile builds the table of symbols of the language of the tree of n,
// once: each node type is the symbol a query names by it.
func (w *walkQuery) compile(n *sitter.Node) ([]uint8, error) {
	w.once.Do(func() {
		c := cnode(n)
		count := int(C.fs_symbol_count(c))
		table := make([]uint8, count*walkSlots)
		index := map[string]int{}
		for i, name := range w.names {
			index[name] = i
		}
		for p, types := range w.types {
			for _, t := range types {
				cs := C.CString(t)
				sym := int(C.fs_symbol_for_name(c, cs, C.uint32_t(len(t))))
				C.free(unsafe.Pointer(cs))
				if sym == 0 || sym >= count {
					w.err = fmt.Errorf("query: no node type %q", t)
					return
				}
				slot := table[sym*walkSlots : (sym+1)*walkSlots]
				j := 0
				for j < walkSlots && slot[j] != 0 {
					j++
				}
				if j == walkSlots {
					w.err = fmt.Errorf("query: node type %q in more than %d patterns", t, walkSlots)
					return
				}
				slot[j] = uint8(index[w.capture[p]] + 1)
			}
		}
		w.table = table
	})
	return w.table, w.err
}

// walkBatch is how many captures one call into C returns.
const walkBatch = 256

// walker yields the captures of a walkQuery over one tree.
type walker struct {
	w     C.fsWalk
	root  *sitter.Node
	table []uint8
	names []string
	buf   *[walkBatch]C.fsCapture // C memory
	n, at int
	open  bool
}

// newWalker returns a walker with its buffer; close frees them.
func newWalker() *walker {
	return &walker{buf: (*[walkBatch]C.fsCapture)(C.malloc(C.size_t(unsafe.Sizeof(C.fsCapture{})) * walkBatch))}
}

// free frees the walker's C memory.
func (wk *walker) free() {
	wk.stop()
	C.free(unsafe.Pointer(wk.buf))
}

// start starts a walk of the tree of root with q.
func (wk *walker) start(q *walkQuery, root *sitter.Node) error {
	table, err := q.compile(root)
	if err != nil {
		return err
	}
	wk.stop()
	wk.w = C.fsWalk{cur: C.ts_tree_cursor_new(cnode(root))}
	wk.root, wk.table, wk.names, wk.n, wk.at, wk.open = root, table, q.names, 0, 0, true
	return nil
}

// stop ends the walk, freeing its cursor.
func (wk *walker) stop() {
	if wk.open {
		C.ts_tree_cursor_delete(&wk.w.cur)
		wk.open = false
	}
}

// next returns the next capture: the node and the capture's name.
func (wk *walker) next() (*sitter.Node, string, bool) {
	if wk.at == wk.n {
		if !wk.open || bool(wk.w.done) {
			return nil, "", false
		}
		wk.n = int(C.fs_walk_next(&wk.w, (*C.uint8_t)(unsafe.Pointer(&wk.table[0])), C.uint32_t(len(wk.table)/walkSlots), &wk.buf[0], walkBatch))
		wk.at = 0
		if wk.n == 0 {
			return nil, "", false
		}
	}
	c := &wk.buf[wk.at]
	wk.at++
	return wrap(wk.root, c.node), wk.names[c.capture], true
}
