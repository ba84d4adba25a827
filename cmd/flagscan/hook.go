package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/hook"
)

func newHookCmd() *cobra.Command {
	var f hook.Flags
	cmd := &cobra.Command{
		Use:   "hook",
		Short: "Run as a git server's pre-receive and post-receive hooks, and install them",
		Long: `The hook commands run flagscan inside a git server (plain git over ssh or
git daemon, GitLab, Gitea, GitHub Enterprise Server): see docs/hooks.md.

  pre-receive   analyze the pushed ref updates, still in git's quarantine,
                within hook.budget; hold their events until git accepts them
  post-receive  analyze the accepted updates, release their events and
                deliver them
  confirm       for servers with no post-receive hook: release the held
                events of pushes that landed, drop those of pushes that did not
  install       write the pre-receive and post-receive scripts into a repository

The configuration is the server's only: --config, else $FLAGSCAN_CONFIG, else
flagscan.yml in the repository's git directory. A .flagscan.yml in the pushed
code may add detection rules and scan settings, nothing else.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	fl := cmd.PersistentFlags()
	fl.StringVarP(&f.Repo, "repo", "C", "", "the repository (default: $GIT_DIR, as git sets it for hooks, else the current directory)")
	fl.StringVar(&f.DB, "db", "", "the store: a SQLite file, or a PostgreSQL URL (postgres://...) that several machines share (default: $FLAGSCAN_DB, else flagscan.db in the repository's git directory)")
	fl.StringVar(&f.Config, "config", "", "the server's configuration file (default: $FLAGSCAN_CONFIG, else flagscan.yml in the repository's git directory)")
	fl.StringVar(&f.Repository, "repository", "", "the repository's name in events (default: $FLAGSCAN_REPOSITORY, GitLab's or Gitea's, else the directory's name)")
	fl.StringVar(&f.WebURL, "web-url", "", "the repository's web address, for links in events (default: $FLAGSCAN_WEB_URL)")
	var postAge, confirmAge time.Duration
	var force bool
	post := &cobra.Command{
		Use:   "post-receive",
		Short: "Analyze the updates git accepted, release their held events and deliver them",
		Long: `Post-receive reads the "<old> <new> <ref>" lines git gives a post-receive hook
(the updates it accepted) and analyzes each update of a tracked branch as
'flagscan push' does: the branch's snapshot is stored and its events are
written to the outbox, deliverable. Events that pre-receive held with the same
ids are released; those it held that this analysis does not give (the branch
moved meanwhile) are dropped. Then the outbox is delivered for at most
delivery.inline_budget; what is left waits for 'flagscan deliver'.

It also settles the holds of this repository older than --max-age, as
'flagscan hook confirm' does: those of pushes that did not land are dropped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.LogFormat = logFormat(cmd)
			return hook.PostReceive(cmd.Context(), &f, postAge, std(cmd))
		},
	}
	post.Flags().DurationVar(&postAge, "max-age", hook.DefaultHoldAge, "settle this repository's holds older than this")
	confirm := &cobra.Command{
		Use:   "confirm",
		Short: "Release the held events of pushes that landed, drop those of pushes that did not",
		Long: `Confirm is for git servers that run only a pre-receive hook (GitHub Enterprise
Server): nothing there tells flagscan that git accepted a push, so the events
pre-receive held wait. Confirm goes through the holds of the store; for each,
when the ref now contains the pushed commit, it analyzes the update as
post-receive would (storing the snapshot and releasing the held events with
the same ids); when the commit has not landed and the hold is older than
--max-age, it drops the held events.

Run it before each 'flagscan deliver', or from cron every minute or so, e.g.

  flagscan hook confirm --repo /srv/git/app.git && flagscan deliver --repo /srv/git/app.git

On servers with a post-receive hook it is not needed, and harmless: it
finishes what a post-receive that failed left.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return hook.Confirm(cmd.Context(), &f, confirmAge, std(cmd))
		},
	}
	confirm.Flags().DurationVar(&confirmAge, "max-age", hook.DefaultHoldAge, "drop the holds of pushes that have not landed after this long")
	install := &cobra.Command{
		Use:   "install [--repo DIR] [--force] [--config FILE]",
		Short: "Write the pre-receive and post-receive hook scripts into a repository",
		Long: `Install writes hooks/pre-receive and hooks/post-receive into the repository's
git directory (core.hooksPath if the repository sets it): two shell scripts
that run this flagscan binary, by its absolute path, with --config and --db
when given. An existing hook is not overwritten without --force.

It then prints how to install the same hooks on GitLab (server hooks), Gitea
(hooks/<name>.d) and GitHub Enterprise Server (pre-receive only, with
'flagscan hook confirm'). See docs/hooks.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			bin, err := os.Executable()
			if err == nil {
				bin, err = filepath.EvalSymlinks(bin)
			}
			if err != nil {
				return fmt.Errorf("find the flagscan binary: %w", err)
			}
			return hook.Install(&f, bin, force, cmd.OutOrStdout())
		},
	}
	install.Flags().BoolVar(&force, "force", false, "replace existing pre-receive and post-receive hooks")
	cmd.AddCommand(&cobra.Command{
		Use:   "pre-receive",
		Short: "Analyze a push before git accepts it, within a time budget; hold its events until it is accepted",
		Long: `Pre-receive reads the "<old> <new> <ref>" lines git gives a pre-receive hook
and analyzes each update of a tracked branch, reading the pushed objects from
git's quarantine directory. The snapshot is not stored and the events are
written to the outbox held, under a token of the ref update, so that nothing
is sent for a push git then rejects: post-receive (or 'flagscan hook confirm')
releases them once git has accepted the push.

It must finish within hook.budget (default 4s), counted from its start. It
fails open: when the budget runs out or anything goes wrong, it says why and
exits 0, so the push goes through and post-receive analyzes it. With
hook.policy.on_error: reject it refuses the push instead. With
hook.policy.key_pattern, a push that adds a flag key the pattern does not
match is refused (exit 1), and the pusher is told which key and where.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return hook.PreReceive(cmd.Context(), time.Now(), &f, cmd.InOrStdin(), cmd.ErrOrStderr())
		},
	}, post, confirm, install)
	return cmd
}
