package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Error is one problem of a configuration: where it is and what is wrong.
type Error struct {
	File string // the file's name; empty for an environment variable
	Line int    // 1-based; 0 when the problem has no line
	Path string // the key path, e.g. "rules[2].key_argument", or the variable
	Msg  string // what is wrong
}

// Error formats e as "file:line: path: message", leaving out what is empty.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// A decoder walks a YAML node tree into a Config, validating as it goes and
// collecting every problem as an *Error.
type decoder struct {
	file   string
	lookup func(string) (string, bool)
	errs   []*Error
	// skipWebhooks leaves the webhooks section out (LoadWithoutWebhooks).
	skipWebhooks bool
}

// err returns the problems found, sorted by line, joined; or nil.
func (d *decoder) err() error {
	slices.SortStableFunc(d.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	errs := make([]error, len(d.errs))
	for i, e := range d.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	e := &Error{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line = n.Line
	}
	d.errs = append(d.errs, e)
}

// yamlLine matches the syntax errors of go.yaml.in/yaml/v3.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses data and returns its top-level mapping, or nil when there is
// none (an empty file) or it is not valid.
func (d *decoder) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) {
			d.syntaxError(err)
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		d.errorf(&next, "", "a second YAML document: the file holds one")
		return nil
	case !errors.Is(err, io.EOF):
		d.syntaxError(err)
		return nil
	}
	if size := expandedSize(&doc, map[*yaml.Node]int{}); size > maxNodes {
		d.errorf(&doc, "", "the file's aliases expand to more than %d values: a configuration needs far fewer", maxNodes)
		return nil
	}
	root := resolve(doc.Content[0])
	if isNull(root) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "", "the file must be a mapping of keys (account, environments, ...), not %s", show(root))
		return nil
	}
	return root
}

// maxNodes bounds the values of a file once its aliases are expanded: a
// few lines of nested aliases ("billion laughs") would otherwise make the
// decoding of a payload run for minutes.
const maxNodes = 100_000

// expandedSize counts the nodes of n with its aliases expanded, stopping
// once past maxNodes; memo holds the counts of nodes already seen.
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int) int {
	if n == nil {
		return 0
	}
	if v, ok := memo[n]; ok {
		return v
	}
	memo[n] = maxNodes + 1 // a cycle counts as too many
	size := 1
	if n.Kind == yaml.AliasNode {
		size = expandedSize(n.Alias, memo)
	}
	for _, c := range n.Content {
		if size > maxNodes {
			break
		}
		size += expandedSize(c, memo)
	}
	memo[n] = size
	return size
}

func (d *decoder) syntaxError(err error) {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.errs = append(d.errs, &Error{File: d.file, Line: line, Msg: "invalid YAML: " + m[2]})
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")})
}

// resolve returns the node an alias stands for, or n.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// show describes n's value for an error message.
func show(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// child returns the value of key in the mapping n, or nil when it is absent
// or null.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			if v := resolve(n.Content[i+1]); !isNull(v) {
				return v
			}
			return nil
		}
	}
	return nil
}

// noItems reports whether n is absent, null or an empty list. A value of
// another kind is reported by whoever decodes it.
func noItems(n *yaml.Node) bool {
	return isNull(n) || (n.Kind == yaml.SequenceNode && len(n.Content) == 0)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// pairs calls fn for each key of the mapping n, in order. A null n is an
// empty mapping; anything else but a mapping, a key that is not a plain
// scalar and a repeated key are errors. pairs reports whether n was a mapping.
func (d *decoder) pairs(n *yaml.Node, path string, fn func(key string, k, v *yaml.Node)) bool {
	if isNull(n) {
		return true
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "must be a mapping (key: value), not %s", show(n))
		return false
	}
	first := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k, path, "keys must be plain names, not %s", show(k))
			continue
		case k.ShortTag() == "!!merge":
			d.errorf(k, join(path, k.Value), "merge keys are not supported")
			continue
		}
		p := join(path, k.Value)
		if line, ok := first[k.Value]; ok {
			d.errorf(k, p, "repeated key (first at line %d)", line)
			continue
		}
		first[k.Value] = k.Line
		fn(k.Value, k, v)
	}
	return true
}

