package config

import (
	"go.yaml.in/yaml/v3"
)

// ParsePolicy returns the hook.policy of a configuration file, decoding
// nothing else: flagscan diff checks new keys against key_pattern on a
// developer's machine, where the webhooks' ${NAME} variables are unset.
// Nothing is expanded; an invalid hook section is an error.
func ParsePolicy(name string, data []byte) (Policy, error) {
	d := &decoder{file: name, lookup: func(string) (string, bool) { return "", false }}
	var h Hook
	if root := d.document(data); root != nil {
		d.pairs(root, "", func(key string, _, v *yaml.Node) {
			if key == "hook" {
				d.hook(v, "hook", &h)
			}
		})
	}
	if err := d.err(); err != nil {
		return Policy{}, err
	}
	return h.Policy, nil
}
