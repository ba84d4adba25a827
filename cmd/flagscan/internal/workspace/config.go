package workspace

import (
	"os"
	"path/filepath"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
)

// serverConfigNames are the files next to a repository (in its git
// directory) that hold a server's configuration of it.
func serverConfigNames() []string { return []string{"flagscan.yml", "flagscan.yaml"} }

// ConfigFile returns the configuration file to read: flag, else
// $FLAGSCAN_CONFIG, else the .flagscan.yml at the work tree's top (when top
// is not ""), else flagscan.yml in the repository's git directory (when
// gitDir is not ""): the server's file of a bare repository. "" when there
// is none.
func ConfigFile(flag, top, gitDir string) string {
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

// LoadConfig returns the configuration of the file ConfigFile finds, else
// the defaults; then the FLAGSCAN_* environment variables on top.
func LoadConfig(flag, top, gitDir string) (*config.Config, error) {
	return loadConfig(flag, top, gitDir, config.Load)
}

func loadConfig(flag, top, gitDir string, load func(string) (*config.Config, error)) (*config.Config, error) {
	c := config.Default()
	if path := ConfigFile(flag, top, gitDir); path != "" {
		var err error
		if c, err = load(path); err != nil {
			return nil, cli.Usage(err)
		}
	}
	if err := config.ApplyEnv(c, os.LookupEnv); err != nil {
		return nil, cli.Usage(err)
	}
	return c, nil
}

// LoadScanConfig returns the configuration of `flagscan scan`: the file
// ConfigFile finds in a work tree, like loadConfig, but only the file's detection settings (rules and scan) are
// read. A scan needs nothing else, and a webhook whose secret comes from a
// variable that a developer's shell does not set must not stop it.
func LoadScanConfig(flag, top string) (*config.Config, error) {
	explicit := ConfigFile(flag, top, "")
	c := config.Default()
	if explicit != "" {
		data, err := config.ReadFile(explicit)
		if err != nil {
			return nil, cli.Usage(err)
		}
		det, err := config.ParseDetection(explicit, data)
		if err != nil {
			return nil, cli.Usage(err)
		}
		if c, err = c.WithDetection(det); err != nil {
			return nil, cli.Usage(err)
		}
		c.File = explicit
	}
	if err := config.ApplyEnv(c, os.LookupEnv); err != nil {
		return nil, cli.Usage(err)
	}
	return c, nil
}
