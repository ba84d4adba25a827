package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestApplyEnv(t *testing.T) {
	twoEnvs := func() *Config {
		c := Default()
		c.Environments = append(c.Environments, Environment{ID: "e2", Name: "two", Paths: []string{"b/**"}})
		return c
	}
	for _, tc := range []struct {
		name string
		base func() *Config
		vars map[string]string
		edit func(c *Config) // what the variables change in base
		err  []string        // for each error, what it contains
	}{
		{name: "none", vars: nil, edit: func(*Config) {}},
		{name: "account", vars: map[string]string{EnvAccountID: "acc_1", EnvAccountName: "Acme"},
			edit: func(c *Config) { c.Account = Account{ID: "acc_1", Name: "Acme"} }},
		{name: "environment", vars: map[string]string{EnvEnvironmentID: "env_prod", EnvEnvironmentName: "production"},
			edit: func(c *Config) { c.Environments[0].ID, c.Environments[0].Name = "env_prod", "production" }},
		{name: "environment id only", vars: map[string]string{EnvEnvironmentID: "env_prod"},
			edit: func(c *Config) { c.Environments[0].ID = "env_prod" }},
		{name: "branches", vars: map[string]string{EnvBranches: " main, release/* ,,"},
			edit: func(c *Config) { c.Branches = []string{"main", "release/*"} }},
		{name: "role", vars: map[string]string{EnvUserRole: "ci"},
			edit: func(c *Config) { c.Actor.Role = "ci" }},
		{name: "max file size", vars: map[string]string{EnvMaxFileSize: "512KiB"},
			edit: func(c *Config) { c.Scan.MaxFileSize = 512 << 10 }},
		{name: "context lines", vars: map[string]string{EnvContextLines: "0"},
			edit: func(c *Config) { c.Scan.ContextLines = 0 }},
		{name: "empty values are unset", vars: map[string]string{EnvAccountID: "", EnvUserRole: "  ", EnvBranches: "", EnvContextLines: ""},
			edit: func(*Config) {}},
		{name: "other variables ignored", vars: map[string]string{"FLAGSCAN_OTHER": "x", "HOME": "/root"},
			edit: func(*Config) {}},
		{name: "bad values", vars: map[string]string{
			EnvAccountID:    "acc_1",
			EnvMaxFileSize:  "1XB",
			EnvContextLines: "99",
			EnvBranches:     "main,/abs",
		}, err: []string{
			`FLAGSCAN_BRANCHES: "/abs": patterns are relative to the root`,
			`FLAGSCAN_MAX_FILE_SIZE: "1XB" is not a size`,
			`FLAGSCAN_CONTEXT_LINES: 99 is out of range: 0 to 20`,
		}},
		{name: "zero size", vars: map[string]string{EnvMaxFileSize: "0"}, err: []string{"FLAGSCAN_MAX_FILE_SIZE: must be more than 0"}},
		{name: "context lines not int", vars: map[string]string{EnvContextLines: "one"}, err: []string{`FLAGSCAN_CONTEXT_LINES: "one" is not an integer`}},
		{name: "several environments", base: twoEnvs, vars: map[string]string{EnvEnvironmentID: "x", EnvEnvironmentName: "y"}, err: []string{
			"FLAGSCAN_ENVIRONMENT_ID: sets the only environment, but the configuration has 2",
			"FLAGSCAN_ENVIRONMENT_NAME: sets the only environment, but the configuration has 2",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := Default
			if tc.base != nil {
				base = tc.base
			}
			c, want := base(), base()
			err := ApplyEnv(c, env(tc.vars))
			if tc.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				tc.edit(want)
			}
			if !reflect.DeepEqual(c, want) {
				t.Errorf("got %#v\nwant %#v", c, want)
			}
			errs := errorList(err)
			if len(errs) != len(tc.err) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tc.err), err)
			}
			for i, e := range errs {
				var ce *Error
				if !errors.As(e, &ce) || !strings.HasPrefix(e.Error(), tc.err[i]) {
					t.Errorf("error %d = %v, want %q...", i, e, tc.err[i])
				}
			}
		})
	}
}

func TestApplyEnvNilLookup(t *testing.T) {
	c := Default()
	if err := ApplyEnv(c, nil); err != nil || !reflect.DeepEqual(c, Default()) {
		t.Errorf("ApplyEnv(nil) = %v, changed %v", err, !reflect.DeepEqual(c, Default()))
	}
}
