package config

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxContextLines bounds scan.context_lines.
const maxContextLines = 20

// config decodes the top-level mapping n into c, which holds the defaults.
func (d *decoder) config(n *yaml.Node, c *Config) {
	d.fields(n, "",
		field{"account", func(p string, v *yaml.Node) {
			d.fields(v, p,
				field{"id", func(p string, v *yaml.Node) { c.Account.ID, _ = d.str(v, p) }},
				field{"name", func(p string, v *yaml.Node) { c.Account.Name, _ = d.str(v, p) }})
		}},
		field{"environments", func(p string, v *yaml.Node) {
			if envs := d.environments(v, p); len(envs) > 0 {
				c.Environments = envs
			}
		}},
		field{"branches", func(p string, v *yaml.Node) { c.Branches = d.strs(v, p, checkGlob) }},
		field{"actor", func(p string, v *yaml.Node) {
			d.fields(v, p, field{"role", func(p string, v *yaml.Node) {
				if s, ok := d.str(v, p); ok && strings.TrimSpace(s) == "" {
					d.errorf(v, p, "must not be empty")
				} else if ok {
					c.Actor.Role = s
				}
			}})
		}},
		field{"scan", func(p string, v *yaml.Node) { d.scan(v, p, &c.Scan) }},
		field{"rules", func(p string, v *yaml.Node) { c.Rules = d.rules(v, p) }},
		field{"webhooks", func(p string, v *yaml.Node) {
			if !d.skipWebhooks {
				c.Webhooks = d.webhooks(v, p)
			}
		}},
		field{"delivery", func(p string, v *yaml.Node) { d.delivery(v, p, &c.Delivery) }},
		field{"hook", func(p string, v *yaml.Node) { d.hook(v, p, &c.Hook) }},
	)
}

// checkGlob adapts CheckGlob to decoder.strs.
func checkGlob(s string) (string, error) { return s, CheckGlob(s) }

func (d *decoder) environments(n *yaml.Node, path string) []Environment {
	var envs []Environment
	first := make(map[string]string) // id -> path of the environment
	for i, item := range d.items(n, path) {
		p := index(path, i)
		var e Environment
		if !d.fields(item, p,
			field{"id", func(p string, v *yaml.Node) { e.ID, _ = d.str(v, p) }},
			field{"name", func(p string, v *yaml.Node) { e.Name, _ = d.str(v, p) }},
			field{"paths", func(p string, v *yaml.Node) { e.Paths = d.strs(v, p, checkGlob) }},
		) {
			continue
		}
		d.required(item, p, "id", e.ID)
		d.required(item, p, "name", e.Name)
		if noItems(child(item, "paths")) {
			d.errorf(item, p+".paths", `is required: globs of the paths that belong to the environment, e.g. ["**"]`)
		}
		if e.ID != "" {
			if other, dup := first[e.ID]; dup {
				d.errorf(child(item, "id"), p+".id", "%q is already the id of %s", e.ID, other)
			}
			first[e.ID] = p
		}
		envs = append(envs, e)
	}
	return envs
}

func (d *decoder) scan(n *yaml.Node, path string, s *Scan) {
	d.fields(n, path,
		field{"exclude", func(p string, v *yaml.Node) { s.Exclude = d.strs(v, p, checkGlob) }},
		field{"max_file_size", func(p string, v *yaml.Node) {
			if z, ok := d.size(v, p); ok {
				s.MaxFileSize = z
			}
		}},
		field{"context_lines", func(p string, v *yaml.Node) {
			if i, ok := d.int(v, p); ok {
				if err := CheckContextLines(i); err != nil {
					d.errorf(v, p, "%v", err)
				} else {
					s.ContextLines = i
				}
			}
		}},
		field{"builtin_rules", func(p string, v *yaml.Node) {
			if b, ok := d.bool(v, p); ok {
				s.BuiltinRules = b
			}
		}},
	)
}

// CheckContextLines checks a scan.context_lines value, whichever of the
// file, the environment or a flag gives it.
func CheckContextLines(i int) error {
	if i < 0 || i > maxContextLines {
		return fmt.Errorf("%d is out of range: 0 to %d", i, maxContextLines)
	}
	return nil
}

func (d *decoder) delivery(n *yaml.Node, path string, dl *Delivery) {
	d.fields(n, path,
		field{"timeout", func(p string, v *yaml.Node) {
			if t, ok := d.duration(v, p, false); ok {
				dl.Timeout = t
			}
		}},
		field{"inline_budget", func(p string, v *yaml.Node) {
			if t, ok := d.duration(v, p, true); ok {
				dl.InlineBudget = t
			}
		}},
		field{"lease", func(p string, v *yaml.Node) {
			if t, ok := d.duration(v, p, false); ok {
				dl.Lease = t
			}
		}},
		field{"allow_hosts", func(p string, v *yaml.Node) { dl.AllowHosts = d.strs(v, p, checkHost) }},
		field{"retry_schedule", func(p string, v *yaml.Node) {
			items := d.items(v, p)
			dl.RetrySchedule = dl.RetrySchedule[:0:0]
			for i, item := range items {
				if t, ok := d.duration(item, index(p, i), false); ok {
					dl.RetrySchedule = append(dl.RetrySchedule, t)
				}
			}
		}},
	)
}

