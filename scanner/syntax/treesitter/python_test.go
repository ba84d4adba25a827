package treesitter

import (
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax/syntaxtest"
)

func TestPythonModel(t *testing.T) {
	f := extract(t, "python", `# fe:flag: k, 1
KEY, OTHER = "k-1", 'o'
RAW = r"a\n" "b"
ESC = "a\tb"
BRACES = f"{{x}}"
DYN = f"a-{b}"
PCT = "a-%s" % b
FMT = "a-{}".format(b)
NEG = -2.5


class C:
    NAME = "c"

    async def m(self):
        self.flag = await v.get_flag(KEY, {"a": [1, None, True]})
        x = y = v.get_modification("k", 1, activate=False)
        return lambda: v.get_flags()["z"].value()
`)
	syntaxtest.Check(t, "calls", syntaxtest.Calls(f), []string{
		`16:29 get_flag recv=ident:v (ident:KEY, object{a=array[number:1,null,bool:true]}) #1`,
		`17:19 get_modification recv=ident:v (string:k, number:1, activate=bool:false) =y #1`,
		`18:43 value recv=call([]) () #2`,
		`18:38 [] recv=call(get_flags) (string:z) #2`,
		`18:26 get_flags recv=ident:v () #2`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const KEY=string:k-1 #0`, `const OTHER=string:o #0`,
		`const RAW=string:a\nb #0`, "const ESC=string:a\tb #0", `const BRACES=string:{x} #0`,
		`const DYN=template #0`, `const PCT=template #0`, `const FMT=template #0`, `const NEG=number:-2.5 #0`,
		`const NAME=string:c #0`,
		`flag=call(get_flag) #1`, `x=call(get_modification) #1`, `y=call(get_modification) #1`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{`1:1 # fe:flag: k, 1`})
}

func TestPythonRobust(t *testing.T) { robust(t, "python", "py", callGarbage...) }
