package config

import "strings"

// Languages returns the canonical names of the languages flagscan scans, in
// a fixed order. Each call returns a new slice.
func Languages() []string {
	return []string{
		"javascript", "typescript", "tsx", "go", "python", "java", "kotlin",
		"swift", "csharp", "php", "objc", "dart", "fsharp", "vb",
	}
}

// NormalizeLanguage returns the canonical name (see Languages) of the
// language called name, which may be a canonical name or a common alias in
// any case: js and jsx (javascript), ts (typescript), golang, py, kt, c# and
// cs (csharp), objective-c and obj-c (objc), f# (fsharp), visualbasic and
// vb.net (vb).
func NormalizeLanguage(name string) (string, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	switch name {
	case "javascript", "typescript", "tsx", "go", "python", "java", "kotlin",
		"swift", "csharp", "php", "objc", "dart", "fsharp", "vb":
		return name, true
	case "js", "jsx":
		return "javascript", true
	case "ts":
		return "typescript", true
	case "golang":
		return "go", true
	case "py":
		return "python", true
	case "kt":
		return "kotlin", true
	case "c#", "cs":
		return "csharp", true
	case "objective-c", "objectivec", "obj-c":
		return "objc", true
	case "f#":
		return "fsharp", true
	case "visualbasic", "visual-basic", "vb.net":
		return "vb", true
	}
	return "", false
}

// HasTreeSitter reports whether the canonical language lang is parsed with a
// tree-sitter grammar, so that query rules can apply to it. The others
// (objc, dart, fsharp, vb) have no grammar and are scanned lexically.
func HasTreeSitter(lang string) bool {
	switch lang {
	case "objc", "dart", "fsharp", "vb":
		return false
	}
	_, ok := NormalizeLanguage(lang)
	return ok
}
