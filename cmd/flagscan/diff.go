package main

import (
	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/diff"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
)

func newDiffCmd() *cobra.Command {
	o := diff.Options{Scan: workspace.ScanSettings{ContextLines: -1}}
	cmd := &cobra.Command{
		Use:   "diff [BASE [HEAD] | BASE...HEAD]",
		Short: "Print the flag keys a change adds and removes, with their references (table, JSON, CSV or SARIF)",
		Long: `Diff scans two trees and prints the keys the second references and the first
does not (added, at their references) and the reverse (removed, where they
were last seen). The trees are BASE and HEAD (BASE...HEAD: from their merge
base); with --staged, BASE (default HEAD) and the index; else BASE (default
HEAD) and the working tree. Nothing is stored or sent.

--format sarif writes SARIF 2.1.0 for code scanning: a result per key, rules
flagscan/flag-added, flagscan/flag-removed and flagscan/key-pattern.
--fail-on exits with status 3 when a key is added, removed, either (change),
or added against hook.policy.key_pattern (policy).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Args = args
			return diff.Run(cmd.Context(), o, std(cmd))
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Repo, "repo", "C", ".", "the repository")
	f.StringVar(&o.Config, "config", "", "configuration file (default: .flagscan.yml at the repository root)")
	f.BoolVar(&o.Staged, "staged", false, "compare BASE (default HEAD) with the index: what the next commit changes")
	f.StringVar(&o.Format, "format", "", "table, json, csv or sarif (default: table on a terminal, json otherwise)")
	f.StringSliceVar(&o.FailOn, "fail-on", nil, "exit with status 3 on: added, removed, change, policy (repeatable)")
	f.BoolVar(&o.Scan.NoBuiltin, "no-builtin", false, "turn the built-in Flagship rules off")
	f.IntVar(&o.Scan.Workers, "workers", 0, "parsing goroutines (default: one per CPU)")
	return cmd
}
