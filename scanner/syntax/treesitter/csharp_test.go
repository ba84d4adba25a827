package treesitter

import (
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax/syntaxtest"
)

func TestCSharpModel(t *testing.T) {
	f := extract(t, "csharp", `// fe:flag: k, 1
public static class Keys
{
    public const string Btn = "b\u0041", Other = @"c:\""x""";
    public static readonly string Ro = $"no {{holes}}";
    public static string Mutable = "m";
    public static string Prop { get; } = "p";
    public static string Arrow => """raw""";
    public string Settable { get; set; } = "s";
}

/* block */
class C
{
    async Task M(IVisitor visitor, string name)
    {
        var a = visitor.GetModification(Keys.Btn, new { Color = "red", Size = -2 }, true);
        var b = await visitor.GetFlag(key: $"k-{name}").GetValue<string>(defaultValue: "x", visitorExposed: false);
        x = visitor.GetFlags()?["k"];
        _ = visitor.GetFlags().Get("g")?.GetValue(new[] { 1, 2 });
        Func<int> l = () => visitor.GetFlag("l", (int)3.5).GetValue();
        const string Local = "lo" + "cal";
        Mutable = "n";
    }
}
`)
	syntaxtest.Check(t, "calls", syntaxtest.CallsBySource(f), []string{
		`17:25 GetModification recv=ident:visitor (ident:Btn, object{Color=string:red,Size=number:-2}, bool:true) =a #4`,
		`18:31 GetFlag recv=ident:visitor (key=template) #4`,
		`18:57 GetValue recv=call(GetFlag) (defaultValue=string:x, visitorExposed=bool:false) =b #4`,
		`19:21 GetFlags recv=ident:visitor () #4`,
		`19:32 [] recv=call(GetFlags) (string:k) =x #4`,
		`20:21 GetFlags recv=ident:visitor () #4`,
		`20:32 Get recv=call(GetFlags) (string:g) #4`,
		`20:42 GetValue recv=call(Get) (array[number:1,number:2]) #4`,
		`21:37 GetFlag recv=ident:visitor (string:l, number:3.5) #5`,
		`21:60 GetValue recv=call(GetFlag) () #5`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const Btn=string:bA #0`, `const Other=string:c:\"x" #0`, `const Ro=string:no {holes} #0`,
		`Mutable=string:m #0`, `const Prop=string:p #0`, `const Arrow=string:raw #0`, `Settable=string:s #0`,
		`a=call(GetModification) #4`, `b=call(GetValue) #4`, `x=call([]) #4`, `l=other #4`,
		`const Local=string:local #4`, `Mutable=string:n #4`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{`1:1 // fe:flag: k, 1`, `12:1 /* block */`})
	// The accessors of Prop and Settable are scopes too, then M and its lambda.
	syntaxtest.Check(t, "scopes", syntaxtest.Scopes(f), []int{0, 0, 0, 0, 4})
}

func TestCSharpRobust(t *testing.T) {
	robust(t, "csharp", "cs",
		strings.Repeat("GetFlag(", 2000)+strings.Repeat("new[] {", 2000),
		`v.GetFlag("k"`+strings.Repeat(", 1", 5000),
		`var s = $"""{v.GetFlag("`)
}
