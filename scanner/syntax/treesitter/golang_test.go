package treesitter

import (
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax/syntaxtest"
)

func TestGoModel(t *testing.T) {
	f := extract(t, "go", `package p

// fe:flag: k, 1
const Key, Other = "k-1", "o"

const (
	Prefixed = "a" + "b"
	Dyn      = "a" + b
)

var Raw = `+"`r\\n`"+`

func f(v *V) {
	s, err := v.GetModificationString(Key, "d\tx", true)
	v.GetModificationObject(pkg.Key, map[string]any{"a": 1, "n": []int{-2}}, false)
	g := func() { info, _ := v.GetModificationInfo(fmt.Sprintf("k-%d", 1)); _ = info }
	x += "y"
	ignored(v.Unrelated("k"))
}
`)
	syntaxtest.Check(t, "calls", syntaxtest.Calls(f), []string{
		`14:14 GetModificationString recv=ident:v (ident:Key, string:d	x, bool:true) =s #1`,
		`15:4 GetModificationObject recv=ident:v (ident:Key, object{a=number:1,n=array[number:-2]}, bool:false) #1`,
		`16:29 GetModificationInfo recv=ident:v (template) =info #2`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const Key=string:k-1 #0`, `const Other=string:o #0`,
		`const Prefixed=string:ab #0`, `const Dyn=template #0`,
		`Raw=string:r\n #0`,
		`s=other #1`, `err=other #1`,
		`g=other #1`, `info=other #2`, `x=other #1`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{`3:1 // fe:flag: k, 1`})
}

func TestGoRobust(t *testing.T) { robust(t, "go", "go", callGarbage...) }
