package config

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Detection is what a configuration file that comes with pushed code may
// set when flagscan runs as a git server hook: how references are found
// (rules and scan), never where events go or who they are attributed to.
type Detection struct {
	// File is the name the file was parsed from.
	File string
	// Rules are the file's custom rules.
	Rules []Rule
	// Scan holds the file's scan settings; only the keys listed in
	// ScanKeys were set by the file, the others hold their defaults.
	Scan     Scan
	ScanKeys []string
	// Ignored are the sections of the file that only the server's
	// configuration may set (account, environments, branches, actor,
	// webhooks, delivery, hook), in file order. They are not decoded.
	Ignored []string
}

// serverOnly are the top-level sections ParseDetection skips.
var serverOnly = []string{"account", "environments", "branches", "actor", "webhooks", "delivery", "hook"}

// ParseDetection parses the detection settings of a configuration file
// read from pushed code: its rules and scan sections, validated as Parse
// validates them. The other sections are listed in Detection.Ignored
// without being decoded, so that nothing in them is ever used, and no
// ${NAME} reference is ever expanded: pushed code must not be able to
// read the server's environment or send events anywhere. Unknown keys and
// invalid values are errors, as for Parse.
func ParseDetection(name string, data []byte) (*Detection, error) {
	d := &decoder{file: name, lookup: func(string) (string, bool) { return "", false }}
	det := &Detection{File: name, Scan: Default().Scan}
	if root := d.document(data); root != nil {
		fs := []field{
			{"rules", func(p string, v *yaml.Node) { det.Rules = d.rules(v, p) }},
			{"scan", func(p string, v *yaml.Node) {
				d.scan(v, p, &det.Scan)
				if v.Kind == yaml.MappingNode {
					for i := 0; i+1 < len(v.Content); i += 2 {
						if k := v.Content[i].Value; !slices.Contains(det.ScanKeys, k) {
							det.ScanKeys = append(det.ScanKeys, k)
						}
					}
				}
			}},
		}
		for _, key := range serverOnly {
			fs = append(fs, field{key, func(string, *yaml.Node) { det.Ignored = append(det.Ignored, key) }})
		}
		d.fields(root, "", fs...)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return det, nil
}

// WithDetection returns a copy of c with the detection settings of det
// added: its rules after c's, its scan.exclude patterns after c's, and
// its other scan keys in place of c's. A rule whose name a rule of c
// already has is an error, an *Error at the rule in det's file.
func (c *Config) WithDetection(det *Detection) (*Config, error) {
	next := *c
	if det == nil {
		return &next, nil
	}
	names := map[string]bool{}
	for _, r := range c.Rules {
		names[r.Name] = true
	}
	for i, r := range det.Rules {
		if names[r.Name] {
			where := "the server's configuration"
			if c.File != "" {
				where = c.File
			}
			return nil, &Error{File: det.File, Line: r.Line, Path: fmt.Sprintf("rules[%d].name", i),
				Msg: fmt.Sprintf("%q is already the name of a rule of %s", r.Name, where)}
		}
	}
	next.Rules = append(slices.Clip(c.Rules), det.Rules...)
	for _, k := range det.ScanKeys {
		switch k {
		case "exclude":
			next.Scan.Exclude = append(slices.Clip(c.Scan.Exclude), det.Scan.Exclude...)
		case "max_file_size":
			next.Scan.MaxFileSize = det.Scan.MaxFileSize
		case "context_lines":
			next.Scan.ContextLines = det.Scan.ContextLines
		case "builtin_rules":
			next.Scan.BuiltinRules = det.Scan.BuiltinRules
		}
	}
	return &next, nil
}

// WithPushedDetection is WithDetection for a configuration that came with
// pushed code (a server hook): it may lower the server's scan settings
// that bound the work, never raise them, so that a push cannot make the
// server read a 50 MB file. It returns what it did not take, for the
// pusher.
func (c *Config) WithPushedDetection(det *Detection) (*Config, []string, error) {
	next, err := c.WithDetection(det)
	if err != nil || det == nil {
		return next, nil, err
	}
	var notes []string
	if next.Scan.MaxFileSize > c.Scan.MaxFileSize {
		notes = append(notes, fmt.Sprintf("%s: scan.max_file_size %s is more than the server's %s, which applies",
			det.File, next.Scan.MaxFileSize, c.Scan.MaxFileSize))
		next.Scan.MaxFileSize = c.Scan.MaxFileSize
	}
	return next, notes, nil
}
