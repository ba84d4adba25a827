package treesitter

/*
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "treesitter.h"

uint32_t ts_node_start_byte(fsNode);
uint16_t ts_node_symbol(fsNode);
const void *ts_tree_language(const void *);
uint32_t ts_language_symbol_count(const void *);
uint16_t ts_language_symbol_for_name(const void *, const char *, uint32_t, bool);
uint16_t ts_language_field_id_for_name(const void *, const char *, uint32_t);

#define FS_WALK_SLOTS 2

// fsSlot is a pattern that captures a node of a symbol by its type alone.
typedef struct { uint8_t capture; uint8_t pattern; } fsSlot; // capture + 1, 0 for none

// fsChild is a pattern of a node and one of its children: (root (child))
// or (root field: (child)), capturing the root or the child.
typedef struct { uint16_t root, child, field; uint8_t on_root, capture, pattern; } fsChild;

// fsCapture is a node the walk captured, with the index of the capture.
typedef struct { uint32_t index, capture; } fsCapture;

typedef struct { uint32_t index, start, pattern, capture, seq; } fsFinished;
typedef struct { uint32_t index, start, pattern, capture, depth, child; } fsPending;

// fsWalk is a walk over a tree in document order, resumable. Patterns of
// a node alone are finished when the node is met; a pattern of a node and
// its child is pending from the node until the child, and while it is,
// the captures after its node wait: they come out as a tree-sitter query
// cursor gives them, ordered by start byte then pattern, each as soon as
// no pending pattern could come before it.
typedef struct {
	bool done;
	uint16_t *syms; uint32_t nsyms; // the symbol at each depth above the node
	fsPending *pending; uint32_t npending, cpending;
	fsFinished *heap; uint32_t nheap, cheap;
	uint32_t seq;
	uint32_t visits; // the nodes met so far: the index of the next, in document order
} fsWalk;

static bool fs_before(const fsFinished *a, const fsFinished *b) {
	if (a->start != b->start) return a->start < b->start;
	if (a->pattern != b->pattern) return a->pattern < b->pattern;
	return a->seq < b->seq;
}

static bool fs_push(fsWalk *w, uint32_t index, uint32_t start, uint32_t pattern, uint32_t capture) {
	if (w->nheap == w->cheap) {
		uint32_t c = w->cheap ? 2 * w->cheap : 64;
		fsFinished *h = realloc(w->heap, c * sizeof(fsFinished));
		if (!h) return false;
		w->heap = h;
		w->cheap = c;
	}
	fsFinished f = {index, start, pattern, capture, w->seq++};
	uint32_t i = w->nheap++;
	while (i > 0) {
		uint32_t up = (i - 1) / 2;
		if (!fs_before(&f, &w->heap[up])) break;
		w->heap[i] = w->heap[up];
		i = up;
	}
	w->heap[i] = f;
	return true;
}

static void fs_pop(fsWalk *w) {
	fsFinished last = w->heap[--w->nheap];
	uint32_t i = 0;
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		const fsFinished *best = &last;
		if (l < w->nheap && fs_before(&w->heap[l], best)) { m = l; best = &w->heap[l]; }
		if (r < w->nheap && fs_before(&w->heap[r], best)) { m = r; }
		if (m == i) break;
		w->heap[i] = w->heap[m];
		i = m;
	}
	if (w->nheap > 0) w->heap[i] = last;
}

// fs_blocked reports whether a pending pattern could still give a capture
// that comes before f.
static bool fs_blocked(const fsWalk *w, const fsFinished *f) {
	for (uint32_t i = 0; i < w->npending; i++) {
		const fsPending *p = &w->pending[i];
		if (p->start < f->start || (p->start == f->start && p->pattern <= f->pattern)) return true;
	}
	return false;
}

// fs_visit meets node, the next in document order; false when out of memory.
static bool fs_visit(fsWalk *w, const fsFlat *node, const fsSlot *slots, uint32_t symbols, const fsChild *children, uint32_t nchildren) {
	uint16_t sym = node->symbol;
	uint16_t field = node->field;
	uint32_t d = node->depth;
	uint32_t index = w->visits++, start = node->start;
	// The patterns pending on nodes this one is not inside are over.
	for (uint32_t i = 0; i < w->npending;) {
		if (w->pending[i].depth >= d) {
			w->pending[i] = w->pending[--w->npending];
		} else {
			i++;
		}
	}
	// This node may be the child a pattern of its parent waits for.
	uint16_t parent = d > 0 ? w->syms[d - 1] : 0;
	for (uint32_t i = 0; i < w->npending;) {
		fsPending *p = &w->pending[i];
		const fsChild *c = &children[p->child];
		if (p->depth + 1 == d && (c->field == 0 || c->field == field)) {
			if (c->child == sym) {
				if (!fs_push(w, p->index, p->start, p->pattern, p->capture)) return false;
				w->pending[i] = w->pending[--w->npending];
				continue;
			}
			if (c->field != 0) {
				// The one child of the field is not the one asked for.
				w->pending[i] = w->pending[--w->npending];
				continue;
			}
		}
		i++;
	}
	for (uint32_t i = 0; i < nchildren; i++) {
		const fsChild *c = &children[i];
		if (!c->on_root && d > 0 && c->root == parent && c->child == sym && c->field == field) {
			if (!fs_push(w, index, start, c->pattern, c->capture)) return false;
		}
	}
	if (sym < symbols) {
		for (int j = 0; j < FS_WALK_SLOTS && slots[sym * FS_WALK_SLOTS + j].capture; j++) {
			const fsSlot *s = &slots[sym * FS_WALK_SLOTS + j];
			if (!fs_push(w, index, start, s->pattern, s->capture - 1)) return false;
		}
	}
	for (uint32_t i = 0; i < nchildren; i++) {
		const fsChild *c = &children[i];
		if (c->on_root && c->root == sym) {
			if (w->npending == w->cpending) {
				uint32_t n = w->cpending ? 2 * w->cpending : 16;
				fsPending *pp = realloc(w->pending, n * sizeof(fsPending));
				if (!pp) return false;
				w->pending = pp;
				w->cpending = n;
			}
			fsPending p = {index, start, c->pattern, c->capture, d, i};
			w->pending[w->npending++] = p;
		}
	}
	if (d >= w->nsyms) {
		uint32_t n = w->nsyms ? 2 * w->nsyms : 64;
		uint16_t *s = realloc(w->syms, n * sizeof(uint16_t));
		if (!s) return false;
		w->syms = s;
		w->nsyms = n;
	}
	w->syms[d] = sym;
	return true;
}

// fs_walk_next continues the walk and fills out with up to cap captures,
// in the order a query cursor gives them. It returns how many it filled,
// fewer than cap only at the end of the tree, or -1 when out of memory.
static int64_t fs_walk_next(fsWalk *w, const fsFlat *nodes, uint32_t count, const fsSlot *slots, uint32_t symbols, const fsChild *children, uint32_t nchildren, fsCapture *out, uint32_t cap) {
	uint32_t n = 0;
	for (;;) {
		while (w->nheap > 0 && n < cap && (w->done || !fs_blocked(w, &w->heap[0]))) {
			out[n].index = w->heap[0].index;
			out[n].capture = w->heap[0].capture;
			n++;
			fs_pop(w);
		}
		if (n == cap || w->done) return n;
		if (w->visits == count) {
			w->done = true;
			w->npending = 0;
			continue;
		}
		if (!fs_visit(w, &nodes[w->visits], slots, symbols, children, nchildren)) return -1;
	}
}

static void fs_walk_free(fsWalk *w) {
	free(w->syms);
	free(w->pending);
	free(w->heap);
}

static uint32_t fs_symbol_count(fsNode n) { return ts_language_symbol_count(ts_tree_language(n.tree)); }

static uint16_t fs_symbol_for_name(fsNode n, const char *name, uint32_t len) {
	return ts_language_symbol_for_name(ts_tree_language(n.tree), name, len, true);
}

static uint16_t fs_field_for_name(fsNode n, const char *name, uint32_t len) {
	return ts_language_field_id_for_name(ts_tree_language(n.tree), name, len);
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

// walkQuery is a query whose patterns are of the shapes the built-in
// queries are made of: a node by its type, (type) @capture or [(a) (b)]
// @capture, and a node with a child of a type, (type (child)) @capture,
// (type field: (child)) @capture or (type field: (child) @capture). It
// runs as one walk in C over the flat copy of the tree (see flat), which
// yields the captures a tree-sitter query cursor yields, in the same
// order (see fsWalk), without
// compiling the query, which for the larger grammars costs tens of
// milliseconds per query and process (C# 55 ms, Kotlin 43), nor the query
// cursor's work and a call into C per capture.
type walkQuery struct {
	patterns []walkPattern
	names    []string // the distinct capture names, by index

	once     sync.Once
	slots    []C.fsSlot // per symbol, walkSlots patterns
	children []C.fsChild
	err      error
}

// walkPattern is one pattern of a walkQuery.
type walkPattern struct {
	types   []string // the node types it captures alone, or the root's
	child   string   // the child's type, "" for none
	field   string   // the child's field, "" for any
	onChild bool     // the capture is the child's
	capture int      // index into names
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
	// Tokens: "(", ")", "[", "]", "@name", "field:" and node types.
	s = strings.NewReplacer("(", " ( ", ")", " ) ", "[", " [ ", "]", " ] ").Replace(s)
	w := &walkQuery{}
	index := map[string]int{}
	capture := func(tok string) (int, bool) {
		name, ok := strings.CutPrefix(tok, "@")
		if !ok || !isNodeType(name) {
			return 0, false
		}
		if _, ok := index[name]; !ok {
			index[name] = len(w.names)
			w.names = append(w.names, name)
		}
		return index[name], true
	}
	// node reads "( type )" from toks.
	node := func(toks []string) (string, []string, bool) {
		if len(toks) < 3 || toks[0] != "(" || toks[2] != ")" || !isNodeType(toks[1]) {
			return "", toks, false
		}
		return toks[1], toks[3:], true
	}
	for toks := strings.Fields(s); len(toks) > 0; {
		var (
			p  walkPattern
			ok bool
		)
		switch {
		case toks[0] == "[":
			toks = toks[1:]
			for len(toks) > 0 && toks[0] == "(" {
				var t string
				if t, toks, ok = node(toks); !ok {
					return nil, false
				}
				p.types = append(p.types, t)
			}
			if len(toks) == 0 || toks[0] != "]" || len(p.types) == 0 {
				return nil, false
			}
			toks = toks[1:]
		case len(toks) >= 3 && toks[0] == "(" && toks[2] == ")":
			var t string
			if t, toks, ok = node(toks); !ok {
				return nil, false
			}
			p.types = []string{t}
		case len(toks) >= 2 && toks[0] == "(" && isNodeType(toks[1]):
			// (type [field:] (child) [@capture])
			p.types, toks = []string{toks[1]}, toks[2:]
			if len(toks) > 0 && strings.HasSuffix(toks[0], ":") {
				if p.field = strings.TrimSuffix(toks[0], ":"); !isNodeType(p.field) {
					return nil, false
				}
				toks = toks[1:]
			}
			if p.child, toks, ok = node(toks); !ok {
				return nil, false
			}
			if len(toks) > 0 && strings.HasPrefix(toks[0], "@") {
				if p.capture, ok = capture(toks[0]); !ok {
					return nil, false
				}
				p.onChild, toks = true, toks[1:]
			}
			if len(toks) == 0 || toks[0] != ")" {
				return nil, false
			}
			toks = toks[1:]
			if p.onChild {
				w.patterns = append(w.patterns, p)
				continue
			}
		default:
			return nil, false
		}
		if len(toks) == 0 {
			return nil, false
		}
		if p.capture, ok = capture(toks[0]); !ok {
			return nil, false
		}
		toks = toks[1:]
		w.patterns = append(w.patterns, p)
	}
	if len(w.patterns) == 0 || len(w.patterns) > 255 || len(w.names) > 254 {
		return nil, false
	}
	return w, true
}

// isNodeType reports a named node type or field: letters, digits and
// underscores.
func isNodeType(s string) bool {
	for _, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return s != "" && s != "_"
}

// compile builds the tables of the walk for the language of the tree of n,
// once: each node type is the symbol a query names by it, each field the
// field id.
func (w *walkQuery) compile(n *sitter.Node) error {
	w.once.Do(func() { w.err = w.build(cnode(n)) })
	return w.err
}

func (w *walkQuery) build(c C.fsNode) error {
	count := int(C.fs_symbol_count(c))
	w.slots = make([]C.fsSlot, count*walkSlots)
	symbol := func(t string) (C.uint16_t, error) {
		cs := C.CString(t)
		defer C.free(unsafe.Pointer(cs))
		sym := C.fs_symbol_for_name(c, cs, C.uint32_t(len(t)))
		if sym == 0 || int(sym) >= count {
			return 0, fmt.Errorf("query: no node type %q", t)
		}
		return sym, nil
	}
	for p, pat := range w.patterns {
		if pat.child != "" {
			ch := C.fsChild{on_root: C.uint8_t(1), capture: C.uint8_t(pat.capture), pattern: C.uint8_t(p)}
			if pat.onChild {
				ch.on_root = 0
			}
			var err error
			if ch.root, err = symbol(pat.types[0]); err != nil {
				return err
			}
			if ch.child, err = symbol(pat.child); err != nil {
				return err
			}
			if pat.field != "" {
				cs := C.CString(pat.field)
				ch.field = C.fs_field_for_name(c, cs, C.uint32_t(len(pat.field)))
				C.free(unsafe.Pointer(cs))
				if ch.field == 0 {
					return fmt.Errorf("query: no field %q", pat.field)
				}
			}
			w.children = append(w.children, ch)
			continue
		}
		for _, t := range pat.types {
			sym, err := symbol(t)
			if err != nil {
				return err
			}
			slot := w.slots[int(sym)*walkSlots : (int(sym)+1)*walkSlots]
			j := 0
			for j < walkSlots && slot[j].capture != 0 {
				j++
			}
			if j == walkSlots {
				return fmt.Errorf("query: node type %q in more than %d patterns", t, walkSlots)
			}
			slot[j] = C.fsSlot{capture: C.uint8_t(pat.capture + 1), pattern: C.uint8_t(p)}
		}
	}
	return nil
}

// walkBatch is how many captures one call into C returns.
const walkBatch = 256

// walker yields the captures of a walkQuery over one tree.
type walker struct {
	w    C.fsWalk
	tree *flat
	q    *walkQuery
	buf  *[walkBatch]C.fsCapture // C memory
	n    int
	at   int
	open bool
	err  error
}

// newWalker returns a walker with its buffer; free frees them.
func newWalker() *walker {
	return &walker{buf: (*[walkBatch]C.fsCapture)(C.malloc(C.size_t(unsafe.Sizeof(C.fsCapture{})) * walkBatch))}
}

// free frees the walker's C memory.
func (wk *walker) free() {
	wk.stop()
	C.free(unsafe.Pointer(wk.buf))
}

// start starts a walk with q of tree, the flat copy of the tree of root.
func (wk *walker) start(q *walkQuery, root *sitter.Node, tree *flat) error {
	if err := q.compile(root); err != nil {
		return err
	}
	wk.stop()
	wk.w = C.fsWalk{}
	wk.tree, wk.q, wk.n, wk.at, wk.open, wk.err = tree, q, 0, 0, true, nil
	return nil
}

// stop ends the walk, freeing its buffers.
func (wk *walker) stop() {
	if wk.open {
		C.fs_walk_free(&wk.w)
		wk.open = false
	}
}

// next returns the next capture: the node's index in document order (as
// flat numbers them) and the capture's name.
func (wk *walker) next() (int, string, bool) {
	if wk.at == wk.n {
		if !wk.open || bool(wk.w.done) && wk.w.nheap == 0 {
			return 0, "", false
		}
		var children *C.fsChild
		if len(wk.q.children) > 0 {
			children = &wk.q.children[0]
		}
		n := C.fs_walk_next(&wk.w, &wk.tree.rec[0], C.uint32_t(len(wk.tree.rec)), &wk.q.slots[0], C.uint32_t(len(wk.q.slots)/walkSlots), children, C.uint32_t(len(wk.q.children)), &wk.buf[0], walkBatch)
		if n < 0 {
			wk.err = fmt.Errorf("%w: out of memory walking the tree", ErrParse)
			return 0, "", false
		}
		wk.n, wk.at = int(n), 0
		if wk.n == 0 {
			return 0, "", false
		}
	}
	c := &wk.buf[wk.at]
	wk.at++
	return int(c.index), wk.q.names[c.capture], true
}