// checkHost checks an allow_hosts entry: a host name, an IP address or a
// CIDR prefix. Host names are lower-cased.
func checkHost(s string) (string, error) {
	switch {
	case strings.Contains(s, "://"):
		return "", fmt.Errorf("%q is a URL: write its host alone", s)
	case strings.Contains(s, "/"):
		if _, err := netip.ParsePrefix(s); err != nil {
			return "", fmt.Errorf("%q is not a CIDR prefix (e.g. 10.0.0.0/8, fd00::/8)", s)
		}
		return s, nil
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return s, nil
	}
	if s == "" || strings.Trim(strings.ToLower(s), "abcdefghijklmnopqrstuvwxyz0123456789.-_") != "" {
		return "", fmt.Errorf("%q is not a host name, an IP address or a CIDR prefix", s)
	}
	return strings.ToLower(s), nil
}

func (d *decoder) rules(n *yaml.Node, path string) []Rule {
	var rules []Rule
	first := make(map[string]string) // name -> path of the rule
	for i, item := range d.items(n, path) {
		p := index(path, i)
		r, ok := d.rule(item, p)
		if !ok {
			continue
		}
		if r.Name != "" {
			if other, dup := first[r.Name]; dup {
				d.errorf(child(item, "name"), p+".name", "%q is already the name of %s", r.Name, other)
			}
			first[r.Name] = p
		}
		rules = append(rules, r)
	}
	return rules
}

func (d *decoder) rule(n *yaml.Node, path string) (Rule, bool) {
	r := Rule{Line: n.Line}
	calls, query := child(n, "calls"), child(n, "query")
	if !d.fields(n, path,
		field{"name", func(p string, v *yaml.Node) { r.Name, _ = d.str(v, p) }},
		field{"languages", func(p string, v *yaml.Node) {
			r.Languages = d.strs(v, p, func(s string) (string, error) { return checkLanguage(s, query != nil) })
		}},
		field{"calls", func(p string, v *yaml.Node) { r.Calls = d.strs(v, p, checkCall) }},
		field{"key_argument", func(p string, v *yaml.Node) { r.KeyArgument, _ = d.argument(v, p) }},
		field{"default_argument", func(p string, v *yaml.Node) {
			if i, ok := d.argument(v, p); ok {
				r.DefaultArgument = &i
			}
		}},
		field{"query", func(p string, v *yaml.Node) { r.Query, _ = d.str(v, p) }},
	) {
		return r, false
	}
	r.Languages = dedupe(r.Languages)
	d.required(n, path, "name", r.Name)
	switch {
	case calls != nil && query != nil:
		d.errorf(n, path, "has both calls and query: a rule uses one or the other")
	case calls == nil && query == nil:
		d.errorf(n, path, "needs calls (function or method names) or a query (tree-sitter)")
	case calls != nil:
		if noItems(calls) {
			d.errorf(calls, path+".calls", "is empty: name at least one function or method")
		}
		if r.DefaultArgument != nil && *r.DefaultArgument == r.KeyArgument {
			d.errorf(child(n, "default_argument"), path+".default_argument", "is the key argument too (%d)", r.KeyArgument)
		}
	default: // query
		for _, key := range []string{"key_argument", "default_argument"} {
			if v := child(n, key); v != nil {
				d.errorf(v, join(path, key), "applies to calls rules only: a query captures the key as @key")
			}
		}
		switch {
		case strings.TrimSpace(r.Query) == "":
			d.errorf(query, path+".query", "must not be empty")
		case !hasKeyCapture(r.Query):
			d.errorf(query, path+".query", "must capture the flag key as @key")
		}
		if noItems(child(n, "languages")) {
			d.errorf(n, path+".languages", "a query rule must name its languages: a tree-sitter query is written for a grammar")
		}
	}
	return r, true
}

// argument decodes a 0-based argument position.
func (d *decoder) argument(n *yaml.Node, path string) (int, bool) {
	i, ok := d.int(n, path)
	if ok && i < 0 {
		d.errorf(n, path, "%d is negative: arguments are counted from 0", i)
		return 0, false
	}
	return i, ok
}

// checkLanguage returns the canonical name of the language s of a rule, a
// query rule if query.
func checkLanguage(s string, query bool) (string, error) {
	lang, ok := NormalizeLanguage(s)
	if !ok {
		return "", fmt.Errorf("unknown language %q (known: %s)", s, strings.Join(Languages(), ", "))
	}
	if query && !HasTreeSitter(lang) {
		return "", fmt.Errorf("a query rule cannot apply to %s: flagscan has no tree-sitter grammar for it and scans it lexically; use calls", lang)
	}
	return lang, nil
}

// checkCall checks the name of a function or method in a rule's calls.
func checkCall(s string) (string, error) {
	switch {
	case strings.TrimSpace(s) == "":
		return "", errors.New("call name is empty")
	case strings.ContainsAny(s, " \t\r\n(),"):
		return "", fmt.Errorf("%q is not a function or method name (write getFlag, not getFlag(...))", s)
	}
	return s, nil
}

// hasKeyCapture reports whether the tree-sitter query q has a @key capture.
func hasKeyCapture(q string) bool {
	for i := 0; ; {
		j := strings.Index(q[i:], "@key")
		if j < 0 {
			return false
		}
		i += j + len("@key")
		if i == len(q) || !isCaptureChar(q[i]) {
			return true
		}
	}
}

func isCaptureChar(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// dedupe removes repeated strings from s, keeping the first of each.
func dedupe(s []string) []string {
	out := s[:0]
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
