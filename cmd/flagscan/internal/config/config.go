// Package config loads and validates flagscan's configuration file,
// .flagscan.yml at the root of a repository.
//
// The file's shape is fixed by the product specification and documented key
// by key in docs/config.md. Parse reads it strictly: an unknown key, a value of
// the wrong type or a value that does not validate is an error, and every
// error of a file is reported, each with the file name, the line and the key
// path, e.g.
//
//	.flagscan.yml:14: scan.max_file_size: "1XB" is not a size (examples: 1MiB, 512KiB, 1000000)
//
// Values that may hold credentials (webhook secrets and header values) have
// the type Secret, which never prints its value; Config.String and
// Webhook.String hide webhook URLs' paths and payload values as well.
package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is a parsed and validated configuration, with defaults filled in.
type Config struct {
	// File is the name the configuration was parsed from (the name given to
	// Parse or the path given to Load); empty for Default. Later stages use it,
	// with Rule.Line and Webhook.Line, to report errors at their source.
	File string `yaml:"-"`

	Account      Account       `yaml:"account"`
	Environments []Environment `yaml:"environments"`
	// Branches are glob patterns (MatchGlob) of the tracked branches' short
	// names. Empty means the repository's default branch.
	Branches []string `yaml:"branches"`
	Actor    Actor    `yaml:"actor"`
	Scan     Scan     `yaml:"scan"`
	// Rules are custom detection rules, added to the built-in ones.
	Rules    []Rule    `yaml:"rules"`
	Webhooks []Webhook `yaml:"webhooks"`
	Delivery Delivery  `yaml:"delivery"`
	// Hook holds the settings of the git server hooks; server-side only.
	Hook Hook `yaml:"hook,omitempty"`
}

// Account identifies the account flag references belong to: account_id and
// account_name in events. Both may be empty.
type Account struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

// Environment maps a part of the repository to an environment: the
// environment_id and environment_name of events about keys found there.
type Environment struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Paths are glob patterns (MatchGlob) of the slash-separated paths,
	// relative to the repository root, that belong to the environment.
	Paths []string `yaml:"paths"`
}

// Actor describes the user events are attributed to.
type Actor struct {
	// Role is the user_role of events when nothing better is known.
	Role string `yaml:"role"`
}

// Scan holds the settings of the source scanner.
type Scan struct {
	// Exclude are glob patterns (MatchGlob) of paths not scanned.
	Exclude []string `yaml:"exclude"`
	// MaxFileSize is the size above which a file is skipped.
	MaxFileSize Size `yaml:"max_file_size"`
	// ContextLines is the number of lines kept around a reference, 0 to 20.
	ContextLines int `yaml:"context_lines"`
	// BuiltinRules enables the Flagship SDK rules.
	BuiltinRules bool `yaml:"builtin_rules"`
}

// Rule is a custom detection rule. Exactly one of Calls and Query is set.
type Rule struct {
	// Name identifies the rule; names are unique.
	Name string `yaml:"name"`
	// Languages are canonical language names (see Languages); empty means
	// every language, which only calls rules allow.
	Languages []string `yaml:"languages,omitempty"`
	// Calls are the function or method names whose argument KeyArgument is a
	// flag key.
	Calls []string `yaml:"calls,omitempty"`
	// KeyArgument is the 0-based position of the key among the call's
	// arguments.
	KeyArgument int `yaml:"key_argument,omitempty"`
	// DefaultArgument is the 0-based position of the default value among the
	// call's arguments, or nil when the call has none.
	DefaultArgument *int `yaml:"default_argument,omitempty"`
	// Query is a tree-sitter query with a @key capture, compiled by the
	// scanner for each of Languages.
	Query string `yaml:"query,omitempty"`
	// Line is the line of the file where the rule starts.
	Line int `yaml:"-"`
}

