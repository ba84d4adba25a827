package treesitter

/*
#include <stdint.h>

#include "treesitter.h"
*/
import "C"

import (
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// cnode returns the TSNode of n: the one a sitter.Node holds as its first
// field, for the calls into C that take a tree from go-tree-sitter
// (TestFlatTree and TestWalkMatchesQuery would fail if a new version of
// go-tree-sitter moved it).
func cnode(n *sitter.Node) C.fsNode {
	return *(*C.fsNode)(unsafe.Pointer(n))
}

// field returns n's child in the named field, nil if none, as Node's
// ChildByFieldName does.
func (x *extraction) field(n *node, name string) *node {
	id, ok := x.lang.fields[name]
	if !ok {
		return nil
	}
	return n.fieldChild(id)
}

// parent returns the parent of n in the tree being extracted.
func (x *extraction) parent(n *node) *node { return n.Parent() }
