package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/source"
)

func newScanCmd() *cobra.Command {
	var (
		rev, repo, format, configPath string
		settings                      = scanSettings{contextLines: -1}
	)
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
				return usagef("scan takes at most one PATH, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := outputFormat(format, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			target := "."
			if len(args) == 1 {
				target = args[0]
			}
			if repo != "" {
				if len(args) == 1 {
					return usagef("give the repository either as PATH or with --repo, not both")
				}
				target = repo
			}
			if _, err := os.Stat(target); err != nil {
				return fmt.Errorf("scan %s: %w", target, err)
			}
			var (
				src source.Source
				top string
			)
			if rev != "" {
				r, err := source.Rev(target, rev)
				if err != nil {
					return err
				}
				src = r
			} else {
				d, err := source.Dir(target)
				if err != nil {
					return err
				}
				src = d
			}
			if t, ok, err := git.WorkTreeOf(target); err == nil && ok {
				top = t
			} else if rev == "" {
				top = target
			}
			cfg, err := loadScanConfig(configPath, top)
			if err != nil {
				return err
			}
			sc, err := newScanner(cfg, settings)
			if err != nil {
				return err
			}
			res, err := sc.Scan(cmd.Context(), src)
			if err != nil {
				return err
			}
			if out == "table" {
				for _, e := range res.Errors {
					fmt.Fprintf(cmd.ErrOrStderr(), "flagscan: %s: %s: %s\n", e.Path, e.Kind, e.Error)
				}
			}
			return writeResult(cmd.OutOrStdout(), out, res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&rev, "rev", "", "scan the tree of this commit, branch or tag instead of the working tree")
	f.StringVarP(&repo, "repo", "C", "", "the repository (or directory) to scan; default PATH")
	f.StringVar(&format, "format", "", "output format: table, json or csv (default: table on a terminal, json otherwise)")
	f.StringVar(&configPath, "config", "", "configuration file (default: .flagscan.yml at the repository root)")
	f.BoolVar(&settings.noBuiltin, "no-builtin", false, "turn the built-in Flagship rules off; only the configuration's rules apply")
	f.StringSliceVar(&settings.exclude, "exclude", nil, "glob of paths not to scan (repeatable), added to scan.exclude")
	f.IntVar(&settings.contextLines, "context-lines", -1, "lines of code kept around each reference (default: scan.context_lines)")
	f.IntVar(&settings.workers, "workers", 0, "parsing goroutines (default: one per CPU)")
	return cmd
}
