package config

import (
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultHookBudget is how long the pre-receive hook may analyze a push
// when hook.budget is not set: well inside the 5 seconds git servers such
// as GitHub Enterprise Server give all pre-receive hooks together.
const DefaultHookBudget = 4 * time.Second

// What the pre-receive hook does when its analysis fails or runs out of
// time (hook.policy.on_error).
const (
	OnErrorAccept = "accept" // the push goes through; post-receive analyzes it
	OnErrorReject = "reject" // the push is refused
)

// Hook holds the settings of the git server hooks (flagscan hook
// pre-receive and post-receive). Its zero value is the default.
type Hook struct {
	// Budget bounds the pre-receive hook, from its start to its exit; 0
	// means DefaultHookBudget. When it runs out the hook lets the push
	// through (unless Policy.OnError says otherwise) and leaves the
	// analysis to post-receive.
	Budget time.Duration `yaml:"budget,omitempty"`
	// Policy is what may make pre-receive refuse a push.
	Policy Policy `yaml:"policy,omitempty"`
}

// Policy is when the pre-receive hook refuses a push. Its zero value
// refuses none.
type Policy struct {
	// KeyPattern, when not empty, is a regular expression (RE2 syntax)
	// that every new flag key must match as a whole: a push that adds a
	// key it does not match is refused, naming the key and where it is.
	KeyPattern string `yaml:"key_pattern,omitempty"`
	// OnError is OnErrorAccept ("" means it too) or OnErrorReject: what
	// pre-receive does when its analysis fails or its budget runs out.
	OnError string `yaml:"on_error,omitempty"`

	keyRE *regexp.Regexp
}

// HookBudget returns the pre-receive hook's budget: Budget, or
// DefaultHookBudget when it is not set.
func (h Hook) HookBudget() time.Duration {
	if h.Budget <= 0 {
		return DefaultHookBudget
	}
	return h.Budget
}

// MatchKey reports whether a new flag key is allowed: it matches
// KeyPattern as a whole, or there is no KeyPattern.
func (p Policy) MatchKey(key string) bool {
	if p.KeyPattern == "" {
		return true
	}
	re := p.keyRE
	if re == nil {
		var err error
		if re, err = compileKeyPattern(p.KeyPattern); err != nil {
			return false
		}
	}
	return re.MatchString(key)
}

// RejectOnError reports whether pre-receive refuses a push it could not
// analyze.
func (p Policy) RejectOnError() bool { return p.OnError == OnErrorReject }

// compileKeyPattern compiles a key_pattern, anchored at both ends.
func compileKeyPattern(s string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + s + `)$`)
}

func (d *decoder) hook(n *yaml.Node, path string, h *Hook) {
	d.fields(n, path,
		field{"budget", func(p string, v *yaml.Node) {
			if t, ok := d.duration(v, p, false); ok {
				h.Budget = t
			}
		}},
		field{"policy", func(p string, v *yaml.Node) {
			d.fields(v, p,
				field{"key_pattern", func(p string, v *yaml.Node) {
					s, ok := d.str(v, p)
					if !ok {
						return
					}
					re, err := compileKeyPattern(s)
					if err != nil {
						d.errorf(v, p, "%q is not a regular expression: %v", s, err)
						return
					}
					h.Policy.KeyPattern, h.Policy.keyRE = s, re
				}},
				field{"on_error", func(p string, v *yaml.Node) {
					s, ok := d.str(v, p)
					if !ok {
						return
					}
					if s != OnErrorAccept && s != OnErrorReject {
						d.errorf(v, p, "%q: use %s (the push goes through) or %s", s, OnErrorAccept, OnErrorReject)
						return
					}
					h.Policy.OnError = s
				}},
			)
		}},
	)
}
