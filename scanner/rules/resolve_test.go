package rules

import (
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// TestResolveScopes checks how keys given through names resolve: a name
// bound once in an enclosing scope resolves; one bound in a sibling scope,
// rebound to another value or bound to a non-constant does not.
func TestResolveScopes(t *testing.T) {
	f := syntax.NewFile("javascript")
	fn1 := f.AddScope(0)
	fn2 := f.AddScope(0)
	inner := f.AddScope(fn1)
	str := func(v string) syntax.Expr { return syntax.Expr{Kind: syntax.String, Value: v} }
	ident := func(n string) syntax.Expr { return syntax.Expr{Kind: syntax.Ident, Value: n} }
	f.Bindings = []syntax.Binding{
		{Name: "TOP", Value: str("top-key"), Scope: 0, Const: true},
		{Name: "LOCAL", Value: str("fn1-key"), Scope: fn1},
		{Name: "TWICE", Value: str("a"), Scope: 0},
		{Name: "TWICE", Value: str("b"), Scope: 0},
		{Name: "SAME", Value: str("same"), Scope: 0},
		{Name: "SAME", Value: str("same"), Scope: 0},
		{Name: "SHADOW", Value: str("outer"), Scope: 0},
		{Name: "SHADOW", Value: str("inner"), Scope: fn1},
		{Name: "ALIAS", Value: ident("TOP"), Scope: 0},
		{Name: "DYNAMIC", Value: syntax.Expr{Kind: syntax.CallExpr}, Scope: 0},
	}
	m := &matcher{file: f, bindings: indexBindings(f)}
	for _, tc := range []struct {
		name  string
		scope int
		want  string
	}{
		{"TOP", inner, "top-key"},
		{"LOCAL", inner, "fn1-key"},
		{"LOCAL", fn2, ""},
		{"TWICE", 0, ""},
		{"SAME", fn2, "same"},
		{"SHADOW", inner, "inner"},
		{"SHADOW", fn2, "outer"},
		{"ALIAS", fn1, "top-key"},
		{"DYNAMIC", 0, ""},
		{"MISSING", 0, ""},
	} {
		got, ok := m.resolve(ident(tc.name), tc.scope)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("resolve %s in scope %d = %q, %v; want %q", tc.name, tc.scope, got, ok, tc.want)
		}
	}
}
