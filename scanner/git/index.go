package git

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// IndexPaths returns the paths the index of gitDir lists (the files git
// tracks), nil when there is no index.
func IndexPaths(gitDir string) ([]string, error) {
	indexPath := filepath.Join(gitDir, "index")
	data, err := os.ReadFile(indexPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	var idx index.Index
	// go-git refuses mandatory extensions it does not know (split index
	// "link", sparse index "sdir") only after decoding the entries. The
	// entries we have then are enough: at worst a force-added ignored file
	// is missed, never is an ignored one invented.
	if err := index.NewDecoder(bytes.NewReader(data)).Decode(&idx); err != nil && !errors.Is(err, index.ErrUnknownExtension) {
		return nil, fmt.Errorf("read index %s: %w", indexPath, err)
	}
	out := make([]string, len(idx.Entries))
	for i, e := range idx.Entries {
		out[i] = e.Name
	}
	return out, nil
}
