// Package syntaxtest describes syntax models as strings, for tests of the
// extractors: a test extracts a file of corner cases and compares each
// description, line by line, with what it expects.
package syntaxtest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// Expr describes an expression: kind:value for strings, numbers, bools
// and identifiers, object{key=expr,...} and array[expr,...] for literals,
// call(name) for a call, and the kind alone for the rest.
func Expr(e syntax.Expr) string {
	switch e.Kind {
	case syntax.String, syntax.Number, syntax.Bool, syntax.Ident:
		return e.Kind.String() + ":" + e.Value
	case syntax.Object:
		var props []string
		for _, p := range e.Props {
			props = append(props, p.Key+"="+Expr(p.Value))
		}
		return "object{" + strings.Join(props, ",") + "}"
	case syntax.Array:
		var elems []string
		for _, x := range e.Elems {
			elems = append(elems, Expr(x))
		}
		return "array[" + strings.Join(elems, ",") + "]"
	case syntax.CallExpr:
		if e.Call == nil {
			return "call(nil)"
		}
		return "call(" + e.Call.Name + ")"
	}
	return e.Kind.String()
}

// Calls describes the calls of f in the order the extractor gave them,
// one a line: LINE:COL NAME recv=RECEIVER (LABEL=ARG, ...) =ASSIGNED
// #SCOPE, where the receiver, the labels and the assigned variable are
// left out when there are none.
func Calls(f *syntax.File) []string {
	var out []string
	for _, c := range f.Calls {
		s := fmt.Sprintf("%d:%d %s", c.Pos.Line, c.Pos.Column, c.Name)
		if c.Receiver != nil {
			s += " recv=" + Expr(*c.Receiver)
		}
		var args []string
		for _, a := range c.Args {
			arg := Expr(a.Value)
			if a.Label != "" {
				arg = a.Label + "=" + arg
			}
			args = append(args, arg)
		}
		s += " (" + strings.Join(args, ", ") + ")"
		if c.Assigned != "" {
			s += " =" + c.Assigned
		}
		out = append(out, s+fmt.Sprintf(" #%d", c.Scope))
	}
	return out
}

// CallsBySource describes the calls of f as Calls does, in source order:
// by the position of their names.
func CallsBySource(f *syntax.File) []string {
	calls := slices.Clone(f.Calls)
	slices.SortStableFunc(calls, func(a, b *syntax.Call) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Column - b.Pos.Column
	})
	return Calls(&syntax.File{Calls: calls})
}

// Bindings describes the bindings of f, one a line: [const ]NAME=EXPR
// #SCOPE.
func Bindings(f *syntax.File) []string {
	var out []string
	for _, b := range f.Bindings {
		s := b.Name + "=" + Expr(b.Value)
		if b.Param {
			s = "param " + b.Name
		}
		if b.Const {
			s = "const " + s
		}
		out = append(out, s+fmt.Sprintf(" #%d", b.Scope))
	}
	return out
}

// Comments describes the comments of f, one a line: LINE:COL TEXT.
func Comments(f *syntax.File) []string {
	var out []string
	for _, c := range f.Comments {
		out = append(out, fmt.Sprintf("%d:%d %s", c.Pos.Line, c.Pos.Column, c.Text))
	}
	return out
}

// Scopes lists the parent of each scope of f after scope 0 (the file).
func Scopes(f *syntax.File) []int {
	var out []int
	for _, s := range f.Scopes[1:] {
		out = append(out, s.Parent)
	}
	return out
}

// Check reports an error unless got and want are equal, element by
// element; what names what is compared.
func Check[T comparable](t testing.TB, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got: %v\nwant: %v", what, quote(got), quote(want))
	}
}

// quote lists xs one a line, as Go literals.
func quote[T any](xs []T) string {
	var b strings.Builder
	for _, x := range xs {
		fmt.Fprintf(&b, "\n\t%#v,", x)
	}
	return b.String()
}
