package workspace

import (
	"fmt"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/rules"
)

// ScanSettings are the command-line flags that override the scan section
// of the configuration.
type ScanSettings struct {
	NoBuiltin    bool
	Exclude      []string
	ContextLines int // -1: from the configuration
	Workers      int
	// Progress, when set, receives the scanner's running counts.
	Progress func(scanner.Progress)
}

// NewScanner builds the rules, the engine and the scanner a configuration
// describes. An error names the configuration file and the rule at fault.
func NewScanner(c *config.Config, s ScanSettings) (*scanner.Scanner, error) {
	var (
		calls   []rules.CallRule
		queries []rules.QueryRule
	)
	for _, r := range c.Rules {
		if r.Query != "" {
			queries = append(queries, rules.QueryRule{Name: r.Name, Languages: r.Languages, Query: r.Query})
			continue
		}
		def := -1
		if r.DefaultArgument != nil {
			def = *r.DefaultArgument
		}
		calls = append(calls, rules.CallRule{Name: r.Name, Languages: r.Languages, Calls: r.Calls, KeyArgument: r.KeyArgument, DefaultArgument: def})
	}
	builtin := c.Scan.BuiltinRules && !s.NoBuiltin
	if !builtin && len(calls) == 0 && len(queries) == 0 {
		return nil, cli.Usagef("no rules: the built-in rules are off and the configuration has none")
	}
	engine, err := scanner.NewEngine(rules.New(builtin, calls, queries), queries)
	if err != nil {
		return nil, cli.Usage(ruleError(c, err))
	}
	if s.ContextLines >= 0 {
		if err := config.CheckContextLines(s.ContextLines); err != nil {
			return nil, cli.Usagef("--context-lines: %v", err)
		}
	}
	if s.Workers < 0 {
		return nil, cli.Usagef("--workers %d: must be at least 1 (0: one per CPU)", s.Workers)
	}
	for _, g := range s.Exclude {
		if err := config.CheckGlob(g); err != nil {
			return nil, cli.Usagef("--exclude: %v", err)
		}
	}
	opts := scanner.Options{
		Skip:         Excluder(append(append([]string(nil), c.Scan.Exclude...), s.Exclude...)),
		MaxFileSize:  int64(c.Scan.MaxFileSize),
		ContextLines: c.Scan.ContextLines,
		Workers:      s.Workers,
		Progress:     s.Progress,
	}
	if s.ContextLines >= 0 {
		opts.ContextLines = s.ContextLines
	}
	return scanner.New(engine, opts), nil
}

// Excluder returns a Skip function for exclude globs. "dir/**" matches
// dir itself, so a directory it names is never walked.
func Excluder(patterns []string) func(string, bool) bool {
	if len(patterns) == 0 {
		return nil
	}
	return func(p string, _ bool) bool {
		for _, g := range patterns {
			if config.MatchGlob(g, p) {
				return true
			}
		}
		return false
	}
}

// ruleError says which rule of the configuration a compile error is
// about, with its file, line and key, by compiling its query rules one at
// a time: only on this error path.
func ruleError(c *config.Config, err error) error {
	for i, r := range c.Rules {
		if r.Query == "" {
			continue
		}
		q := []rules.QueryRule{{Name: r.Name, Languages: r.Languages, Query: r.Query}}
		if _, qerr := scanner.NewEngine(rules.New(false, nil, q), q); qerr != nil {
			return &config.Error{File: c.File, Line: r.Line, Path: fmt.Sprintf("rules[%d].query", i), Msg: qerr.Error()}
		}
	}
	where := "built-in rules"
	if c.File != "" {
		where = c.File
	}
	return fmt.Errorf("%s: rules: %w", where, err)
}
