package treesitter

import sitter "github.com/smacker/go-tree-sitter"

// kotlinLanguage returns the kotlin grammar; nil until it is written.
func kotlinLanguage() (*sitter.Language, grammar) { return nil, nil }