// A field is a key of a mapping with a fixed set of keys, and what to do with
// its value, found at path.
type field struct {
	key string
	set func(path string, v *yaml.Node)
}

// fields decodes the mapping n, whose keys must be among fs's; see pairs.
func (d *decoder) fields(n *yaml.Node, path string, fs ...field) bool {
	return d.pairs(n, path, func(key string, k, v *yaml.Node) {
		for _, f := range fs {
			if f.key == key {
				f.set(join(path, key), v)
				return
			}
		}
		known := make([]string, len(fs))
		for i, f := range fs {
			known[i] = f.key
		}
		d.errorf(k, join(path, key), "unknown key (known: %s)", strings.Join(known, ", "))
	})
}

// items returns the items of the list n; a null n is an empty list.
func (d *decoder) items(n *yaml.Node, path string) []*yaml.Node {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "must be a list, not %s", show(n))
		return nil
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, item := range n.Content {
		items[i] = resolve(item)
	}
	return items
}

// str returns the text of the scalar n; ok is false when n is null or not a
// scalar, which is an error.
func (d *decoder) str(n *yaml.Node, path string) (s string, ok bool) {
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "must be a string, not %s", show(n))
		return "", false
	}
	return n.Value, true
}

// strs returns the strings of the list n, or nil if there are none, each
// passed through check when it is not nil; an item that is not a string or
// that check refuses is an error and left out.
func (d *decoder) strs(n *yaml.Node, path string, check func(string) (string, error)) []string {
	var out []string
	for i, item := range d.items(n, path) {
		p := index(path, i)
		s, ok := d.str(item, p)
		if !ok {
			if isNull(item) {
				d.errorf(item, p, "empty item")
			}
			continue
		}
		if check != nil {
			var err error
			if s, err = check(s); err != nil {
				d.errorf(item, p, "%v", err)
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

func (d *decoder) int(n *yaml.Node, path string) (int, bool) {
	var i int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
		d.errorf(n, path, "%s is not an integer", show(n))
		return 0, false
	}
	return i, true
}

func (d *decoder) bool(n *yaml.Node, path string) (bool, bool) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.errorf(n, path, "%s is not true or false", show(n))
		return false, false
	}
	return b, true
}

// scalar returns the text of n for a value parsed from text (a size, a
// duration), reporting an error when n is not a scalar.
func (d *decoder) scalar(n *yaml.Node, path, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "must be %s, not %s", what, show(n))
		return "", false
	}
	return n.Value, true
}

// size decodes a positive size.
func (d *decoder) size(n *yaml.Node, path string) (Size, bool) {
	s, ok := d.scalar(n, path, "a size")
	if !ok {
		return 0, false
	}
	z, err := ParseSize(s)
	if err == nil && z == 0 {
		err = errors.New("must be more than 0")
	}
	if err != nil {
		d.errorf(n, path, "%v", err)
		return 0, false
	}
	return z, true
}

// duration decodes a duration, which must be positive unless zeroOK.
func (d *decoder) duration(n *yaml.Node, path string, zeroOK bool) (time.Duration, bool) {
	s, ok := d.scalar(n, path, "a duration")
	if !ok {
		return 0, false
	}
	t, err := ParseDuration(s)
	if err == nil && t == 0 && !zeroOK {
		err = errors.New("must be more than 0")
	}
	if err != nil {
		d.errorf(n, path, "%v", err)
		return 0, false
	}
	return t, true
}

// required reports an error when the value of key in the mapping n, found
// as s, is missing or empty.
func (d *decoder) required(n *yaml.Node, path, key, s string) {
	switch v := child(n, key); {
	case v == nil:
		d.errorf(n, join(path, key), "is required")
	case strings.TrimSpace(s) == "" && v.Kind == yaml.ScalarNode:
		d.errorf(v, join(path, key), "must not be empty")
	}
}
