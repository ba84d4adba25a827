package scanner

import (
	"path"
	"strings"
)

// extensions maps file extensions to the language names used in configs
// and reports.
var extensions = map[string]string{
	".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
	".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
	".tsx":  "tsx",
	".go":   "go",
	".py":   "python",
	".java": "java",
	".kt":   "kotlin", ".kts": "kotlin",
	".swift": "swift",
	".cs":    "csharp",
	".php":   "php",
	".m":     "objc", ".mm": "objc", ".h": "objc",
	".dart": "dart",
	".fs":   "fsharp", ".fsx": "fsharp", ".fsi": "fsharp",
	".vb": "vb",
}

// LanguageOf returns the language of a file from its name, or "" when
// flagscan does not read it.
func LanguageOf(name string) string {
	return extensions[strings.ToLower(path.Ext(name))]
}
