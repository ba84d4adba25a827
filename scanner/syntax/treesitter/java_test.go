package treesitter

import (
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax/syntaxtest"
)

func TestJavaModel(t *testing.T) {
	f := extract(t, "java", `/** fe:flag: k, 1 */
interface Keys { String TITLE = "t"; }
class A {
    public static final String KEY = "k-1", OTHER = "a\tb";
    static String mutable = "m";
    static final int NEG = -3;
    static final String DYN = "a" + b, BLOCK = """
        x
          y""";

    void f(Visitor v) {
        final Flag<String> flag = v.getFlag(Keys.TITLE, new JSONObject()).value(true); // trailing
        mutable += "x";
        Runnable r = () -> Flagship.Companion.getModification(KEY, new int[]{1, -2}, (Boolean) null);
    }
}
`)
	syntaxtest.Check(t, "calls", syntaxtest.Calls(f), []string{
		`12:75 value recv=call(getFlag) (bool:true) =flag #1`,
		`12:37 getFlag recv=ident:v (ident:TITLE, object{}) #1`,
		`14:47 getModification recv=ident:Companion (ident:KEY, array[number:1,number:-2], null) #2`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const TITLE=string:t #0`,
		`const KEY=string:k-1 #0`, "const OTHER=string:a\tb #0",
		`mutable=string:m #0`, `const NEG=number:-3 #0`,
		`const DYN=template #0`, "const BLOCK=string:x\n  y #0",
		`const flag=call(value) #1`, `mutable=other #1`, `r=other #1`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{`1:1 /** fe:flag: k, 1 */`, `12:88 // trailing`})
}

func TestJavaRobust(t *testing.T) { robust(t, "java", "java", callGarbage...) }
