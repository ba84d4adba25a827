package treesitter

import sitter "github.com/smacker/go-tree-sitter"

// parents finds the parents of nodes with one tree cursor. Tree-sitter's
// nodes do not know their parent: Node.Parent walks down from the root,
// so asking it for the parent of each of n nested calls takes time
// quadratic in n. The cursor instead moves from the node it was last
// asked about to the next one, up and then down; the extraction asks
// about nodes in about document order, so the moves add up to about the
// size of the tree.
type parents struct {
	cur  *sitter.TreeCursor
	root *sitter.Node
}

func newParents(root *sitter.Node) *parents {
	return &parents{cur: sitter.NewTreeCursor(root), root: root}
}

func (p *parents) close() { p.cur.Close() }

// contains reports whether a's range covers b's.
func contains(a, b *sitter.Node) bool {
	return a.StartByte() <= b.StartByte() && b.EndByte() <= a.EndByte()
}

// sameRange reports whether a and b span the same bytes.
func sameRange(a, b *sitter.Node) bool {
	return a.StartByte() == b.StartByte() && a.EndByte() == b.EndByte()
}

// of returns the parent of n, nil for the root.
func (p *parents) of(n *sitter.Node) *sitter.Node {
	if !p.locate(n) {
		return n.Parent() // a node the cursor cannot reach by its range (zero width)
	}
	if !p.cur.GoToParent() {
		return nil
	}
	return p.cur.CurrentNode()
}

// locate moves the cursor onto n, reporting whether it found it.
func (p *parents) locate(n *sitter.Node) bool {
	c := p.cur.CurrentNode()
	// Up to a node that strictly covers n (a node with n's very range may
	// be n's ancestor or its descendant), or the root.
	for c.ID() != n.ID() && (!contains(c, n) || sameRange(c, n)) {
		if !p.cur.GoToParent() {
			break
		}
		c = p.cur.CurrentNode()
	}
	// Down to n.
	for c.ID() != n.ID() {
		if !contains(c, n) || p.cur.GoToFirstChildForByte(n.StartByte()) < 0 {
			p.cur.Reset(p.root)
			return false
		}
		c = p.cur.CurrentNode()
		for !contains(c, n) && c.StartByte() <= n.StartByte() {
			if !p.cur.GoToNextSibling() {
				p.cur.Reset(p.root)
				return false
			}
			c = p.cur.CurrentNode()
		}
	}
	return true
}

// parent returns the parent of n in the tree being extracted.
func (x *extraction) parent(n *sitter.Node) *sitter.Node {
	if x.parents == nil {
		return n.Parent()
	}
	return x.parents.of(n)
}
