// Package treesitter extracts the syntax model of a file with tree-sitter
// grammars: JavaScript, TypeScript, TSX, Go, Python, Java, Kotlin, Swift, C#
// and PHP.
//
// Each grammar comes with a query that captures the few kinds of node
// detection cares about (calls, comments, scopes, bindings). The query runs
// in C over the whole tree, as a walk that gives what a tree-sitter query
// cursor would (see walkQuery); Go only looks at what it captured, and
// builds a call only when its name is one the rules ask for. A Parser and its query
// cursors belong to one goroutine; the compiled queries in a Registry are
// shared.
package treesitter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// maxDepth bounds how deep expressions are modelled. Flag arguments are
// shallow (useFlagship({modifications: {requested: [{key}]}}) is five
// levels); deeper nesting is not a flag and must not cost a stack.
const maxDepth = 8

// maxUnwrap bounds how many wrappers (parentheses, await, casts) are looked
// through from a call up to the declaration it is assigned in. Each step up
// costs tree-sitter a walk from the root, so an unbounded climb out of
// thousands of nested parentheses would take quadratic time.
const maxUnwrap = 4

// ParseTimeout bounds the parse of the largest files. A parse of a file of
// n bytes may take parseTimeout(n): some grammars' scanners spin on some
// unfinished code (the Swift one on "{2(){s"), and the bound should cost
// such a file a second, not five. Tree-sitter's clock is the wall clock,
// so the bound keeps a wide margin over the normal time (a few
// megabytes a second) for a machine under load.
const ParseTimeout = 5 * time.Second

// parseTimeout returns the time a parse of n bytes may take.
func parseTimeout(n int) time.Duration {
	return min(time.Second+time.Duration(n)*5*time.Microsecond, ParseTimeout)
}

// arg is a call argument as a grammar finds it.
type arg struct {
	label string
	node  *node
}

// grammar teaches the extractor one tree-sitter language.
type grammar interface {
	// query returns the patterns to run over a tree. Each pattern captures
	// one node as @call, @comment, @scope or @binding.
	query() string
	// callee takes a node captured as @call (or met as a call's receiver)
	// apart: the called name and the node holding it, the receiver node
	// (nil for a bare function) and the arguments. A nil nameNode means the
	// node is not a call the grammar understands.
	callee(x *extraction, n *node) (name string, nameNode, receiver *node, args []arg)
	// expr models an expression node; it calls x.expr for sub-expressions.
	expr(x *extraction, n *node, depth int) syntax.Expr
	// bindings returns the names a node captured as @binding binds.
	bindings(x *extraction, n *node) []syntax.Binding
	// assigned returns the variable a call node's value is bound to, if the
	// call is the whole right-hand side of a declaration or assignment.
	assigned(x *extraction, n *node) string
}

// moduleGrammar is a grammar that also models what a file takes from and
// gives to other files, for keys named in one file and defined in another:
// its module query captures @import, @export, @package, @params and @type
// nodes. @type (a class, object, enum) is handled here; a declarer handles
// the others.
type moduleGrammar interface {
	// moduleQuery returns the patterns added to query's.
	moduleQuery() string
}

// declarer is a moduleGrammar whose module query captures more than
// @type.
type declarer interface {
	// declare records what a node captured as @import, @export,
	// @package or @params declares into x.file.
	declare(x *extraction, n *node, capture string)
}

// maxPath bounds the names of a member chain kept in Expr.Path: a key is
// named by two or three (FLAGS.CHECKOUT, Keys.Group.A.value).
const maxPath = 8

// namePath returns every name of a member chain of names, outermost
// first, or nil when the chain holds anything else. member is the node
// type of one access, with the object and the name in objectField and
// nameField; leaf reports the node types of a plain name.
func (x *extraction) namePath(n *node, member, objectField, nameField string, leaf func(string) bool) []string {
	return x.chainPath(n, func(n *node) (*node, *node) {
		if n.Type() != member {
			return nil, nil
		}
		return x.field(n, objectField), x.field(n, nameField)
	}, leaf)
}

