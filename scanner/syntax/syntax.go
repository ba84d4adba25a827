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
	// Path is the whole name of an Ident written as a member chain of
	// names (FLAGS.CHECKOUT, flags.Checkout, Keys.A.value): every name of
	// the chain, Value being the last. nil for a bare name and for a
	// chain on anything but names (f().x, a[0].b). A name defined in
	// another file is looked up by its Path.
	Path []string
}

// Names returns the names an Ident spells: its Path, or its one name.
func (e Expr) Names() []string {
	if e.Path != nil {
		return e.Path
	}
	if e.Kind == Ident {
		return []string{e.Value}
	}
	return nil
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
	// Owner is the type the binding is a member of (a class, object,
	// enum, struct), outermost first, for the members other files name
	// through it (FlagKeys.CHECKOUT); nil for a binding of the file itself.
	Owner []string
	// Exported is set for a top-level binding the file exports (export
	// const in JavaScript); languages that export by visibility leave it
	// to the resolver.
	Exported bool
	// Pos is where the name is bound, for a reference to say how its
	// key was resolved.
	Pos Pos
	// Param marks a function parameter: it names no constant, but it
	// shadows an imported name of the same name.
	Param bool
}

// Import is a name a file takes from another module: import {A as B}
// from "./m" is {Local: "B", From: "./m", Name: "A"}; a whole module
// (import * as m, require, a Go import, Python's import m) has Name "".
type Import struct {
	Local string // the name it binds in the file; may be dotted (Python's import a.b)
	From  string // the module as written: "./flags", "@/flags", "example.com/m/flags", "..flags", "com.x.Keys"
	Name  string // the name taken from the module; "default" for a default import; "" for the module itself
	Pos   Pos
}

// Export is a name a module gives other modules beyond its exported
// bindings: export {a as b} is {Name: "b", Local: "a"}; export {x} from
// "./m" is {Name: "x", From: "./m", Imported: "x"}; export * from "./m"
// is {Name: "*", From: "./m"}; export default expr and module.exports =
// expr carry the expression in Value.
type Export struct {
	Name     string
	Local    string
	From     string
	Imported string
	Value    *Expr
	Pos      Pos
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
	// Package is the package the file declares (Go's package clause,
	// Java and Kotlin's package, C#'s namespace, PHP's namespace), "" where
	// the language has none.
	Package string
	Imports []Import
	Exports []Export
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
