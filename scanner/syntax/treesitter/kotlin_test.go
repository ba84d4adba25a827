package treesitter

import (
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax/syntaxtest"
)

func TestKotlinModel(t *testing.T) {
	f := extract(t, "kotlin", `/* fe:flag: k, 1 */
const val KEY = "k-1"
var mutable: String = "a\tb\$"
val RAW = """r\n"""
val TPL = "a-$b"
val NEG = -2L
val NOTHING = null

class A {
    companion object { const val CK = "ck" }

    fun f(v: Visitor) = run {
        val flag = v.getFlag(A.CK).value(defaultValue = mapOf("a" to listOf(1)), visitorExposed = true)
        mutable += "x"
        v.getFlags()[KEY]?.value(null) // trailing
    }
}
`)
	syntaxtest.Check(t, "calls", syntaxtest.Calls(f), []string{
		`13:36 value recv=call(getFlag) (defaultValue=object{a=array[number:1]}, visitorExposed=bool:true) =flag #2`,
		`13:22 getFlag recv=ident:v (ident:CK) #2`,
		`15:28 value recv=call([]) (null) #2`,
		`15:22 [] recv=call(getFlags) (ident:KEY) #2`,
		`15:11 getFlags recv=ident:v () #2`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const KEY=string:k-1 #0`, `mutable=string:a	b$ #0`, `const RAW=string:r\n #0`,
		`const TPL=template #0`, `const NEG=number:-2L #0`, `const NOTHING=null #0`,
		`const CK=string:ck #0`,
		`const flag=call(value) #2`, `mutable=other #2`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{`1:1 /* fe:flag: k, 1 */`, `15:40 // trailing`})
}

func TestKotlinRobust(t *testing.T) { robust(t, "kotlin", "kt", callGarbage...) }