// chainPath is namePath for grammars whose member accesses have no
// fields: split returns the object and name of an access, nils for
// anything else.
func (x *extraction) chainPath(n *node, split func(*node) (object, name *node), leaf func(string) bool) []string {
	var rev []string
	for n != nil && len(rev) < maxPath {
		if leaf(n.Type()) {
			rev = append(rev, x.text(n))
			path := make([]string, len(rev))
			for i, s := range rev {
				path[len(rev)-1-i] = s
			}
			return path
		}
		obj, name := split(n)
		if obj == nil || name == nil || !leaf(name.Type()) {
			return nil
		}
		rev = append(rev, x.text(name))
		n = obj
	}
	return nil
}

// openType is one of the types (classes, objects, enums) open at a point of the
// file, outermost first, for the members bound in them.
type openType struct {
	end  uint32
	name string
}

// owner returns the names of the types open at the current point, nil
// outside any.
func (x *extraction) owner() []string {
	if len(x.types) == 0 {
		return nil
	}
	out := make([]string, 0, len(x.types))
	for _, t := range x.types {
		if t.name != "" {
			out = append(out, t.name)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// language is one grammar with its compiled queries.
type language struct {
	name   string
	ts     *sitter.Language
	g      grammar
	base   compiled // the grammar's query
	custom []customQuery
	names  *symbolNames      // the grammar's node types and fields by id
	fields map[string]uint16 // the grammar's field ids by name

	moduleOnce sync.Once
	full       *compiled // the query with the module patterns; see module
	moduleErr  error
}

// compiled is a compiled query with its capture names by index, or a
// walkQuery.
type compiled struct {
	q       *sitter.Query
	capture []string
	walk    *walkQuery
}

type customQuery struct {
	rule string
	q    *sitter.Query
	key  uint32 // index of the @key capture
	// filter is set when the query has predicates (#eq?, #match?) that
	// must be applied in Go.
	filter bool
}

// extraction is the state of one file's extraction.
type extraction struct {
	lang   *language
	src    []byte
	file   *syntax.File
	names  map[string]bool
	calls  map[uintptr]*syntax.Call
	scope  int
	scopes []openScope
	types  []openType
	// nest counts the calls being modelled, one inside another's
	// arguments or receiver: past maxDepth a call is not looked into, so
	// that f(f(f(...))) nested thousands deep costs a few calls each.
	nest int
	// partial is set when the parse left blocks out: it records where
	// the extraction looked.
	partial *Partial
	tree    *flat
}

type openScope struct {
	end uint32
	id  int
}

// text returns the source text of n.
func (x *extraction) text(n *node) string {
	return string(x.src[n.StartByte():n.EndByte()])
}

// clipped returns the source text of n clipped as syntax.Clip does,
// copying only what it keeps: the text of each of thousands of nested
// expressions is the rest of the nest.
func (x *extraction) clipped(n *node) string {
	b := x.bytes(n)
	if len(b) > syntax.MaxText {
		b = b[:syntax.MaxText+1]
	}
	return syntax.Clip(string(b))
}

// bytes returns the source bytes of n without copying.
func (x *extraction) bytes(n *node) []byte {
	return x.src[n.StartByte():n.EndByte()]
}

// pos returns the position of n's first character.
func (x *extraction) pos(n *node) syntax.Pos {
	p := n.StartPoint()
	return syntax.Pos{Line: int(p.Row) + 1, Column: syntax.Column(x.src, int(n.StartByte()))}
}

// expr models n, or returns an Other expression past maxDepth.
func (x *extraction) expr(n *node, depth int) syntax.Expr {
	if n == nil {
		return syntax.Expr{}
	}
	if depth > maxDepth {
		return syntax.Expr{Kind: syntax.Other, Pos: x.pos(n), Text: x.clipped(n)}
	}
	e := x.lang.g.expr(x, n, depth+1)
	if e.Pos == (syntax.Pos{}) {
		e.Pos = x.pos(n)
	}
	if e.Text == "" {
		e.Text = x.clipped(n)
	}
	return e
}

// other is the model of an expression detection does not look into.
func (x *extraction) other(n *node) syntax.Expr {
	return syntax.Expr{Kind: syntax.Other}
}

// call returns the call modelled from node n, building it once per node.
// filtered reports whether the call's name must be one the rules want; a
// receiver is modelled whatever its name, as rules look through chains.
func (x *extraction) call(n *node, filtered bool) *syntax.Call {
	if c, ok := x.calls[n.ID()]; ok {
		return c
	}
	name, nameNode, recv, args := x.lang.g.callee(x, n)
	if nameNode == nil || (filtered && !x.names[name]) {
		return nil
	}
	c := &syntax.Call{
		Name:  name,
		Pos:   x.pos(nameNode),
		Scope: x.scope,
		Line:  int(n.StartPoint().Row) + 1,
	}
	x.calls[n.ID()] = c
	if x.partial != nil {
		x.partial.calls = append(x.partial.calls, Span{Start: int(n.StartByte()), End: int(n.EndByte())})
	}
	x.nest++
	defer func() { x.nest-- }()
	if recv != nil {
		r := x.expr(recv, 1)
		c.Receiver = &r
	}
	for _, a := range args {
		c.Args = append(c.Args, syntax.Arg{Label: a.label, Value: x.expr(a.node, 1)})
	}
	c.Assigned = x.lang.g.assigned(x, n)
	return c
}

// memberCallee takes apart the callee of a call n whose "function" field is
// an identifier (a bare call) or a member access of type member, with the
// called name and the object in its fields nameField and objectField. A nil
// name means neither.
func (x *extraction) memberCallee(n *node, member, nameField, objectField string) (name, recv *node) {
	fn := x.field(n, "function")
	if fn == nil {
		return nil, nil
	}
	switch fn.Type() {
	case "identifier":
		return fn, nil
	case member:
		return x.field(fn, nameField), x.field(fn, objectField)
	}
	return nil, nil
}

// subscriptCallee models a subscript n, object[index], as a call named
// "[]" with the index as its one argument, so that getFlags()["k"] is
// matched like getFlags().get("k").
func (x *extraction) subscriptCallee(n *node, indexField, objectField string) (string, *node, *node, []arg) {
	idx := x.field(n, indexField)
	if idx == nil {
		return "", nil, nil, nil
	}
	return "[]", idx, x.field(n, objectField), []arg{{node: idx}}
}

// callExpr models a call node met inside an expression.
func (x *extraction) callExpr(n *node) syntax.Expr {
	if x.nest >= maxDepth {
		return syntax.Expr{Kind: syntax.Other}
	}
	c := x.call(n, false)
	if c == nil {
		return syntax.Expr{Kind: syntax.Other}
	}
	return syntax.Expr{Kind: syntax.CallExpr, Call: c}
}

// ErrParse is wrapped by errors from a parse that did not complete.
var ErrParse = errors.New("parse failed")

// Parser extracts files. It holds one tree-sitter parser, query cursor and
// walker and must be used by one goroutine at a time.
type Parser struct {
	reg    *Registry
	parser *sitter.Parser
	cursor *sitter.QueryCursor
	walker *walker
	flat   flat // the tree being extracted, copied out of C
}

// NewParser returns a Parser using the registry's compiled queries.
func (r *Registry) NewParser() *Parser {
	parser := sitter.NewParser()
	return &Parser{reg: r, parser: parser, cursor: sitter.NewQueryCursor(), walker: newWalker()}
}

// Close frees the parser's C memory.
func (p *Parser) Close() {
	p.walker.free()
	p.cursor.Close()
	p.parser.Close()
}

// captures runs q over the tree of root and returns the function that
// yields its captures in order: the node and the capture's name.
func (p *Parser) captures(q *compiled, root *sitter.Node) (func() (*node, string, bool), error) {
	if q.walk != nil {
		if err := p.walker.start(q.walk, root, &p.flat); err != nil {
			return nil, err
		}
		return func() (*node, string, bool) {
			i, capture, ok := p.walker.next()
			if !ok {
				return nil, "", false
			}
			return &p.flat.nodes[i], capture, true
		}, nil
	}
	p.cursor.Exec(q.q, root)
	return func() (*node, string, bool) {
		for {
			m, idx, ok := p.cursor.NextCapture()
			if !ok {
				return nil, "", false
			}
			if n := p.flat.of(m.Captures[idx].Node); n != nil {
				return n, q.capture[m.Captures[idx].Index], true
			}
		}
	}, nil
}

// Extract parses src as the named language and returns its syntax model.
// The calls it models are those whose name is in names, and the calls they
// are chained on. It leaves out what the file imports and exports, the
// types its bindings are members of and the parameters of its functions:
// see ExtractModule.
func (p *Parser) Extract(ctx context.Context, lang string, src []byte, names map[string]bool) (*syntax.File, error) {
	return p.extract(ctx, lang, src, names, false, nil, nil, Previous{})
}

// ExtractModule is Extract with what the file imports, exports and
// declares (syntax.File Imports, Exports, Package, Binding.Owner and
// parameters): for a file whose keys are names, and for the files that
// define them.
func (p *Parser) ExtractModule(ctx context.Context, lang string, src []byte, names map[string]bool) (*syntax.File, error) {
	return p.extract(ctx, lang, src, names, true, nil, nil, Previous{})
}

// Previous says where the tree of a file's last version is kept, for the
// parse of its next (see Versions): a Versions and the file's path.
type Previous struct {
	Versions *Versions
	Path     string
}

// ExtractAfter is Extract, or ExtractModule when module is set, of a file
// whose last version prev may have kept: the file is parsed from that
// version's tree, and its tree kept for the next.
func (p *Parser) ExtractAfter(ctx context.Context, prev Previous, lang string, src []byte, names map[string]bool, module bool) (*syntax.File, error) {
	return p.extract(ctx, lang, src, names, module, nil, nil, prev)
}

// ExtractPartial is Extract with the content of the blocks in skip (from
// ColdBlocks) left out of the parse. What the file yields can then differ
// from what Extract gives only through what the Partial reports: the
// caller must check it (Partial.Trusted, Partial.Needed) and parse again
// with the blocks it needs.
func (p *Parser) ExtractPartial(ctx context.Context, lang string, src []byte, names map[string]bool, skip []Block) (*syntax.File, *Partial, error) {
	pa := &Partial{skip: skip, src: src}
	f, err := p.extract(ctx, lang, src, names, false, skip, pa, Previous{})
	return f, pa, err
}

func (p *Parser) extract(ctx context.Context, lang string, src []byte, names map[string]bool, module bool, skip []Block, pa *Partial, prev Previous) (*syntax.File, error) {
	z, ok := p.reg.langs[lang]
	if !ok {
		return nil, fmt.Errorf("no grammar for language %q", lang)
	}
	l, err := z.get()
	if err != nil {
		return nil, err
	}
	q := &l.base
	if module {
		if q, err = l.module(); err != nil {
			return nil, err
		}
	}
	p.parser.SetLanguage(l.ts)
	if lang == "swift" && len(src) > 0 && src[len(src)-1] != '\n' {
		// tree-sitter-swift's scanner can spin until the timeout at an end
		// of file right after "=", "try" or "await"; a newline past the
		// end moves no position.
		src = append(src[:len(src):len(src)], '\n')
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Tree-sitter's own clock bounds the parse. A cancellable context would
	// too, but go-tree-sitter watches it from a goroutine that can set the
	// parser's cancel flag after the parse is over, failing every later
	// parse on this parser; context.Background has no Done channel.
	//
	// The extraction that follows is bounded by its work (maxTicks) and
	// checks ctx between captures: a cancelled run stops within the file.
	limit := parseTimeout(len(src))
	p.parser.SetOperationLimit(int(limit / time.Microsecond))
	var lines lineIndex
	if pa != nil {
		// The parser reads the file but the blocks: its lexer jumps over
		// them, and every node keeps its offset and line in the file.
		lines = newLineIndex(src)
		p.parser.SetIncludedRanges(included(src, skip, lines))
		defer p.parser.SetIncludedRanges(wholeFile)
	}
	var old *version
	if pa == nil {
		old = prev.Versions.take(prev.Path, lang)
	}
	tree, err := p.parse(src, old)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrParse, lang, err)
	}
	if pa == nil && prev.Versions != nil && !tree.RootNode().HasError() {
		defer prev.Versions.put(prev.Path, lang, src, tree)
	} else {
		defer tree.Close()
	}

	x := &extraction{
		lang:    l,
		src:     src,
		file:    syntax.NewFile(lang),
		names:   names,
		calls:   make(map[uintptr]*syntax.Call),
		partial: pa,
		tree:    &p.flat,
	}
	root := tree.RootNode()
	if pa != nil {
		// A custom query may capture anything, in any block.
		pa.trusted = len(l.custom) == 0 && !root.HasError() && bracesPaired(root, lines, skip)
		if !pa.trusted {
			return x.file, nil
		}
	}
	if err := p.flat.load(root, l.names); err != nil {
		return nil, err
	}
	defer p.flat.release()
	check := budget{ctx: ctx, max: maxTicks(len(src)), lang: lang}
	next, err := p.captures(q, root)
	if err != nil {
		return nil, err
	}
	for {
		n, capture, ok := next()
		if !ok {
			break
		}
		if err := check.tick(); err != nil {
			return nil, err
		}
		x.enter(n.StartByte())
		switch capture {
		case "call":
			if c := x.call(n, true); c != nil {
				x.file.Calls = append(x.file.Calls, c)
			}
		case "comment":
			x.file.Comments = append(x.file.Comments, syntax.Comment{Text: x.text(n), Pos: x.pos(n)})
		case "scope":
			id := x.file.AddScope(x.scope)
			x.scopes = append(x.scopes, openScope{end: n.EndByte(), id: id})
			x.scope = id
		case "binding":
			for _, b := range l.g.bindings(x, n) {
				b.Scope = x.scope
				if b.Pos == (syntax.Pos{}) {
					b.Pos = x.pos(n)
				}
				if b.Owner == nil {
					b.Owner = x.owner()
				}
				x.file.Bindings = append(x.file.Bindings, b)
				if x.partial != nil {
					x.partial.bindings = append(x.partial.bindings, boundSpan{name: b.Name, span: Span{Start: int(n.StartByte()), End: int(n.EndByte())}})
				}
			}
		case "type":
			name := ""
			if nn := x.field(n, "name"); nn != nil {
				name = x.text(nn)
			} else if tn := typeName(n); tn != nil {
				name = x.text(tn)
			}
			x.types = append(x.types, openType{end: n.EndByte(), name: name})
		case "import", "export", "package", "params":
			if mg, ok := l.g.(declarer); ok {
				mg.declare(x, n, capture)
			}
		}
	}
	if q.walk != nil && p.walker.err != nil {
		return nil, p.walker.err
	}
	for _, cq := range l.custom {
		if err := x.runCustom(p.cursor, cq, root, &check); err != nil {
			return nil, err
		}
	}
	return x.file, nil
}

// parse parses src, from the tree of its last version when there is one
// (which it frees). A tree from the last version that has syntax errors
// is thrown away for a parse of src alone: with errors, tree-sitter's
// recovery can differ between the two.
func (p *Parser) parse(src []byte, old *version) (*sitter.Tree, error) {
	if old != nil {
		for _, e := range edits(old.src, src) {
			old.tree.Edit(e)
		}
		tree, err := p.parser.ParseCtx(context.Background(), old.tree, src)
		old.tree.Close()
		if err != nil {
			p.parser.Reset()
		} else if !tree.RootNode().HasError() {
			return tree, nil
		} else {
			tree.Close()
		}
	}
	tree, err := p.parser.ParseCtx(context.Background(), nil, src)
	if err != nil {
		p.parser.Reset()
		return nil, err
	}
	return tree, nil
}

// param records a function parameter: a binding with no value, in the
// function's scope, that hides an imported name of the same name.
func (x *extraction) param(n *node) {
	x.file.Bindings = append(x.file.Bindings, syntax.Binding{Name: x.text(n), Scope: x.scope, Pos: x.pos(n), Param: true})
}

// typeName returns the name of a type declaration whose grammar gives it
// no name field (Kotlin's class_declaration and object_declaration): its
// first type_identifier or simple_identifier child.
func typeName(n *node) *node {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c.Type() == "type_identifier" || c.Type() == "simple_identifier" {
			return c
		}
	}
	return nil
}

// budget stops an extraction that is cancelled or runs past its time.
type budget struct {
	ctx  context.Context
	max  int // units of work allowed
	lang string
	n    int
}

// maxTicks bounds the units of work (captures and the nodes they make the
// extractor visit) an extraction of n bytes may take. The bound counts
// work rather than time: a wall-clock bound would drop the references of
// a big file whenever the machine is busy, and the same commit would give
// other keys on another run. Extraction is linear in the tree, whose
// nodes are fewer than its bytes, so this is far above what a real file
// takes; it stops a grammar that loops.
func maxTicks(n int) int { return 64*n + 1<<16 }

// tick is called once per unit of work; it looks at the clock and the
// context every few hundred.
func (b *budget) tick() error {
	if b.n++; b.n%256 != 0 && b.n <= b.max {
		return nil
	}
	if err := b.ctx.Err(); err != nil {
		return err
	}
	if b.n > b.max {
		return fmt.Errorf("%w: %s: extraction did more than %d units of work for a file of this size", ErrParse, b.lang, b.max)
	}
	return nil
}

// enter closes the scopes and types that end before offset.
func (x *extraction) enter(offset uint32) {
	for len(x.types) > 0 && x.types[len(x.types)-1].end <= offset {
		x.types = x.types[:len(x.types)-1]
	}
	for len(x.scopes) > 0 && x.scopes[len(x.scopes)-1].end <= offset {
		x.scopes = x.scopes[:len(x.scopes)-1]
		if len(x.scopes) > 0 {
			x.scope = x.scopes[len(x.scopes)-1].id
		} else {
			x.scope = 0
		}
	}
}

// runCustom runs a custom rule's query and records its @key captures.
func (x *extraction) runCustom(c *sitter.QueryCursor, cq customQuery, root *sitter.Node, check *budget) error {
	c.Exec(cq.q, root)
	for {
		m, ok := c.NextMatch()
		if !ok {
			return nil
		}
		if err := check.tick(); err != nil {
			return err
		}
		if cq.filter {
			m = c.FilterPredicates(m, x.src)
		}
		for _, capt := range m.Captures {
			if capt.Index == cq.key {
				if n := x.tree.of(capt.Node); n != nil {
					x.file.Queries = append(x.file.Queries, syntax.QueryMatch{Rule: cq.rule, Key: x.keyExpr(n)})
				}
			}
		}
	}
}

// keyExpr models a node captured as a custom rule's @key. A string
// fragment (the inside of a literal) is taken as the string it spells.
func (x *extraction) keyExpr(n *node) syntax.Expr {
	e := x.expr(n, 1)
	if e.Kind == syntax.Other && n.ChildCount() == 0 {
		e.Kind = syntax.String
		e.Value = x.text(n)
	}
	return e
}
