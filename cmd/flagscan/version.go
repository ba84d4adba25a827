package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/version"
)

// Set by release builds with -ldflags "-X main.stampVersion=v1.2.0 ..."
// (.ci/release); empty otherwise, and then the build information counts.
// They are link-time inputs, read once by newRoot and passed on from there.
var stampVersion, stampCommit, stampDate string

// buildInfo is the running build's version information.
func buildInfo() version.Info {
	return version.Get(version.Stamp{Version: stampVersion, Commit: stampCommit, Date: stampDate})
}

func newVersionCmd(info version.Info) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and Go version of this flagscan",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), info)
			return err
		},
	}
}
