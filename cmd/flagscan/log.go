package main

import (
	"encoding/json"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/emitter/outbox"
)

func newLogCmd() *cobra.Command {
	var (
		rf               repoFlags
		from, to, branch string
		format           string
	)
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Print every Flag.new and Flag.deleted transition of a branch's history, commit by commit",
		Long: `Log walks the first-parent history of a branch from --from (exclusive; default:
the first commit) to --to (default: HEAD) and prints each key's transitions:
when it was introduced and by whom, when it was removed. It reads and fills
the store's blob cache but emits nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tableOrJSON(format); err != nil {
				return err
			}
			w, err := rf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer w.db.Close()
			a, err := w.analyzer()
			if err != nil {
				return err
			}
			toID, err := w.repo.ResolveRevision(to)
			if err != nil {
				return fmt.Errorf("--to %s: %w", to, err)
			}
			fromID := ""
			if from != "" {
				h, err := w.repo.ResolveRevision(from)
				if err != nil {
					return fmt.Errorf("--from %s: %w", from, err)
				}
				fromID = h.String()
			}
			if branch == "" {
				branch = w.repo.DefaultBranch()
				if !strings.HasPrefix(to, "HEAD") && to != "" {
					branch = to
				}
			}
			out := cmd.OutOrStdout()
			var events []event.Event
			enc := json.NewEncoder(out)
			err = a.Log(cmd.Context(), branch, fromID, toID.String(), func(e event.Event) error {
				if format == "json" {
					return enc.Encode(e.Body)
				}
				events = append(events, e)
				return nil
			})
			if err != nil {
				return err
			}
			if format == "table" {
				return writeEvents(out, "table", events)
			}
			return nil
		},
	}
	rf.register(cmd)
	cmd.Flags().StringVar(&from, "from", "", "start after this commit (default: the whole history)")
	cmd.Flags().StringVar(&to, "to", "HEAD", "end at this commit, branch or tag")
	cmd.Flags().StringVar(&branch, "branch", "", "the branch name in events (default: the branch --to names, else HEAD's)")
	cmd.Flags().StringVar(&format, "format", "table", "output: table, or json (one event body per line)")
	return cmd
}

func newStatusCmd() *cobra.Command {
	var rf repoFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the tracked branches, the commit of each snapshot, its keys and the pending events",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := rf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer w.db.Close()
			statuses, err := store.Statuses(cmd.Context(), w.db)
			if err != nil {
				return err
			}
			counts, err := outbox.Counts(cmd.Context(), w.db)
			if err != nil {
				return err
			}
			return writeStatus(cmd.OutOrStdout(), w, statuses, counts)
		},
	}
	rf.register(cmd)
	return cmd
}

func writeStatus(out io.Writer, w *workspace, statuses []store.BranchStatus, counts map[string]int) error {
	tracked := w.cfg.Branches
	if len(tracked) == 0 {
		tracked = []string{w.repo.DefaultBranch() + " (the default branch)"}
	}
	fmt.Fprintf(out, "tracked branches: %s\n\n", strings.Join(tracked, ", "))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REPOSITORY\tBRANCH\tCOMMIT\tKEYS\tUPDATED")
	for _, s := range statuses {
		var envs []string
		for env, n := range s.Keys {
			envs = append(envs, fmt.Sprintf("%s=%d", env, n))
		}
		sort.Strings(envs)
		keys := strings.Join(envs, " ")
		if keys == "" {
			keys = "0"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Repo, s.Branch, short(s.Commit), keys, s.UpdatedAt)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nevents: %d pending, %d failed, %d delivered\n", counts[outbox.StatePending], counts[outbox.StateFailed], counts[outbox.StateDelivered])
	return nil
}

func newFlagsCmd() *cobra.Command {
	var (
		rf          repoFlags
		branch, env string
		format      string
	)
	cmd := &cobra.Command{
		Use:   "flags",
		Short: "List the keys of a branch's snapshot with their references",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tableOrJSON(format); err != nil {
				return err
			}
			w, err := rf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer w.db.Close()
			if branch == "" {
				branch = w.repo.DefaultBranch()
			}
			snap, err := store.LoadSnapshot(cmd.Context(), w.db, repositoryName(rf.repository, rf.repo), branch)
			if err != nil {
				return err
			}
			if snap == nil {
				return fmt.Errorf("no snapshot of branch %q yet: run flagscan push or flagscan sync first", branch)
			}
			return writeFlags(cmd.OutOrStdout(), format, snap, env)
		},
	}
	rf.register(cmd)
	cmd.Flags().StringVar(&branch, "branch", "", "the branch (default: the repository's default branch)")
	cmd.Flags().StringVar(&env, "env", "", "only this environment id")
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
}

// flagLine is one key of a snapshot, as `flagscan flags` prints it.
type flagLine struct {
	Environment string            `json:"environment_id"`
	FlagKey     string            `json:"flag_key"`
	References  []event.Reference `json:"references"`
}

func writeFlags(out io.Writer, format string, snap *store.Snapshot, only string) error {
	var lines []flagLine
	for env, keys := range snap.Keys {
		if only != "" && env != only {
			continue
		}
		for k, raw := range keys {
			l := flagLine{Environment: env, FlagKey: k}
			if err := json.Unmarshal(raw, &l.References); err != nil {
				return fmt.Errorf("snapshot of %s: key %s: %w", snap.Branch, k, err)
			}
			lines = append(lines, l)
		}
	}
	sort.Slice(lines, func(i, j int) bool {
		if lines[i].Environment != lines[j].Environment {
			return lines[i].Environment < lines[j].Environment
		}
		return lines[i].FlagKey < lines[j].FlagKey
	})
	if format == "json" {
		enc := json.NewEncoder(out)
		for _, l := range lines {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ENVIRONMENT\tFLAG KEY\tREFERENCES\n")
	for _, l := range lines {
		var where []string
		for _, r := range l.References {
			where = append(where, fmt.Sprintf("%s:%d", r.Path, r.Line))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Environment, l.FlagKey, strings.Join(where, " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d keys at %s on %s\n", len(lines), short(snap.Commit), snap.Branch)
	return nil
}
