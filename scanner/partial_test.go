package scanner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/syntax/treesitter"
)

// partialCases are files whose cold blocks matter to the rules in each of
// the ways treesitter.Partial knows, and files where they do not: the
// partial parse must yield what the whole one does.
var partialCases = []struct {
	name, lang, src string
	// skips is whether some block must stay left out in the end: the
	// partial parse is not only right but used.
	skips bool
}{
	{"imports of several names", "typescript", `
import {
  FIRST_CONSTANT_WITH_A_LONG_NAME,
  SECOND_CONSTANT_WITH_A_LONG_NAME,
} from '../enum/index';
import type { SomeTypeWithALongName, AnotherTypeWithALongName } from './types';
export const config = { retries: 3, timeout: 1000, label: "long enough to be left out" } as const;
export function quiet(n: number): number { let total = 0; for (let i = 0; i < n; i++) { total += i; } return total; }
export function f(visitor) { return visitor.getFlag("k0").getValue(FIRST_CONSTANT_WITH_A_LONG_NAME); }
`, true},
	{"interface with object members", "typescript", `
export interface CampaignDTO {
  id: string;
  targeting: {
    targetingGroups: Array<{ targetings: Array<string>; operator: string }>;
  };
  variations: Array<{ id: string; name?: string; allocation: number; reference: boolean }>;
}
export function quiet(n: number): number { let total = 0; for (let i = 0; i < n; i++) { total += i; } return total; }
export function f(visitor) { return visitor.getFlag("k-interface").getValue(0); }
`, true},
	{"object argument", "javascript", `
function f(visitor) {
  return visitor.getModification({key: "k1", defaultValue: {nested: true, more: [1, 2, 3], text: "long enough to be left out"}});
}
`, false},
	{"constant in another class", "typescript", `
class Keys {
  static readonly BANNER = "banner-key";
  static other(): number { return 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11; }
}
export function show(visitor: Visitor) {
  return visitor.getFlag(Keys.BANNER).getValue(false);
}
`, true},
	{"collection in another function", "javascript", `
const flags = fs.getFlags();
function later() {
  return flags.get("from-collection") && flags.has("other-key") && 1 + 2 + 3;
}
function unrelated(items) {
  return items.filter((x) => x > 10).map((x) => x * 2).reduce((a, b) => a + b, 0);
}
`, true},
	{"value accessor in a nested block", "typescript", `
export function f(visitor: Visitor) {
  const flag = visitor.getFlag("k2");
  if (visitor.ready) {
    console.log("the value is", flag.getValue("default-in-block"), "and more text");
  }
}
`, false},
	{"key rebound in a block", "javascript", `
var KEY = "first";
if (process.env.X) {
  KEY = "second"; console.log("rebinding the key in a block that has no flag call");
}
function f(v) { return v.getFlag(KEY); }
`, false},
	{"go if with a statement before its condition", "go", `
package p

func handler(v *Visitor, c Ctx) string {
	if err := c.Bind(&body); err != nil {
		c.JSON(400, map[string]string{"error": err.Error(), "detail": "long enough to leave out"})
		return ""
	}
	s, _ := v.GetModificationString("k-go-header", "default", true)
	return s
}
`, true},
	{"go helpers left out", "go", `
package p

const key = "go-key"

func helper(items []string) string {
	if len(items) > 3 {
		items = items[:3]
	}
	return strings.TrimSpace(strings.Join(items, ", "))
}

func f(v *Visitor) string {
	s, _ := v.GetModificationString(key, "default", true)
	return s
}
`, true},
	{"java field and sibling method", "java", `
class A {
  private static final String KEY = "java-key";
  public int helper(java.util.List<Integer> items) {
    int sum = 0;
    for (int x : items) { sum += x * 3; }
    return sum;
  }
  public String f(Visitor visitor) {
    return visitor.getFlag(KEY, "blue").value(true);
  }
}
`, true},
	{"strings holding braces", "kotlin", `
fun helper(items: List<Int>): String {
    val s = "a { brace in a string ${items.size} and } another"
    val c = '{'
    return s + c + "}}}" + """ raw { """
}
fun f(visitor: Visitor) = visitor.getFlag("kotlin-key").value(1, true)
`, true},
	{"template holding braces", "typescript", "\nfunction helper(items: number[]): string {\n  return `${items.map((x) => { return x * 2; })} } {`;\n}\nexport function f(v: Visitor) { return v.getFlag(\"ts-key\").getValue(1); }\n", true},
	{"swift interpolation", "swift", `
func helper(_ items: [Int]) -> String {
    return "count \(items.filter { $0 > 1 }.count) } { and more text here to be long"
}
func f(visitor: FSVisitor) -> Bool {
    return visitor.getFlag(key: "swift-key").value(defaultValue: false) as? Bool ?? false
}
`, true},
	{"csharp interpolation", "csharp", `
namespace N {
public class C {
    public string Helper(int[] items) {
        return $"{items.Length} {{ literal }} and @\"{{\" more text to be long enough";
    }
    public string Feature(Visitor visitor) => visitor.GetFlag("cs-key").GetValue("x");
}
}
`, true},
	{"php strings", "php", `<?php
function helper(array $items): string {
    return "value {$items[0]} and } brace" . 'single { brace' . <<<EOT
heredoc { brace
EOT;
}
function f($visitor) {
    return $visitor->getFlag("php-key")->getValue(true);
}
`, true},
	{"python helpers left out", "python", `
import os

KEY = "py-key"


@decorator(with_args=True)
def helper(items, limit=3):
    """Keep what is over the limit, and say { or ( in a docstring."""
    return [x * 2 for x in items
            if x > limit]


class Checker:
    OTHER = "class-key"

    def unrelated(self, items):
        if items:
            return sorted(items)
        else:
            return []

    def check(self, visitor):
        return visitor.get_flag(self.OTHER, False).value() or visitor.get_flag(KEY, 1)
`, true},
	{"python constant rebound in a function", "python", `
KEY = "first"

def rebind():
    global KEY
    KEY = "second and a long enough line to be left out of the parse"

def f(visitor):
    return visitor.get_flag(KEY, False)
`, false},
	{"annotation in a block", "go", `
package p

func f() {
	// fe:flag: annotated-key, false
	doSomethingElse(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
}
`, false},
	{"unbalanced", "javascript", `
function f(v) { return v.getFlag("k3"); }
}
function g() { return 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13; }
`, false},
	{"key named in most blocks of a large file", "typescript", namedEverywhere(100), false},
	{"key named in most blocks of a small file", "typescript", namedEverywhere(4), true},
}

