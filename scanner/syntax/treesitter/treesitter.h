// Types shared by the cgo preambles of this package.

#ifndef FLAGSCAN_TREESITTER_H
#define FLAGSCAN_TREESITTER_H

#include <stdbool.h>
#include <stdint.h>

// fsNode and fsCursor are TSNode and TSTreeCursor of tree-sitter's api.h,
// passed by value as the C library defines them; the functions declared
// in the preambles are the library's own, linked in with go-tree-sitter.
typedef struct { uint32_t context[4]; const void *id; const void *tree; } fsNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } fsCursor;

// fsFlat is one node of a flattened tree; see flat in flat.go. It holds
// no pointer, so that Go passes an array of them to C without looking
// through it: the TSNode is its context, id and tree.
typedef struct {
	uint32_t context[4];
	uintptr_t id, tree;
	uint32_t start, end, row, column;
	int32_t parent;
	uint32_t depth, kids, named;
	uint16_t symbol, field;
	uint8_t is_named;
} fsFlat;

#endif
