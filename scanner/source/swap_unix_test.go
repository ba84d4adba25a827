//go:build unix

package source

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestContentOfFilesSwappedAfterTheWalk: a working-tree file replaced,
// between the walk and the read, by a symbolic link to a file outside the
// tree is not read through the link, and one replaced by a FIFO does not
// block the scan (it blocked in open, deaf to SIGTERM); both are a clear
// error. A file that is still regular is read as before.
func TestContentOfFilesSwappedAfterTheWalk(t *testing.T) {
	root := t.TempDir()
	if top, ok, _ := git.WorkTreeOf(root); ok {
		t.Skipf("temporary directory is inside the work tree %s", top)
	}
	outside := filepath.Join(t.TempDir(), "secret.js")
	gittest.WriteFile(t, outside, `visitor.getFlag("outside")`)
	gittest.WriteFiles(t, root, map[string]string{"link.js": "a", "fifo.js": "b", "kept.js": "c"})
	files := walkAll(t, mustDir(t, root), Filter{})
	if len(files) != 3 {
		t.Fatalf("walked %v", pathsOf(files))
	}
	for _, name := range []string{"link.js", "fifo.js"} {
		if err := os.Remove(filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(root, "link.js")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.js"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// Before the fix, the read of the FIFO never returned.
	for _, f := range files {
		data, err := f.Content()
		switch f.Path {
		case "kept.js":
			if err != nil || string(data) != "c" {
				t.Errorf("%s: %q, %v", f.Path, data, err)
			}
		default:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: read %q, err %v; want ErrNotRegular", f.Path, data, err)
			}
		}
	}
}
