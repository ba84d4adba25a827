package lexical

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/syntax"
)

// ruleNames are the call names of the built-in rules, as the scanner
// passes them.
var ruleNames = rules.New(true, nil, nil).Names()

func extractT(t *testing.T, lang, src string) *syntax.File {
	t.Helper()
	f, err := Extract(lang, []byte(src), ruleNames)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// describeExpr renders an expression compactly: kind:value.
func describeExpr(e syntax.Expr) string {
	switch e.Kind {
	case syntax.String, syntax.Number, syntax.Bool, syntax.Ident:
		return e.Kind.String() + ":" + e.Value
	case syntax.Template:
		return "template"
	case syntax.Null:
		return "null"
	case syntax.Object:
		var props []string
		for _, p := range e.Props {
			props = append(props, p.Key+"="+describeExpr(p.Value))
		}
		return "object{" + strings.Join(props, ",") + "}"
	case syntax.Array:
		var elems []string
		for _, x := range e.Elems {
			elems = append(elems, describeExpr(x))
		}
		return "array[" + strings.Join(elems, ",") + "]"
	case syntax.CallExpr:
		if e.Call == nil {
			return "call(nil)"
		}
		return "call(" + e.Call.Name + ")"
	}
	return "other"
}

// describeCalls renders each call as LINE:COL NAME recv=... (ARGS) =ASSIGNED #SCOPE.
func describeCalls(f *syntax.File) []string {
	var out []string
	for _, c := range f.Calls {
		s := fmt.Sprintf("%d:%d %s", c.Pos.Line, c.Pos.Column, c.Name)
		if c.Receiver != nil {
			s += " recv=" + describeExpr(*c.Receiver)
		}
		var args []string
		for _, a := range c.Args {
			arg := describeExpr(a.Value)
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

func describeBindings(f *syntax.File) []string {
	var out []string
	for _, b := range f.Bindings {
		s := b.Name + "=" + describeExpr(b.Value)
		if b.Const {
			s = "const " + s
		}
		out = append(out, s+fmt.Sprintf(" #%d", b.Scope))
	}
	return out
}

func describeComments(f *syntax.File) []string {
	var out []string
	for _, c := range f.Comments {
		out = append(out, fmt.Sprintf("%d:%d %s", c.Pos.Line, c.Pos.Column, c.Text))
	}
	return out
}

func scopeParents(f *syntax.File) []int {
	var out []int
	for _, s := range f.Scopes[1:] {
		out = append(out, s.Parent)
	}
	return out
}

func check[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got: %v\nwant: %v", what, quote(got), quote(want))
	}
}

func quote[T any](xs []T) string {
	var b strings.Builder
	for _, x := range xs {
		fmt.Fprintf(&b, "\n\t%#v,", x)
	}
	return b.String()
}
