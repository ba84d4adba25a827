package treesitter

import sitter "github.com/smacker/go-tree-sitter"

// swiftLanguage returns the swift grammar; nil until it is written.
func swiftLanguage() (*sitter.Language, grammar) { return nil, nil }
