package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/rules"
)

// serverConfigNames are the files next to a repository (in its git
// directory) that hold a server's configuration of it.
func serverConfigNames() []string { return []string{"flagscan.yml", "flagscan.yaml"} }

// configFile returns the configuration file to read: flag, else
// $FLAGSCAN_CONFIG, else the .flagscan.yml at the work tree's top (when top
// is not ""), else flagscan.yml in the repository's git directory (when
// gitDir is not ""): the server's file of a bare repository. "" when there
// is none.
func configFile(flag, top, gitDir string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("FLAGSCAN_CONFIG"); env != "" {
		return env
	}
	if top != "" {
		if p, ok := config.Find(top); ok {
			return p
		}
	}
	if gitDir != "" {
		for _, name := range serverConfigNames() {
			p := filepath.Join(gitDir, name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}

// loadConfig returns the configuration of the file configFile finds, else
// the defaults; then the FLAGSCAN_* environment variables on top.
func loadConfig(flag, top, gitDir string) (*config.Config, error) {
	c := config.Default()
	if path := configFile(flag, top, gitDir); path != "" {
		var err error
		if c, err = config.Load(path); err != nil {
			return nil, usageError{err}
		}
	}
	if err := config.ApplyEnv(c, os.LookupEnv); err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

// loadScanConfig returns the configuration of `flagscan scan`: the file
// configFile finds in a work tree, like loadConfig, but only the file's detection settings (rules and scan) are
// read. A scan needs nothing else, and a webhook whose secret comes from a
// variable that a developer's shell does not set must not stop it.
func loadScanConfig(flag, top string) (*config.Config, error) {
	explicit := configFile(flag, top, "")
	c := config.Default()
	if explicit != "" {
		data, err := os.ReadFile(explicit)
		if err != nil {
			return nil, fmt.Errorf("reading config: %w", err)
		}
		det, err := config.ParseDetection(explicit, data)
		if err != nil {
			return nil, usageError{err}
		}
		if c, err = c.WithDetection(det); err != nil {
			return nil, usageError{err}
		}
		c.File = explicit
	}
	if err := config.ApplyEnv(c, os.LookupEnv); err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

// scanSettings are the command-line flags that override the scan section
// of the configuration.
type scanSettings struct {
	noBuiltin    bool
	exclude      []string
	contextLines int // -1: from the configuration
	workers      int
	// progress, when set, receives the scanner's running counts.
	progress func(scanner.Progress)
}

// newScanner builds the rules, the engine and the scanner a configuration
// describes. An error names the configuration file and the rule at fault.
func newScanner(c *config.Config, s scanSettings) (*scanner.Scanner, error) {
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
	builtin := c.Scan.BuiltinRules && !s.noBuiltin
	if !builtin && len(calls) == 0 && len(queries) == 0 {
		return nil, usagef("no rules: the built-in rules are off and the configuration has none")
	}
	engine, err := scanner.NewEngine(rules.New(builtin, calls, queries), queries)
	if err != nil {
		where := "built-in rules"
		if c.File != "" {
			where = c.File
		}
		return nil, usageError{fmt.Errorf("%s: rules: %w", where, err)}
	}
	for _, g := range s.exclude {
		if err := config.CheckGlob(g); err != nil {
			return nil, usagef("--exclude: %v", err)
		}
	}
	opts := scanner.Options{
		Skip:         excluder(append(append([]string(nil), c.Scan.Exclude...), s.exclude...)),
		MaxFileSize:  int64(c.Scan.MaxFileSize),
		ContextLines: c.Scan.ContextLines,
		Workers:      s.workers,
		Progress:     s.progress,
	}
	if s.contextLines >= 0 {
		opts.ContextLines = s.contextLines
	}
	return scanner.New(engine, opts), nil
}

// excluder returns a Skip function for exclude globs. "dir/**" matches
// dir itself, so a directory it names is never walked.
func excluder(patterns []string) func(string, bool) bool {
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
