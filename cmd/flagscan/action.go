package main

import (
	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/action"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/ci"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/reposync"
)

func newActionCmd() *cobra.Command {
	var o action.Options
	cmd := &cobra.Command{
		Use:   "action",
		Short: "Analyze the push of a GitHub Actions run: events, webhooks, step outputs and job summary",
		Long: `Action is the part of the GitHub Action (action.yml) that runs after the
checkout. It reads the push from the event payload ($GITHUB_EVENT_PATH: ref,
before, after, created, deleted, forced, the pusher), analyzes it as
'flagscan push' would, with the pusher as the events' user, delivers the
webhooks for --deliver-budget, and writes:

  $GITHUB_OUTPUT        new_flags, deleted_flags (JSON arrays of keys) and
                        events (a JSON array of the event bodies)
  $GITHUB_STEP_SUMMARY  a table of the new and deleted flags with links to
                        their references, and the delivery results

For other events (workflow_dispatch, schedule) it brings the snapshot of
$GITHUB_REF up to $GITHUB_SHA, as 'flagscan sync' does.

With no stored snapshot (a missing cache) the baseline is the push's
'before' commit. In a shallow checkout, the commits the analysis needs are
fetched from origin (git fetch --deepen, then --unshallow, then the commit
itself); when that is impossible it says what to change.

Without a configuration file, everything comes from flags or FLAGSCAN_*
variables: FLAGSCAN_ACCOUNT_ID, FLAGSCAN_ACCOUNT_NAME, FLAGSCAN_ENVIRONMENT_ID,
FLAGSCAN_ENVIRONMENT_NAME, FLAGSCAN_BRANCHES (default: the repository's
default branch, from the payload), FLAGSCAN_WEBHOOK_URL,
FLAGSCAN_WEBHOOK_DESCRIPTION, FLAGSCAN_WEBHOOK_SECRET, FLAGSCAN_WEBHOOK_EVENTS,
FLAGSCAN_ALLOW_HOSTS, FLAGSCAN_DELIVERY_BUDGET, FLAGSCAN_CONFIG.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Webhook.BudgetSet = cmd.Flags().Changed("deliver-budget")
			o.LogFormat = logFormat(cmd)
			return action.Run(cmd.Context(), o, std(cmd))
		},
	}
	registerRun(cmd, &o)
	return cmd
}

func newCICmd() *cobra.Command {
	var o action.Options
	cmd := &cobra.Command{
		Use:   "ci",
		Short: "Analyze the push or merge request of a CI run (GitHub Actions, GitLab CI, Bitbucket, Azure Pipelines, CircleCI, Jenkins)",
		Long: `CI is 'flagscan action' for every CI system: it detects the provider from the
environment, reads the push from its variables (GitLab's CI_COMMIT_BEFORE_SHA,
Jenkins' GIT_PREVIOUS_SUCCESSFUL_COMMIT; providers that do not say bring the
stored snapshot up to the commit) and analyzes it as action does. A pull
request (GitHub) or merge-request pipeline (GitLab) reports the keys the
change adds and removes from the merge base, sends no webhook, and with
--comment keeps one comment on it up to date (token: FLAGSCAN_TOKEN, else
GITHUB_TOKEN or GITLAB_TOKEN). See docs/ci.md and templates/.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Webhook.BudgetSet = cmd.Flags().Changed("deliver-budget")
			o.LogFormat = logFormat(cmd)
			return ci.Run(cmd.Context(), o, std(cmd))
		},
	}
	registerRun(cmd, &o)
	return cmd
}

