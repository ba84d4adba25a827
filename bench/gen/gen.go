// Package gen writes synthetic source trees for benchmarks: many files in
// the languages flagscan reads, a share of them calling the Flagship SDK,
// the rest ordinary code and some files flagscan does not read at all.
package gen

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

// Tree describes what Generate wrote.
type Tree struct {
	Files     int   // files written
	Bytes     int64 // their total size
	FlagFiles int   // files holding at least one flag reference
	Keys      int   // distinct flag keys referenced
}

// language is a way to write one kind of file.
type language struct {
	ext    string
	weight int
	body   func(r *rand.Rand, i, scale int) string // ordinary code; scale multiplies its length
	flag   func(key string, i int) string          // a function referencing a flag
}

var languages = []language{
	{".ts", 25, tsBody, func(k string, i int) string {
		return fmt.Sprintf("export function feature%d(visitor: Visitor): string {\n  const flag = visitor.getFlag(%q);\n  return String(flag.getValue(\"off\"));\n}\n", i, k)
	}},
	{".tsx", 8, tsBody, func(k string, i int) string {
		return fmt.Sprintf("export function Banner%d() {\n  const flag = useFsFlag(%q);\n  return <div>{flag.getValue(false) ? \"on\" : \"off\"}</div>;\n}\n", i, k)
	}},
	{".js", 15, jsBody, func(k string, i int) string {
		return fmt.Sprintf("function feature%d(visitor) {\n  return visitor.getFlag(%q).getValue(%d);\n}\n", i, k, i)
	}},
	{".go", 15, goBody, func(k string, i int) string {
		return fmt.Sprintf("func feature%d(v *Visitor) string {\n\ts, _ := v.GetModificationString(%q, \"default\", true)\n\treturn s\n}\n", i, k)
	}},
	{".py", 10, pyBody, func(k string, i int) string {
		return fmt.Sprintf("def feature_%d(visitor):\n    return visitor.get_flag(%q, False).value()\n\n", i, k)
	}},
	{".java", 9, javaBody, func(k string, i int) string {
		return fmt.Sprintf("  public String feature%d(Visitor visitor) {\n    return visitor.getFlag(%q, \"blue\").value(true);\n  }\n", i, k)
	}},
	{".kt", 5, ktBody, func(k string, i int) string {
		return fmt.Sprintf("fun feature%d(visitor: Visitor): Int = visitor.getFlag(%q).value(%d, true)\n", i, k, i)
	}},
	{".swift", 4, swiftBody, func(k string, i int) string {
		return fmt.Sprintf("func feature%d(visitor: FSVisitor) -> Bool {\n    return visitor.getFlag(key: %q).value(defaultValue: false) as? Bool ?? false\n}\n", i, k)
	}},
	{".cs", 4, csBody, func(k string, i int) string {
		return fmt.Sprintf("    public string Feature%d(Visitor visitor) => visitor.GetFlag(%q).GetValue(\"x\");\n", i, k)
	}},
	{".php", 3, phpBody, func(k string, i int) string {
		return fmt.Sprintf("function feature%d($visitor) {\n    return $visitor->getFlag(%q)->getValue(true);\n}\n", i, k)
	}},
	{".dart", 2, dartBody, func(k string, i int) string {
		return fmt.Sprintf("bool feature%d(Visitor visitor) => visitor.getFlag(%q).value(false);\n", i, k)
	}},
}

// others are files flagscan does not read, in the share a repository has.
var others = []struct {
	ext  string
	body func(r *rand.Rand, i int) string
}{
	{".md", func(r *rand.Rand, i int) string {
		return strings.Repeat("Some documentation text about the module.\n", 20+r.Intn(40))
	}},
	{".json", func(r *rand.Rand, i int) string {
		return fmt.Sprintf("{\n  \"name\": \"pkg-%d\",\n  \"version\": \"1.0.%d\",\n  \"getFlag\": false\n}\n", i, i)
	}},
	{".css", func(r *rand.Rand, i int) string {
		return strings.Repeat(".c { color: red; margin: 0 auto; }\n", 30+r.Intn(30))
	}},
}

// Generate writes files files under dir, deterministically for a seed.
// flagShare is the fraction of source files that reference a flag.
func Generate(dir string, files int, flagShare float64, seed int64) (Tree, error) {
	return GenerateScaled(dir, files, flagShare, seed, 1)
}

// GenerateScaled is Generate with source files scale times as long: scale
// 1 gives files of about a kilobyte, 5 of several, as most real source
// files are. The flag references are the same in number and shape; only
// the ordinary code around them grows, which is what a parser pays for.
func GenerateScaled(dir string, files int, flagShare float64, seed int64, scale int) (Tree, error) {
	return EachScaled(files, flagShare, seed, scale, func(name, content string) error {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		return os.WriteFile(full, []byte(content), 0o644)
	})
}

// Each generates files files, deterministically for a seed, and calls fn
// with each one's slash-separated path and content.
func Each(files int, flagShare float64, seed int64, fn func(name, content string) error) (Tree, error) {
	return EachScaled(files, flagShare, seed, 1, fn)
}

