package git

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/config"
)

// ErrUnsupportedFormat is returned (wrapped) by Open for a repository
// whose object or ref format flagscan cannot read.
var ErrUnsupportedFormat = errors.New("unsupported repository format")

// checkFormat refuses, by name and with what to do, the repository
// formats go-git cannot read, which it would otherwise report as an
// "unknown extension" or misread: SHA-256 object ids
// (extensions.objectFormat) and the reftable ref store
// (extensions.refStorage).
func checkFormat(commonDir string) error {
	f, err := os.Open(filepath.Join(commonDir, "config"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read repository configuration: %w", err)
	}
	defer f.Close()
	cfg := config.New()
	if err := config.NewDecoder(f).Decode(cfg); err != nil {
		return fmt.Errorf("read repository configuration %s: %w", f.Name(), err)
	}
	ext := cfg.Section("extensions")
	if v := ext.Option("objectFormat"); v != "" && !strings.EqualFold(v, "sha1") {
		return fmt.Errorf("%w: a %s repository (extensions.objectFormat = %s): flagscan reads SHA-1 repositories only; scan a checkout of it without --rev, or convert it", ErrUnsupportedFormat, strings.ToUpper(v), v)
	}
	if v := ext.Option("refStorage"); v != "" && !strings.EqualFold(v, "files") {
		return fmt.Errorf("%w: refs stored as %s (extensions.refStorage = %s): flagscan reads the files ref store only; convert with `git refs migrate --ref-format=files`", ErrUnsupportedFormat, v, v)
	}
	return nil
}