// Delivery holds the settings of webhook delivery.
type Delivery struct {
	// Timeout bounds one HTTP request.
	Timeout time.Duration `yaml:"timeout"`
	// InlineBudget is how long `push` may deliver before leaving the rest
	// for `deliver`; 0 leaves everything to `deliver`.
	InlineBudget time.Duration `yaml:"inline_budget"`
	// AllowHosts are loopback or private host names, addresses or CIDR
	// prefixes that webhooks may call.
	AllowHosts []string `yaml:"allow_hosts"`
	// Lease is how long a deliverer's claim on an event lasts: another
	// deliverer takes over an event whose sender died once it ends. 0: the
	// timeout plus 30s; at least the timeout plus 1s.
	Lease time.Duration `yaml:"lease"`
	// RetrySchedule are the waits before each retry of a failed delivery;
	// an event is given up after len(RetrySchedule)+1 attempts.
	RetrySchedule []time.Duration `yaml:"retry_schedule"`
}

// Default returns the configuration used when there is no file. Each call
// returns a new value.
func Default() *Config {
	return &Config{
		Environments: []Environment{{ID: "default", Name: "default", Paths: []string{"**"}}},
		Actor:        Actor{Role: "developer"},
		Scan: Scan{
			MaxFileSize:  1 << 20,
			ContextLines: 1,
			BuiltinRules: true,
		},
		Delivery: Delivery{
			Timeout:      10 * time.Second,
			InlineBudget: 2 * time.Second,
			RetrySchedule: []time.Duration{
				5 * time.Second, 5 * time.Minute, 30 * time.Minute,
				2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
			},
		},
	}
}

// Find returns the path of the configuration file at the root of the
// repository whose top-level directory is repoTop: .flagscan.yml, or else
// .flagscan.yaml. ok is false when neither is a regular file.
func Find(repoTop string) (path string, ok bool) {
	for _, name := range []string{".flagscan.yml", ".flagscan.yaml"} {
		p := filepath.Join(repoTop, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// Load reads and parses the configuration file at path. ${NAME} references
// in webhooks are expanded from the process environment.
func Load(path string) (*Config, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// MaxFileSize bounds a configuration file.
const MaxFileSize = 1 << 20

// ReadFile reads the configuration file at path: a regular file of at
// most MaxFileSize bytes. A FIFO would block the command, and /dev/zero
// would fill its memory.
func ReadFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading config %s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("reading config %s: more than the %d bytes a configuration may have", path, MaxFileSize)
	}
	return data, nil
}

// Parse parses and validates the configuration in data; name, usually the
// file's path, prefixes error messages. ${NAME} references in webhooks are
// expanded from the process environment.
//
// When the configuration is invalid, Parse returns a nil Config and every
// problem found, in line order, joined with errors.Join; each is an *Error.
func Parse(name string, data []byte) (*Config, error) {
	return ParseWithEnv(name, data, os.LookupEnv)
}

// ParseWithEnv is Parse with ${NAME} references in webhook URLs, secrets,
// header values and string payload values looked up with lookup instead of
// in the process environment. A nil lookup finds no variable.
func ParseWithEnv(name string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	return parse(name, data, lookup, false)
}

// LoadWithoutWebhooks loads the configuration file at path as Load does,
// but for a command that sends nothing (status, flags, log): its webhooks
// section is not read, so that a secret that comes from a variable this
// shell does not set does not stop it.
func LoadWithoutWebhooks(path string) (*Config, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(path, data, os.LookupEnv, true)
}

func parse(name string, data []byte, lookup func(string) (string, bool), skipWebhooks bool) (*Config, error) {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	d := &decoder{file: name, lookup: lookup, skipWebhooks: skipWebhooks}
	c := Default()
	c.File = name
	if root := d.document(data); root != nil {
		d.config(root, c)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// String returns the configuration as YAML, for people: webhook secrets and
// header values are replaced by REDACTED, and so are webhook URLs' paths and
// queries and payload values, which may hold tokens.
func (c *Config) String() string {
	out, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Sprintf("config: %v", err)
	}
	return string(out)
}