// namedEverywhere is a file of over minRounds bytes whose key is a
// constant most of its blocks name: the first partial parse needs them
// back, and the file is parsed whole rather than mostly again. Its
// smaller twin takes the second round.
func namedEverywhere(users int) string {
	var b strings.Builder
	b.WriteString("const KEY = \"everywhere\";\nexport function f(visitor) { return visitor.getFlag(KEY).getValue(false); }\n")
	for i := range users {
		fmt.Fprintf(&b, "export function user%d(prefix: string): string { return prefix + KEY + \" number %d of the users\"; }\n", i, i)
	}
	for i := range 8 {
		fmt.Fprintf(&b, "export function quiet%d(n: number): number { let total = 0; for (let i = 0; i < n; i++) { total += i * %d; } return total; }\n", i, i)
	}
	return b.String()
}

func TestPartialParseMatchesWhole(t *testing.T) {
	if n := len(namedEverywhere(100)); n < minRounds {
		t.Fatalf("namedEverywhere(100) is %d bytes, under %d", n, minRounds)
	}
	engine, err := NewEngine(rules.New(true, []rules.CallRule{{Name: "custom", Calls: []string{"variation"}, KeyArgument: 0, DefaultArgument: 1}}, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := engine.NewDetector()
	defer d.Close()
	for _, c := range partialCases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(c.src)
			whole, wholeErr := d.detect(context.Background(), c.lang, src, false, treesitter.Previous{})
			part, partErr := d.detect(context.Background(), c.lang, src, true, treesitter.Previous{})
			if (wholeErr == nil) != (partErr == nil) || !reflect.DeepEqual(whole, part) {
				t.Fatalf("partial parse differs:\n whole: %+v (%v)\n  part: %+v (%v)", whole, wholeErr, part, partErr)
			}
			if len(whole.References)+len(whole.Unresolved) == 0 {
				t.Fatalf("the case yields nothing: %+v", whole)
			}
			if got := usesPartial(d, c.lang, src); got != c.skips {
				t.Errorf("partial parse used: %v, want %v", got, c.skips)
			}
		})
	}
}

// usesPartial reports whether the detection of src ends with blocks left
// out of its parse.
func usesPartial(d *Detector, lang string, src []byte) bool {
	_, _, ok := d.detectPartial(context.Background(), lang, src, treesitter.Previous{})
	return ok
}

