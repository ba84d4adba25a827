package treesitter

import (
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax/syntaxtest"
)

func TestSwiftModel(t *testing.T) {
	f := extract(t, "swift", `// fe:flag: k, 1
let Key = "k-1", Count = 2
var mutable = "m"
enum Keys { static let btn = "b\u{41}\n" }

/* block */
func f(visitor: FSVisitor) async throws {
    let a = Flagship.sharedInstance.getModification(Key, defaultString: "x", activate: true)
    let b = try await visitor.getFlag(key: Keys.btn).value(defaultValue: -1.5, visitorExposed: true)
    _ = visitor.getFlags()["k"]?.value(defaultValue: ["a": 1])
    if let c = visitor.getFlag(key: #"raw\n"#) { print(c) }
    mutable = "n"
    items.map { x in x.getFlag(key: "tc-\(x)", defaultValue: [nil, true]) }
    visitor.getFlag(key: """
        multi
          line
        """)
}
`)
	syntaxtest.Check(t, "calls", syntaxtest.CallsBySource(f), []string{
		`8:37 getModification recv=ident:sharedInstance (ident:Key, defaultString=string:x, activate=bool:true) =a #1`,
		`9:31 getFlag recv=ident:visitor (key=ident:btn) #1`,
		`9:54 value recv=call(getFlag) (defaultValue=number:-1.5, visitorExposed=bool:true) =b #1`,
		`10:17 getFlags recv=ident:visitor () #1`,
		`10:27 [] recv=call(getFlags) (string:k) #1`,
		`10:34 value recv=call([]) (defaultValue=object{a=number:1}) #1`,
		`11:24 getFlag recv=ident:visitor (key=string:raw\n) =c #1`,
		`13:24 getFlag recv=ident:x (key=template, defaultValue=array[null,bool:true]) #2`,
		`14:13 getFlag recv=ident:visitor (key=string:multi
  line) #1`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const Key=string:k-1 #0`, `const Count=number:2 #0`, `mutable=string:m #0`,
		"const btn=string:bA\n #0",
		`const a=call(getModification) #1`, `const b=call(value) #1`, `mutable=string:n #1`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{`1:1 // fe:flag: k, 1`, `6:1 /* block */`})
	syntaxtest.Check(t, "scopes", syntaxtest.Scopes(f), []int{0, 1})
}

func TestSwiftRobust(t *testing.T) {
	// The Swift grammar's scanner spins until ParseTimeout at the end of a
	// file that ends, without a newline, right after "=", "try" or
	// "await"; Extract adds the newline, so the prefixes here are cut raw.
	robust(t, "swift", "swift",
		strings.Repeat("getFlag(key: ", 2000)+strings.Repeat("[[", 2000),
		`visitor.getFlag(key: "k"`+strings.Repeat(", defaultValue: 1", 3000),
		`let s = """`+"\n"+`visitor.getFlag(key: "\(`)
}
