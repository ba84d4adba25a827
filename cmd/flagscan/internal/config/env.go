package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Environment variables that ApplyEnv reads. An empty or blank value counts
// as unset, so that a CI job may pass a secret that is not defined.
const (
	// EnvAccountID sets account.id, the account_id of events.
	EnvAccountID = "FLAGSCAN_ACCOUNT_ID"
	// EnvAccountName sets account.name, the account_name of events.
	EnvAccountName = "FLAGSCAN_ACCOUNT_NAME"
	// EnvEnvironmentID sets the id of the configuration's only environment
	// (the default one when the file names none). It is an error when the
	// file names several.
	EnvEnvironmentID = "FLAGSCAN_ENVIRONMENT_ID"
	// EnvEnvironmentName sets the name of the configuration's only
	// environment, like EnvEnvironmentID.
	EnvEnvironmentName = "FLAGSCAN_ENVIRONMENT_NAME"
	// EnvBranches replaces branches with a comma-separated list of branch
	// patterns, e.g. "main,release/*".
	EnvBranches = "FLAGSCAN_BRANCHES"
	// EnvUserRole sets actor.role, the user_role of events.
	EnvUserRole = "FLAGSCAN_USER_ROLE"
	// EnvMaxFileSize sets scan.max_file_size, a size such as 1MiB.
	EnvMaxFileSize = "FLAGSCAN_MAX_FILE_SIZE"
	// EnvContextLines sets scan.context_lines, 0 to 20.
	EnvContextLines = "FLAGSCAN_CONTEXT_LINES"
)

// ApplyEnv overrides settings of c with the environment variables that
// lookup finds (a nil lookup finds none); they take precedence over the file:
//
//	FLAGSCAN_ACCOUNT_ID        account.id
//	FLAGSCAN_ACCOUNT_NAME      account.name
//	FLAGSCAN_ENVIRONMENT_ID    the id of the only environment
//	FLAGSCAN_ENVIRONMENT_NAME  the name of the only environment
//	FLAGSCAN_BRANCHES          branches, comma-separated
//	FLAGSCAN_USER_ROLE         actor.role
//	FLAGSCAN_MAX_FILE_SIZE     scan.max_file_size
//	FLAGSCAN_CONTEXT_LINES     scan.context_lines
//
// Values are validated as in the file. When one is not valid, ApplyEnv
// leaves c unchanged and returns every problem, joined; each is an *Error
// whose Path is the variable's name.
func ApplyEnv(c *Config, lookup func(string) (string, bool)) error {
	get := func(name string) (string, bool) {
		if lookup == nil {
			return "", false
		}
		v, ok := lookup(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	var errs []error
	fail := func(name, format string, args ...any) {
		errs = append(errs, &Error{Path: name, Msg: fmt.Sprintf(format, args...)})
	}
	next := *c // c's slices are replaced, never written to

	if v, ok := get(EnvAccountID); ok {
		next.Account.ID = v
	}
	if v, ok := get(EnvAccountName); ok {
		next.Account.Name = v
	}
	envID, okID := get(EnvEnvironmentID)
	envName, okName := get(EnvEnvironmentName)
	if okID || okName {
		if len(c.Environments) != 1 {
			const msg = "sets the only environment, but the configuration has %d: set them in the file"
			if okID {
				fail(EnvEnvironmentID, msg, len(c.Environments))
			}
			if okName {
				fail(EnvEnvironmentName, msg, len(c.Environments))
			}
		} else {
			e := c.Environments[0]
			if okID {
				e.ID = envID
			}
			if okName {
				e.Name = envName
			}
			next.Environments = []Environment{e}
		}
	}
	if v, ok := get(EnvBranches); ok {
		var branches []string
		for _, b := range strings.Split(v, ",") {
			if b = strings.TrimSpace(b); b == "" {
				continue
			}
			if err := CheckGlob(b); err != nil {
				fail(EnvBranches, "%v", err)
			}
			branches = append(branches, b)
		}
		next.Branches = branches
	}
	if v, ok := get(EnvUserRole); ok {
		next.Actor.Role = v
	}
	if v, ok := get(EnvMaxFileSize); ok {
		z, err := ParseSize(v)
		if err == nil && z == 0 {
			err = errors.New("must be more than 0")
		}
		if err != nil {
			fail(EnvMaxFileSize, "%v", err)
		}
		next.Scan.MaxFileSize = z
	}
	if v, ok := get(EnvContextLines); ok {
		i, err := strconv.Atoi(v)
		if err != nil {
			err = fmt.Errorf("%q is not an integer", v)
		} else {
			err = CheckContextLines(i)
		}
		if err != nil {
			fail(EnvContextLines, "%v", err)
		}
		next.Scan.ContextLines = i
	}

	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	*c = next
	return nil
}
