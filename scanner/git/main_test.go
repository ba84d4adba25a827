package git

import (
	"os"
	"testing"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestMain keeps the GIT_* variables of a surrounding hook (the
// quarantine tests run this binary inside one) from the tests' own git.
func TestMain(m *testing.M) {
	gittest.Isolate()
	os.Exit(m.Run())
}
