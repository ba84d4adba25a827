package main

import (
	"strings"
	"testing"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/version"
)

// TestVersion checks that `flagscan version` and `flagscan --version`
// print the same line, naming the build's version and Go version.
func TestVersion(t *testing.T) {
	info := version.Build()
	code, out, errOut := flagscan(t, "", "version")
	if code != exitOK {
		t.Fatalf("version: exit %d: %s", code, errOut)
	}
	if out != info.String()+"\n" || !strings.HasPrefix(out, "flagscan "+info.Version) || !strings.Contains(out, info.GoVersion) {
		t.Errorf("version printed %q, want %q", out, info.String())
	}
	code, flagOut, errOut := flagscan(t, "", "--version")
	if code != exitOK || flagOut != out {
		t.Errorf("--version: exit %d, %q (%s), want %q", code, flagOut, errOut, out)
	}
	if code, _, _ := flagscan(t, "", "version", "extra"); code != exitUsage {
		t.Errorf("version extra: exit %d, want %d", code, exitUsage)
	}
}