// TestPartialParseSDKSamples checks the partial parse against the whole
// one on every file of the catalogue. (Its files are dense in flag calls:
// few of their blocks are cold; partialCases show the partial parse used.)
func TestPartialParseSDKSamples(t *testing.T) {
	engine, err := NewEngine(rules.New(true, nil, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := engine.NewDetector()
	defer d.Close()
	samples, err := filepath.Glob(filepath.Join(sdkSamples, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		lang := LanguageOf(s)
		if strings.HasSuffix(s, ".want") || !engine.reg.Has(lang) {
			continue
		}
		src, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		checkPartial(t, d, s, lang, src)
	}
}

func checkPartial(t *testing.T, d *Detector, name, lang string, src []byte) {
	t.Helper()
	whole, wholeErr := d.detect(context.Background(), lang, src, false, treesitter.Previous{})
	part, partErr := d.detect(context.Background(), lang, src, true, treesitter.Previous{})
	if (wholeErr == nil) != (partErr == nil) || !reflect.DeepEqual(whole, part) {
		t.Fatalf("%s (%s): partial parse differs:\n whole: %+v (%v)\n  part: %+v (%v)", name, lang, whole, wholeErr, part, partErr)
	}
}

// FuzzPartialParse feeds arbitrary bytes to the detector of every
// tree-sitter language with and without cold blocks left out: the two must
// yield the same.
//
//	go test -run XXX -fuzz FuzzPartialParse -fuzztime 60s ./scanner/
func FuzzPartialParse(f *testing.F) {
	addSamples(f)
	for _, c := range partialCases {
		f.Add([]byte(c.src))
	}
	engine, err := NewEngine(rules.New(true, []rules.CallRule{{Name: "custom", Calls: []string{"variation"}, KeyArgument: 0, DefaultArgument: 1}}, nil), nil)
	if err != nil {
		f.Fatal(err)
	}
	d := engine.NewDetector()
	f.Cleanup(d.Close)
	langs := treesitter.Languages()
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, lang := range langs {
			// A parse that gives up (a grammar spinning on unfinished
			// code) leaves nothing to compare, and would be given up
			// again for every parse of the partial one.
			whole, err := d.detect(context.Background(), lang, src, false, treesitter.Previous{})
			if err != nil {
				continue
			}
			part, err := d.detect(context.Background(), lang, src, true, treesitter.Previous{})
			if err != nil || !reflect.DeepEqual(whole, part) {
				t.Fatalf("%s: partial parse differs:\n whole: %+v\n  part: %+v (%v)", lang, whole, part, err)
			}
		}
	})
}

// TestHistoryParsesFilesMetAgainWhole follows two files through versions
// as a history does, with a Versions: each is parsed with its cold blocks
// left out when first met, then whole, then from its last tree. Every
// version yields what a detection of it alone does.
func TestHistoryParsesFilesMetAgainWhole(t *testing.T) {
	engine, err := NewEngine(rules.New(true, nil, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := engine.NewDetector()
	defer d.Close()
	cold := "function quiet%d() { let total = 0; for (let i = 0; i < 100; i++) { total += i * %d; } return total; }\n"
	warm := "export function loud%d(v) { const a = v.getFlag(\"key-%d\").getValue(1); const b = v.getFlag(\"other-%d\"); return [a, b, %d]; }\n"
	version := func(hot, quiet, n int) []byte {
		var b strings.Builder
		for i := range hot {
			fmt.Fprintf(&b, warm, i, i+n, i, n)
		}
		for i := range quiet {
			fmt.Fprintf(&b, cold, i, i+n)
		}
		return []byte(b.String())
	}
	v := treesitter.NewVersions(1 << 20)
	defer v.Close()
	for n := range 4 {
		for _, f := range []struct {
			path string
			src  []byte
		}{
			{"warm.ts", version(6, 2, n)},
			{"cold.ts", version(1, 12, n)},
		} {
			prev := treesitter.Previous{Versions: v, Path: f.path}
			if kept := v.Keeps(f.path); kept != (n >= 2) {
				t.Errorf("%s version %d: a tree kept %v, want %v", f.path, n, kept, n >= 2)
			}
			if n == 0 && !usesPartial(d, "typescript", f.src) {
				t.Fatalf("%s: no cold blocks left out of its parse alone", f.path)
			}
			alone, err := d.Detect(context.Background(), "typescript", f.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.detect(context.Background(), "typescript", f.src, true, prev)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, alone) || len(got.References) == 0 {
				t.Fatalf("%s version %d: %+v in the history, %+v alone", f.path, n, got, alone)
			}
		}
	}
}
