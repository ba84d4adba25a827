package treesitter

import sitter "github.com/smacker/go-tree-sitter"

// csharpLanguage returns the csharp grammar; nil until it is written.
func csharpLanguage() (*sitter.Language, grammar) { return nil, nil }
