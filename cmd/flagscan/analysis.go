package main

import (
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/analysis"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
)

func newScanCmd() *cobra.Command {
	o := analysis.ScanOptions{Scan: workspace.ScanSettings{ContextLines: -1}}
	cmd := &cobra.Command{
		Use:   "scan [PATH]",
		Short: "Find the flag references in a working tree, a directory or a commit",
		Long: `Scan finds every feature-flag reference in PATH (default ".").

PATH is a git checkout, whose .gitignore files are honoured, or a plain
directory. With --rev, the tree of that commit, branch or tag is read from the
repository (--repo, or PATH) without a checkout; bare repositories work too.

The configuration is --config, else .flagscan.yml at the repository root.
Output is a table on a terminal and JSON otherwise, unless --format says.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return cli.Usagef("scan takes at most one PATH, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Path = args[0]
			}
			return analysis.Scan(cmd.Context(), o, std(cmd))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Rev, "rev", "", "scan the tree of this commit, branch or tag instead of the working tree")
	f.StringVarP(&o.Repo, "repo", "C", "", "the repository (or directory) to scan; default PATH")
	f.StringVar(&o.Format, "format", "", "output format: table, json or csv (default: table on a terminal, json otherwise)")
	f.StringVar(&o.Config, "config", "", "configuration file (default: .flagscan.yml at the repository root)")
	f.BoolVar(&o.Scan.NoBuiltin, "no-builtin", false, "turn the built-in Flagship rules off; only the configuration's rules apply")
	f.StringSliceVar(&o.Scan.Exclude, "exclude", nil, "glob of paths not to scan (repeatable), added to scan.exclude")
	f.IntVar(&o.Scan.ContextLines, "context-lines", -1, "lines of code kept around each reference (default: scan.context_lines)")
	f.IntVar(&o.Scan.Workers, "workers", 0, "parsing goroutines (default: one per CPU)")
	return cmd
}

func newPushCmd() *cobra.Command {
	var o analysis.PushOptions
	cmd := &cobra.Command{
		Use:   "push [<old> <new> <ref>]",
		Short: "Analyze a ref update and write its Flag.new and Flag.deleted events to the outbox",
		Long: `Push analyzes one ref update as a git server or CI system reports it: <old>
all zeros for a new ref, <new> all zeros for a deletion. With --stdin it reads
any number of "<old> <new> <ref>" lines, as pre-receive and post-receive hooks
get them.

Each new commit is scanned (only the files it changed), the branch's snapshot
is brought up to date in the store, and the keys that appeared or disappeared
are written to the outbox in the same transaction. The events are printed: a
table, or with --format json one event body per line.`,
		Args: func(_ *cobra.Command, args []string) error {
			if o.Stdin && len(args) != 0 || !o.Stdin && len(args) != 3 {
				return cli.Usagef("push takes <old> <new> <ref>, or --stdin")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Args, o.LogFormat = args, logFormat(cmd)
			return analysis.Push(cmd.Context(), o, std(cmd))
		},
	}
	registerWorkspace(cmd, &o.Workspace)
	cmd.Flags().BoolVar(&o.Stdin, "stdin", false, `read "<old> <new> <ref>" lines from standard input`)
	cmd.Flags().StringVar(&o.Format, "format", "table", "output: table, or json (one event body per line)")
	return cmd
}

func newLogCmd() *cobra.Command {
	var o analysis.LogOptions
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Print every Flag.new and Flag.deleted transition of a branch's history, commit by commit",
		Long: `Log walks the first-parent history of a branch from --from (exclusive; default:
the first commit) to --to (default: HEAD) and prints each key's transitions:
when it was introduced and by whom, when it was removed. It reads and fills
the store's blob cache but emits nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return analysis.Log(cmd.Context(), o, std(cmd)) },
	}
	registerWorkspace(cmd, &o.Workspace)
	cmd.Flags().StringVar(&o.From, "from", "", "start after this commit (default: the whole history)")
	cmd.Flags().StringVar(&o.To, "to", "HEAD", "end at this commit, branch or tag")
	cmd.Flags().StringVar(&o.Branch, "branch", "", "the branch name in events (default: the branch --to names, else HEAD's)")
	cmd.Flags().StringVar(&o.Format, "format", "table", "output: table, or json (one event body per line)")
	return cmd
}

func newStatusCmd() *cobra.Command {
	var f workspace.Flags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the tracked branches, the commit of each snapshot, its keys and the pending events",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return analysis.Status(cmd.Context(), &f, std(cmd)) },
	}
	registerWorkspace(cmd, &f)
	return cmd
}

func newFlagsCmd() *cobra.Command {
	var o analysis.FlagsOptions
	cmd := &cobra.Command{
		Use:   "flags",
		Short: "List the keys of a branch's snapshot with their references",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return analysis.Flags(cmd.Context(), o, std(cmd)) },
	}
	registerWorkspace(cmd, &o.Workspace)
	cmd.Flags().StringVar(&o.Branch, "branch", "", "the branch (default: the repository's default branch)")
	cmd.Flags().StringVar(&o.Env, "env", "", "only this environment id")
	cmd.Flags().StringVar(&o.Format, "format", "table", "output: table or json")
	return cmd
}
