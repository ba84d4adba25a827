// Package version describes the running build of flagscan: its version,
// commit, build date and Go version. Release builds stamp the first three
// with -ldflags -X (see .ci/release); other builds take what the Go
// toolchain recorded (runtime/debug.ReadBuildInfo): the module version for
// `go install ...@v1.2.0`, the VCS revision for a build in a checkout.
package version

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// devel is the version of a build that knows none: `go build` or `go run`
// in a checkout.
const devel = "devel"

// Info is what a build knows of itself.
type Info struct {
	// Version is the release tag (v1.2.0), the module version of a
	// `go install`, else "devel".
	Version string
	// Commit is the full commit hash, "" when unknown.
	Commit string
	// Date is when the build was made (release builds) or the commit's
	// time (VCS builds), RFC 3339; "" when unknown.
	Date string
	// GoVersion is the toolchain that built the binary.
	GoVersion string
	// Modified is set when the work tree had uncommitted changes.
	Modified bool
}

// Set by release builds with -ldflags "-X <this package>.stampVersion=v1.2.0 ..."
// (.ci/release); empty otherwise. Link-time inputs, never written at run
// time: package main reads them once, through Build, and passes the Info on.
var stampVersion, stampCommit, stampDate string

// Build returns the Info of the running binary.
func Build() Info {
	return Get(Stamp{Version: stampVersion, Commit: stampCommit, Date: stampDate})
}

// Stamp holds what a release build sets with -ldflags -X; empty fields
// fall back to the build information.
type Stamp struct {
	Version, Commit, Date string
}

// Get returns the build's Info: the stamp's fields, else what
// debug.ReadBuildInfo recorded.
func Get(s Stamp) Info {
	bi, _ := debug.ReadBuildInfo()
	return FromBuildInfo(bi, s)
}

// FromBuildInfo returns the Info of build information bi (nil: none)
// overridden by the stamp's non-empty fields.
func FromBuildInfo(bi *debug.BuildInfo, s Stamp) Info {
	var i Info
	if bi != nil {
		i.GoVersion = bi.GoVersion
		// "(devel)" is what the toolchain records for a build of the main
		// module from its own directory; it says nothing.
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			i.Version = v
		}
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				i.Commit = kv.Value
			case "vcs.time":
				i.Date = kv.Value
			case "vcs.modified":
				i.Modified = kv.Value == "true"
			}
		}
	}
	if s.Version != "" {
		i.Version = s.Version
	}
	if s.Commit != "" {
		i.Commit, i.Modified = s.Commit, false
	}
	if s.Date != "" {
		i.Date = s.Date
	}
	if i.Version == "" {
		i.Version = devel
	}
	return i
}

// String is the one line `flagscan version` and `--version` print:
// "flagscan v1.2.0 (commit 0123abc…, built 2026-01-02T03:04:05Z, go1.26.8)".
func (i Info) String() string {
	var parts []string
	if i.Commit != "" {
		c := "commit " + i.Commit
		if i.Modified {
			c += " (modified)"
		}
		parts = append(parts, c)
	}
	if i.Date != "" {
		parts = append(parts, "built "+i.Date)
	}
	if i.GoVersion != "" {
		parts = append(parts, i.GoVersion)
	}
	if len(parts) == 0 {
		return "flagscan " + i.Version
	}
	return fmt.Sprintf("flagscan %s (%s)", i.Version, strings.Join(parts, ", "))
}

// Short is the version with the commit's first 12 digits when the build
// is not a release ("devel+0123456789ab"): the string webhook requests
// and JSON log lines carry.
func (i Info) Short() string {
	if i.Version != devel || i.Commit == "" {
		return i.Version
	}
	c := i.Commit
	if len(c) > 12 {
		c = c[:12]
	}
	if i.Modified {
		c += "-dirty"
	}
	return i.Version + "+" + c
}
