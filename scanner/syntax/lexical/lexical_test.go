package lexical

import (
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/syntax"
	"github.com/flagscan/flagscan/scanner/syntax/syntaxtest"
)

func TestLanguages(t *testing.T) {
	syntaxtest.Check(t, "languages", Languages(), []string{"dart", "fsharp", "objc", "vb"})
	if _, err := Extract("cobol", nil, ruleNames); err == nil || !strings.Contains(err.Error(), `"cobol"`) {
		t.Errorf("unknown language: got error %v", err)
	}
	for _, lang := range Languages() {
		f := extractT(t, lang, "")
		if f.Language != lang || len(f.Scopes) != 1 || len(f.Calls)+len(f.Bindings)+len(f.Comments) != 0 {
			t.Errorf("%s: empty file gives %+v", lang, f)
		}
	}
}

// The model tests below pin down each language's model on a file of its
// corner cases: calls (position, name, receiver, arguments with their
// labels, the variable assigned, the scope), bindings, comments, and the
// parent of each scope after the file's.

func TestObjCModel(t *testing.T) {
	f := extractT(t, "objc", `// fe:flag: k, 1
#define KEY @"de" "fine"
#define FN(x) [v getFlagWithKey:x]
#if 0 // disabled
#endif
static NSString *const kKey = @"k\u0041", *other = @"o";
@interface Foo : NSObject { int ivar; }
@end
@implementation Foo
- (void)run:(FSVisitor *)v {
    id a = [[Flagship sharedInstance] getModification:KEY defaultJson:@{@"c": @[@1, @-2.5, @YES, nil]} activate:YES];
    id b = [self.visitor getFlagWithKey:(NSString *)kKey defaultValue:cond ? @"x" : @"y"];
    id c = [[v getFlagWithKey:@"c" defaultValue:@0] value];
    int arr[2] = {1, 2}; id d = arr[0];
    void (^blk)(void) = ^{ [v getFlagWithKey:@"in-block" defaultValue:NSNull.null]; };
    NSString *s = [NSString stringWithFormat:@"%@", [v getFlagWithKey:@"arg" defaultValue:@""]];
}
@end
NSString *getFlag(NSString *key);
static id helper(void) { return getFlag(@"c-call"); }
`)
	syntaxtest.Check(t, "calls", syntaxtest.Calls(f), []string{
		`3:18 getFlagWithKey recv=ident:v (ident:x) #0`,
		`11:39 getModification recv=call(sharedInstance) (ident:KEY, defaultJson=object{c=array[number:1,number:-2.5,bool:true,null]}, activate=bool:true) =a #2`,
		`12:26 getFlagWithKey recv=ident:visitor (ident:kKey, defaultValue=other) =b #2`,
		`13:16 getFlagWithKey recv=ident:v (string:c, defaultValue=number:0) #2`,
		`13:53 value recv=call(getFlagWithKey) () =c #2`,
		`14:13 [] recv=ident:arr (number:2) #2`,
		`14:37 [] recv=ident:arr (number:0) =d #2`,
		`15:31 getFlagWithKey recv=ident:v (string:in-block, defaultValue=ident:null) #3`,
		`16:56 getFlagWithKey recv=ident:v (string:arg, defaultValue=string:) #2`,
		`20:33 getFlag (string:c-call) #4`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const KEY=string:define #0`,
		`const kKey=string:kA #0`,
		`other=string:o #0`,
		`a=call(getModification) #2`,
		`b=call(getFlagWithKey) #2`,
		`c=call(value) #2`,
		`d=call([]) #2`,
		`s=call(stringWithFormat) #2`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{
		`1:1 // fe:flag: k, 1`,
		`4:7 // disabled`,
	})
	syntaxtest.Check(t, "scopes", syntaxtest.Scopes(f), []int{0, 0, 2, 0})
}

func TestDartModel(t *testing.T) {
	f := extractT(t, "dart", `#!/usr/bin/env dart
// fe:flag: k, 1
const k1 = 'a' "b" '''c''', k2 = r'\n$x';
final k3 = "${"nested ${'deep'}"}";
var m = <String, Object>{'key': 'v', 'n': -1, 'l': [null, true]};
abstract class Api { Flag getFlag(String key); Future<Flag> other(); }
class W {
  String get title => visitor.getFlag("getter").value("t");
  set title(String v) { visitor.getFlag(v); }
  Stream<int> gen() async* { yield visitor.getFlags()["gen"]!.value(3); }
  void f({String key = "param-default"}) {
    for (var i = 0; i < 3; i++) { visitor.getFlag(key); }
    if (x) { final y = visitor.getFlag('in-if'); }
    visitor?..getFlag('c1')..getFlag('c2').value(1);
    final z = visitor.getFlag<String>('generic', 'd').value();
  }
}
`)
	syntaxtest.Check(t, "calls", syntaxtest.Calls(f), []string{
		`8:31 getFlag recv=ident:visitor (string:getter) #1`,
		`8:49 value recv=call(getFlag) (string:t) #1`,
		`9:33 getFlag recv=ident:visitor (ident:v) #2`,
		`10:44 getFlags recv=ident:visitor () #3`,
		`10:55 [] recv=call(getFlags) (string:gen) #3`,
		`10:63 value recv=call([]) (number:3) #3`,
		`12:43 getFlag recv=ident:visitor (ident:key) #4`,
		`13:32 getFlag recv=ident:visitor (string:in-if) =y #4`,
		`14:15 getFlag recv=ident:visitor (string:c1) #4`,
		`14:30 getFlag recv=ident:visitor (string:c2) #4`,
		`14:44 value recv=call(getFlag) (number:1) #4`,
		`15:23 getFlag recv=ident:visitor (string:generic, string:d) #4`,
		`15:55 value recv=call(getFlag) () =z #4`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const k1=string:abc #0`,
		`k2=string:\n$x #0`,
		`const k3=template #0`,
		`m=object{key=string:v,n=number:-1,l=array[null,bool:true]} #0`,
		`const y=call(getFlag) #4`,
		`const z=call(value) #4`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{
		`2:1 // fe:flag: k, 1`,
	})
	syntaxtest.Check(t, "scopes", syntaxtest.Scopes(f), []int{0, 0, 0, 0})
}

func TestFSharpModel(t *testing.T) {
	f := extractT(t, "fsharp", `// fe:flag: k, 1
module M
#if DEBUG // a directive's comment
let x = 1
#endif
let [<Literal>] Inline = "inline"
let a, b = 1, 2
let mutable m = "m"
let s = "a" + "b" ^ "c"
let v = @"c:\""x"""
let i = $"no {{holes}}" + $"""{"x"}"""
let ch, tv, op = 'a', typeof<'T>, (*)
let f (x: int) : string =
    let inner = visitor.GetFlag("inner", [1; 2])
    inner.GetValue("d")
type C() =
    let field = "field"
    member val Auto = "auto" with get, set
    member _.M(k: string) = visitor.GetFlag(k, defaultValue = "m")
    override this.ToString() = visitor.GetFlags().Get("tostring") |> string
    abstract member GetFlag : string -> obj
let g = fun (y: string) -> visitor.GetFlag(y)
let h = visitor.GetFlag("h")
        |> fun f -> f.GetValue(0)
`)
	syntaxtest.Check(t, "calls", syntaxtest.Calls(f), []string{
		`14:25 GetFlag recv=ident:visitor (string:inner, array[number:1,number:2]) =inner #1`,
		`15:11 GetValue recv=ident:inner (string:d) #1`,
		`19:37 GetFlag recv=ident:visitor (ident:k, defaultValue=string:m) #2`,
		`20:40 GetFlags recv=ident:visitor () #3`,
		`20:51 Get recv=call(GetFlags) (string:tostring) #3`,
		`22:36 GetFlag recv=ident:visitor (ident:y) #4`,
		`23:17 GetFlag recv=ident:visitor (string:h) #0`,
		`24:23 GetValue recv=ident:f (number:0) #5`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const x=number:1 #0`,
		`const Inline=string:inline #0`,
		`m=string:m #0`,
		`const s=string:abc #0`,
		`const v=string:c:\"x" #0`,
		`const i=template #0`,
		`const inner=call(GetFlag) #1`,
		`const field=string:field #0`,
		`Auto=string:auto #0`,
		`const g=other #0`,
		`const h=other #0`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{
		`1:1 // fe:flag: k, 1`,
		`3:11 // a directive's comment`,
	})
	syntaxtest.Check(t, "scopes", syntaxtest.Scopes(f), []int{0, 0, 0, 0, 0})
}

func TestVBModel(t *testing.T) {
	f := extractT(t, "vb", `' fe:flag: k, 1
#Region "Flags" ' region comment
Option Strict On
Public Interface IApi
    Function GetFlag(key As String) As Object
    Sub Activate()
End Interface
Public Class C : Inherits Base
    <Obsolete("x")>
    Public Shared ReadOnly A As String = "a", B As Integer = 2
    Private Dim d As Date = #1/2/2024#
    Public Property Key As String
        Get
            Return visitor.GetFlag("in-getter").GetValue(“curly”)
        End Get
        Set(value As String)
            [Rem] = value
        End Set
    End Property
    Public MustOverride Sub Abstract()
    Declare Function Native Lib "x.dll" (ByVal a As Integer) As Integer
    Sub New()
        Dim q = If(cond, visitor.GetFlag("in-if"), Nothing) : Dim r As New Flag(visitor.GetModification("in-new", 1))
        Dim s As String = "a" & _
            "b"
        Dim arr() As String = {"x", "y"}, n? As Integer = Nothing
        Me.Field = "me-field"
        Dim l = Sub(x) visitor.GetFlag(x), k = 2
    End Sub
End Class
#End Region
`)
	syntaxtest.Check(t, "calls", syntaxtest.Calls(f), []string{
		`14:28 GetFlag recv=ident:visitor (string:in-getter) #1`,
		`14:49 GetValue recv=call(GetFlag) (string:curly) #1`,
		`23:34 GetFlag recv=ident:visitor (string:in-if) #3`,
		`23:89 GetModification recv=ident:visitor (string:in-new, number:1) #3`,
		`28:32 GetFlag recv=ident:visitor (ident:x) #4`,
	})
	syntaxtest.Check(t, "bindings", syntaxtest.Bindings(f), []string{
		`const a=string:a #0`,
		`const b=number:2 #0`,
		`d=other #0`,
		`rem=ident:value #2`,
		`q=other #3`,
		`r=call(Flag) #3`,
		`s=string:ab #3`,
		`arr=array[string:x,string:y] #3`,
		`n=null #3`,
		`field=string:me-field #3`,
		`l=other #3`,
		`k=number:2 #3`,
	})
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{
		`1:1 ' fe:flag: k, 1`,
		`2:17 ' region comment`,
	})
	syntaxtest.Check(t, "scopes", syntaxtest.Scopes(f), []int{0, 0, 0, 3})
}

// TestStrings checks each language's string literals: the value decoded
// from its escapes, and whether substitutions make it a template.
func TestStrings(t *testing.T) {
	for _, c := range []struct {
		lang, literal string
		want          string // the value, or "template"
	}{
		{"objc", `@"a\"b\u0041"`, `a"bA`},
		{"objc", `"c" @"d" "e"`, "cde"},
		{"dart", `'a\'b'`, "a'b"},
		{"dart", `r'a\n$x'`, `a\n$x`},
		{"dart", `"""x"y"""`, `x"y`},
		{"dart", `'a' "b" """c"""`, "abc"},
		{"dart", `"\$k"`, "$k"},
		{"dart", `"$k"`, "template"},
		{"dart", `"a ${b("}")} c"`, "template"},
		{"dart", `'a' "$b"`, "template"},
		{"fsharp", `@"c:\""x"""`, `c:\"x"`},
		{"fsharp", `"""a "b" c"""`, `a "b" c`},
		{"fsharp", `"a\tb"`, "a\tb"},
		{"fsharp", `$"a{{b}}"`, "a{b}"},
		{"fsharp", `$"a{b}"`, "template"},
		{"fsharp", `$"""{"x"}"""`, "template"},
		{"fsharp", `"a" + "b" ^ "c"`, "abc"},
		{"vb", `"a""b"`, `a"b`},
		{"vb", "\u201ca\u201d\u201db\u201d", `a"b`},
		{"vb", `$"{{a}}"`, "{a}"},
		{"vb", `$"a{b}"`, "template"},
		{"vb", `"a" & "b" + "c"`, "abc"},
		{"vb", `"a" & b`, "template"},
	} {
		src := "x = " + c.literal
		if c.lang == "fsharp" {
			src = "let " + src
		}
		f := extractT(t, c.lang, src+"\n")
		if len(f.Bindings) != 1 {
			t.Errorf("%s %s: %d bindings", c.lang, c.literal, len(f.Bindings))
			continue
		}
		v := f.Bindings[0].Value
		got := v.Value
		if v.Kind == syntax.Template {
			got = "template"
		} else if v.Kind != syntax.String {
			got = v.Kind.String()
		}
		if got != c.want || v.Text != c.literal {
			t.Errorf("%s %s: got %q (text %q), want %q", c.lang, c.literal, got, v.Text, c.want)
		}
	}
}

// TestPositions checks that columns count characters, not bytes, and that
// CRLF line endings and tabs count as editors do.
func TestPositions(t *testing.T) {
	f := extractT(t, "dart", "/* é */ v.getFlag('éé', 1);\r\n\tv.getFlag(\"k\");")
	syntaxtest.Check(t, "calls", syntaxtest.Calls(f), []string{
		`1:11 getFlag recv=ident:v (string:éé, number:1) #0`,
		`2:4 getFlag recv=ident:v (string:k) #0`,
	})
	if got := f.Calls[0].Args[1].Value.Pos; got != (syntax.Pos{Line: 1, Column: 25}) {
		t.Errorf("argument at %v, want 1:25", got)
	}
	syntaxtest.Check(t, "comments", syntaxtest.Comments(f), []string{"1:1 /* é */"})
}

// TestCallsInStringsAndComments checks that a call is found only in code,
// including code inside a string's substitutions.
func TestCallsInStringsAndComments(t *testing.T) {
	for _, c := range []struct{ lang, src string }{
		{"objc", `// [v getFlagWithKey:@"no"]
/* [v getFlagWithKey:@"no"] */ s = @"[v getFlagWithKey:@\"no\"]"; c = '"'; [v getFlagWithKey:@"yes"];`},
		{"dart", `// v.getFlag("no")
/* /* v.getFlag("no") */ */ s = 'v.getFlag("no")' r"\" '''v.getFlag('no')'''; "${v.getFlag("yes")}";`},
		{"fsharp", `// v.GetFlag("no")
(* (* v.GetFlag("no") *) "*)" *) let s = @"v.GetFlag(""no"")\" + """v.GetFlag("no")"""
let c = '"'
$"{v.GetFlag("yes")}"`},
		{"vb", `' v.GetFlag("no")
REM v.GetFlag("no")
Dim s = "v.GetFlag(""no"")" : Dim t = $"{v.GetFlag("yes")} {{v.GetFlag("no")}}"`},
	} {
		f := extractT(t, c.lang, c.src)
		var keys []string
		for _, call := range f.Calls {
			keys = append(keys, syntaxtest.Expr(call.Args[0].Value))
		}
		syntaxtest.Check(t, c.lang, keys, []string{"string:yes"})
	}
}
