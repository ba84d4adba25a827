package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	vcs := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/flagscan/flagscan", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	installed := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}}
	for _, tc := range []struct {
		name       string
		bi         *debug.BuildInfo
		stamp      Stamp
		str, short string
	}{
		{"no build info", nil, Stamp{}, "flagscan devel", "devel"},
		{"checkout", vcs, Stamp{},
			"flagscan devel (commit 0123456789abcdef0123456789abcdef01234567 (modified), built 2026-01-02T03:04:05Z, go1.26.8)",
			"devel+0123456789ab-dirty"},
		{"go install", installed, Stamp{}, "flagscan v1.2.0 (go1.26.8)", "v1.2.0"},
		{"release", vcs, Stamp{Version: "v1.3.0", Commit: "fedcba9876543210fedcba9876543210fedcba98", Date: "2026-02-03T00:00:00Z"},
			"flagscan v1.3.0 (commit fedcba9876543210fedcba9876543210fedcba98, built 2026-02-03T00:00:00Z, go1.26.8)",
			"v1.3.0"},
	} {
		i := FromBuildInfo(tc.bi, tc.stamp)
		if got := i.String(); got != tc.str {
			t.Errorf("%s: String() = %q, want %q", tc.name, got, tc.str)
		}
		if got := i.Short(); got != tc.short {
			t.Errorf("%s: Short() = %q, want %q", tc.name, got, tc.short)
		}
	}
}

// TestGet checks the build of this test binary: it knows its Go version.
func TestGet(t *testing.T) {
	i := Get(Stamp{Version: "v9.9.9"})
	if i.Version != "v9.9.9" || !strings.HasPrefix(i.GoVersion, "go") {
		t.Errorf("Get = %+v", i)
	}
}
