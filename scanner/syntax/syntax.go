// Package syntax is the language-neutral model of a source file that flag
// detection works on: the calls a file makes, the literals they are given,
// its comments and the names it binds to constants.
//
// Extractors (tree-sitter grammars in package treesitter, token scanners in
// package lexical) turn bytes into a File; package rules turns a File into
// flag references. Keeping that model small is what lets one set of
// Flagship rules serve fourteen languages.
package syntax

// Kind classifies an expression only as far as flag detection needs.
type Kind uint8

// Expression kinds.
const (
	Other    Kind = iota // anything detection does not look into
	String               // a string literal without substitutions; Value is its decoded text
	Template             // a string with substitutions, or a concatenation that is not constant
	Number               // a numeric literal; Value is its text
	Bool                 // true/false (YES/NO, True/False); Value is "true" or "false"
	Null                 // null, nil, None, undefined
	Object               // an object, dict or map literal; Props holds its entries
	Array                // an array or list literal; Elems holds its elements
	Ident                // a name, or a member chain ending in a name (Flags.BTN); Value is the last name
	CallExpr             // a call; Call is set
)

var kindNames = [...]string{"other", "string", "template", "number", "bool", "null", "object", "array", "ident", "call"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}

// Pos is a position in a file: 1-based line, 1-based column counted in
// characters (runes), not bytes, so it matches what an editor shows.
type Pos struct {
	Line   int
	Column int
}

// Expr is an expression as detection sees it.
type Expr struct {
	Kind  Kind
	Pos   Pos
	Text  string // the source text as written, cut to a bounded length
	Value string // decoded string, number or bool text, or the name for Ident
	Props []Prop // Object entries, in source order
	Elems []Expr // Array elements, in source order
	Call  *Call  // CallExpr only
}

// Prop is one entry of an object literal. Key is the property name for
// identifier and string keys; computed keys are left out.
type Prop struct {
	Key   string
	Value Expr
}

// Arg is one argument of a call. Label is the argument's name where the
// language has named or labelled arguments (Swift and Objective-C labels,
// Python, Kotlin, C# and Dart named arguments); "" for a positional one.
type Arg struct {
	Label string
	Value Expr
}

// Call is a function or method call, or a subscript (Name "[]", the index as
// the single argument) so that getFlags()["k"] is a call like any other.
type Call struct {
	Name     string // the called function or method name: the last identifier of the callee
	Pos      Pos    // position of Name
	Receiver *Expr  // what the method is called on; nil for a bare function call
	Args     []Arg
	Scope    int    // innermost scope (File.Scopes index) the call sits in
	Assigned string // the variable the call's value is bound to, when the call is the whole right-hand side
	Line     int    // line of the call's start, for annotation pairing
}

// Positional returns the i-th argument without a label, and whether it exists.
func (c *Call) Positional(i int) (Expr, bool) {
	n := 0
	for _, a := range c.Args {
		if a.Label != "" {
			continue
		}
		if n == i {
			return a.Value, true
		}
		n++
	}
	return Expr{}, false
}

// Labeled returns the argument with the given label, and whether it exists.
func (c *Call) Labeled(label string) (Expr, bool) {
	for _, a := range c.Args {
		if a.Label == label {
			return a.Value, true
		}
	}
	return Expr{}, false
}

// Comment is one comment as written, delimiters included; Pos is where it
// begins. Annotations are found by their markers, so the delimiters of the
// fourteen languages need not be known past the extractor.
type Comment struct {
	Text string
	Pos  Pos
}

// Binding is a name bound to a value in the file: a constant, a variable, a
// class field. Const is true when the language says the binding cannot
// change (const, final, let, val, readonly); a name bound more than once is
// not resolved by the rules.
type Binding struct {
	Name  string
	Value Expr
	Scope int
	Const bool
}

// Scope is a function-like region of the file. Scope 0 is the whole file.
type Scope struct {
	Parent int
}

// QueryMatch is a capture of a custom tree-sitter query rule.
type QueryMatch struct {
	Rule string
	Key  Expr
}

// File is everything detection needs to know about one source file.
type File struct {
	Language string
	Calls    []*Call
	Comments []Comment
	Bindings []Binding
	Scopes   []Scope // Scopes[0] is the file scope
	Queries  []QueryMatch
}

// NewFile returns a File with its file scope in place.
func NewFile(language string) *File {
	return &File{Language: language, Scopes: []Scope{{Parent: -1}}}
}

// AddScope records a new scope inside parent and returns its index.
func (f *File) AddScope(parent int) int {
	f.Scopes = append(f.Scopes, Scope{Parent: parent})
	return len(f.Scopes) - 1
}

// Encloses reports whether scope outer is inner or one of its ancestors.
func (f *File) Encloses(outer, inner int) bool {
	for s := inner; s >= 0; s = f.Scopes[s].Parent {
		if s == outer {
			return true
		}
	}
	return false
}