// registerRun adds the flags of action and ci.
func registerRun(cmd *cobra.Command, o *action.Options) {
	registerWorkspace(cmd, &o.Workspace)
	registerWebhook(cmd, &o.Webhook, "delivery.inline_budget")
	fl := cmd.Flags()
	fl.StringVar(&o.Event, "event", "", "the GitHub event payload (default: $GITHUB_EVENT_PATH)")
	fl.BoolVar(&o.NoFetch, "no-fetch", false, "never fetch missing commits from origin (a shallow checkout then fails with a message)")
	fl.StringVar(&o.Format, "format", "table", "what to print on standard output: table, or json (one event body per line)")
	fl.StringVar(&o.Output, "output", "", "append the outputs as name=value lines to this file (default: $GITHUB_OUTPUT)")
	fl.StringVar(&o.Summary, "summary", "", "append the Markdown summary to this file (default: $GITHUB_STEP_SUMMARY)")
	fl.BoolVar(&o.Comment, "comment", false, "comment the change on the pull or merge request, updating the comment on later pushes")
	fl.StringSliceVar(&o.FailOn, "fail-on", nil, "for a pull or merge request, exit with status 3 on: added, removed, change, policy")
}

func newSyncCmd() *cobra.Command {
	var o reposync.Options
	cmd := &cobra.Command{
		Use:   "sync [REPO...]",
		Short: "Bring each tracked branch's snapshot up to its current head and emit the transitions (scheduled scans)",
		Long: `Sync brings the snapshot of every tracked branch of each REPO (default: --repo,
else ".") up to date with the branch's current head, however many commits have
passed since the last run, and writes the keys that appeared or disappeared to
the outbox, then delivers them (for --deliver-budget). A nightly job needs
nothing else: run it after fetching.

A branch with no snapshot yet gets a baseline at its head: the first run emits
nothing (with --baseline-age D, the baseline is the branch's last commit older
than D, and the transitions since are reported: a lost store then costs a
scan, not events). A branch the store has seen is analyzed from its snapshot's commit
to its head, as one push would be: a key added and removed in between gives no
event. Tracked branches are 'branches' of the configuration (default: the
branch HEAD names), taken from refs/heads, or with --remote NAME from the
remote-tracking refs refs/remotes/NAME/*.

Repositories are analyzed --jobs at a time, sharing one budget of --workers
parsing goroutines. Each has its own store (flagscan.db in its git directory)
and its own .flagscan.yml, unless --db and --config name one for all; snapshots
are keyed by repository name. With several repositories, each is named by its
origin remote (owner/name) or else its directory, and links follow the
origin's forge; --web-url may hold {repo}, replaced by the repository's name.

A progress line is drawn on standard error when it is a terminal and CI is
not set; log lines go to standard error (--log-format json for JSON lines),
the summary to standard output (--format json: one JSON object per branch,
with its events).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Repos = args
			o.Webhook.BudgetSet = cmd.Flags().Changed("deliver-budget")
			o.LogFormat = logFormat(cmd)
			return reposync.Run(cmd.Context(), o, std(cmd))
		},
	}
	registerWorkspace(cmd, &o.Workspace)
	registerWebhook(cmd, &o.Webhook, reposync.DefaultBudget.String())
	fl := cmd.Flags()
	fl.IntVar(&o.Jobs, "jobs", 0, "repositories analyzed at once (default: one per CPU)")
	fl.IntVar(&o.Workspace.Scan.Workers, "workers", 0, "parsing goroutines in all, shared by the repositories analyzed at once (default: one per CPU)")
	fl.StringVar(&o.Remote, "remote", "", "take the branches from refs/remotes/NAME/* instead of refs/heads/*")
	fl.StringVar(&o.Format, "format", "table", "output: table, or json (one object per branch, with its events)")
	fl.StringVar(&o.Progress, "progress", "auto", "progress line on standard error: auto (on a terminal, unless CI is set), on or off")
	fl.BoolVarP(&o.Quiet, "quiet", "q", false, "log warnings and errors only")
	fl.DurationVar(&o.SkipSyncedWithin, "skip-synced-within", 0, "share the repositories with the other sync jobs on the store (a PostgreSQL --db): pass over one that another job is syncing, or synced less than this ago (e.g. 50m for an hourly schedule); 0: sync every one")
	fl.DurationVar(&o.BaselineAge, "baseline-age", 0, "for a branch with no snapshot, start from its last commit older than this (e.g. 25h for a nightly job, so that a lost store still reports the last day's transitions); 0: a baseline at the head, no events")
	return cmd
}