// EachScaled is Each with source files scale times as long (see
// GenerateScaled).
func EachScaled(files int, flagShare float64, seed int64, scale int, fn func(name, content string) error) (Tree, error) {
	scale = max(scale, 1)
	r := rand.New(rand.NewSource(seed))
	total := 0
	for _, l := range languages {
		total += l.weight
	}
	var t Tree
	keys := map[string]bool{}
	for i := 0; i < files; i++ {
		// Nest files in a realistic depth: services/svcN/src/moduleM/...
		sub := fmt.Sprintf("services/svc%02d/src/module%03d", i%40, (i/40)%100)
		var name, content string
		if r.Intn(10) == 0 {
			o := others[r.Intn(len(others))]
			name, content = fmt.Sprintf("file%05d%s", i, o.ext), o.body(r, i)
		} else {
			pick, l := r.Intn(total), languages[0]
			for _, cand := range languages {
				if pick < cand.weight {
					l = cand
					break
				}
				pick -= cand.weight
			}
			var b strings.Builder
			b.WriteString(l.body(r, i, scale))
			if r.Float64() < flagShare {
				key := fmt.Sprintf("feature-%d.enabled", r.Intn(500))
				keys[key] = true
				b.WriteString(l.flag(key, i))
				t.FlagFiles++
			}
			switch l.ext { // close what the body opened
			case ".java":
				b.WriteString("}\n")
			case ".cs":
				b.WriteString("}\n}\n")
			}
			name, content = fmt.Sprintf("file%05d%s", i, l.ext), b.String()
		}
		if err := fn(sub+"/"+name, content); err != nil {
			return t, err
		}
		t.Files++
		t.Bytes += int64(len(content))
	}
	t.Keys = len(keys)
	return t, nil
}

// functions repeats a language's function shape, 3 to 10 times for each
// unit of scale.
func functions(r *rand.Rand, shape string, scale int) string {
	var b strings.Builder
	for n := (3 + r.Intn(8)) * scale; n > 0; n-- {
		fmt.Fprintf(&b, shape, r.Intn(100000), r.Intn(100), r.Intn(1000))
	}
	return b.String()
}

func tsBody(r *rand.Rand, i, scale int) string {
	return "import { format } from \"./format\";\n\n// Helpers for the module; nothing to do with flags.\n" + functions(r,
		"export function helper%d(items: number[], limit = %d): number[] {\n  const out: number[] = [];\n  for (const item of items) {\n    if (item > limit) {\n      out.push(item * %d);\n    }\n  }\n  return out.map((x) => Number(format(x)));\n}\n\n", scale)
}

func jsBody(r *rand.Rand, i, scale int) string {
	return "'use strict';\n\n" + functions(r,
		"function helper%d(items, limit = %d) {\n  return items.filter((x) => x > limit).map((x) => x * %d);\n}\nmodule.exports.helper = helper;\n\n", scale)
}

func goBody(r *rand.Rand, i, scale int) string {
	return "package module\n\nimport \"strings\"\n\n" + functions(r,
		"// helper%d joins and trims.\nfunc helper%[1]d(items []string) string {\n\tif len(items) > %d {\n\t\titems = items[:%d]\n\t}\n\treturn strings.TrimSpace(strings.Join(items, \", \"))\n}\n\n", scale)
}

func pyBody(r *rand.Rand, i, scale int) string {
	return "import os\n\n\n" + functions(r,
		"def helper_%d(items, limit=%d):\n    \"\"\"Keep what is over the limit.\"\"\"\n    return [x * %d for x in items if x > limit]\n\n\n", scale)
}

func javaBody(r *rand.Rand, i, scale int) string {
	return fmt.Sprintf("package com.example.module;\n\nimport java.util.List;\n\npublic class File%d {\n", i) + functions(r,
		"  public int helper%d(List<Integer> items) {\n    int sum = %d;\n    for (int x : items) { sum += x * %d; }\n    return sum;\n  }\n\n", scale)
}

func ktBody(r *rand.Rand, i, scale int) string {
	return "package com.example.module\n\n" + functions(r,
		"fun helper%d(items: List<Int>): Int {\n    return items.filter { it > %d }.sumOf { it * %d }\n}\n\n", scale)
}

func swiftBody(r *rand.Rand, i, scale int) string {
	return "import Foundation\n\n" + functions(r,
		"func helper%d(_ items: [Int]) -> Int {\n    return items.filter { $0 > %d }.map { $0 * %d }.reduce(0, +)\n}\n\n", scale)
}

func csBody(r *rand.Rand, i, scale int) string {
	return fmt.Sprintf("using System.Linq;\n\nnamespace Example.Module {\npublic class File%d {\n", i) + functions(r,
		"    public int Helper%d(int[] items) {\n        return items.Where(x => x > %d).Sum(x => x * %d);\n    }\n\n", scale)
}

func phpBody(r *rand.Rand, i, scale int) string {
	return "<?php\n\n" + functions(r,
		"function helper%d(array $items): array {\n    return array_map(fn($x) => $x * %d, array_filter($items, fn($x) => $x > %d));\n}\n\n", scale)
}

func dartBody(r *rand.Rand, i, scale int) string {
	return "import 'dart:math';\n\n" + functions(r,
		"int helper%d(List<int> items) {\n  return items.where((x) => x > %d).map((x) => x * %d).fold(0, max);\n}\n\n", scale)
}
