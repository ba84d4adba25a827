// Command flagscan finds feature-flag references in code and reports the
// keys that appear and disappear as Flagship webhook events.
//
// Usage:
//
//	flagscan scan [PATH] [--rev REV] [--repo DIR] [--format table|json|csv]
//
// Run `flagscan help` for every command and flag. This package parses the
// command line, calls one run function of the internal packages per
// command, and maps errors to exit statuses; the work is done there.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/version"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the command could not do its job: a missing path, a broken repository
	exitUsage = 2 // the command line or the configuration is wrong
)

func main() {
	if os.Getenv("GOGC") == "" {
		// flagscan is a short-lived process that allocates a lot of small,
		// short-lived objects and keeps little: collecting less often
		// than Go's default saves time. 200 rather than more: since the
		// extraction reads a flat copy of each tree it allocates a
		// third of what it did, and 400 bought no measurable time in a
		// scan while a log of 10,000 commits peaked 55 MB higher, its
		// trees kept for the next versions of its files beside it.
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// But a long history keeps more: past this, collect as often as
		// needed rather than let the heap grow to five times what it holds.
		debug.SetMemoryLimit(256 << 20)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "flagscan: %v\n", err)
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	if cli.IsUsage(err) || strings.HasPrefix(err.Error(), "unknown command") {
		return exitUsage
	}
	return exitError
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	info := version.Build()
	root := &cobra.Command{
		Use:           "flagscan",
		Short:         "Find feature-flag references in code and report the keys that appear and disappear",
		SilenceUsage:  true,
		SilenceErrors: true,
		// The short form, which std hands to every command for webhook
		// requests and log lines; --version prints the whole line.
		Version: info.Short(),
	}
	root.SetVersionTemplate(info.String() + "\n")
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	// Cobra reports unknown flags and bad arguments through this hook;
	// they are usage errors.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cli.Usage(err) })
	root.PersistentFlags().String(cli.LogFormatFlag, "text", "format of log lines on standard error: text, or json (one JSON object per line)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		_, err := cli.NewLogger(logFormat(cmd), info.Short(), io.Discard, slog.LevelInfo)
		return err
	}
	root.AddCommand(newScanCmd(), newPushCmd(), newLogCmd(), newStatusCmd(), newFlagsCmd(),
		newDeliverCmd(), newDeliveriesCmd(), newWebhookCmd(), newListenCmd(), newActionCmd(), newSyncCmd(), newHookCmd(), newDiffCmd(), newCICmd(),
		newVersionCmd(info))
	return root
}

func newVersionCmd(info version.Info) *cobra.Command {
	return &cobra.Command{Use: "version", Short: "Print the version, commit, build date and Go version of this flagscan", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), info)
			return err
		}}
}

// std returns the standard streams of cmd, and the version the root
// command carries.
func std(cmd *cobra.Command) cli.IO {
	return cli.IO{In: cmd.InOrStdin(), Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr(), Version: cmd.Root().Version}
}

// logFormat returns the --log-format of cmd's command line.
func logFormat(cmd *cobra.Command) string {
	if f := cmd.Flag(cli.LogFormatFlag); f != nil {
		return f.Value.String()
	}
	return "text"
}

// oneArg accepts exactly one argument, and answers anything else with a
// usage error saying usage.
func oneArg(usage string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return cli.Usagef("%s", usage)
		}
		return nil
	}
}

// registerWorkspace adds the flags of every command that works on a
// repository and its store.
func registerWorkspace(cmd *cobra.Command, f *workspace.Flags) {
	fl := cmd.Flags()
	fl.StringVarP(&f.Repo, "repo", "C", ".", "the repository, bare or not")
	fl.StringVar(&f.DB, "db", "", "the store: a SQLite file, or a PostgreSQL URL (postgres://...) that several machines share (default: $FLAGSCAN_DB, else flagscan.db in the repository's git directory)")
	fl.StringVar(&f.Config, "config", "", "configuration file (default: $FLAGSCAN_CONFIG, else .flagscan.yml at the work tree's root, else flagscan.yml in the git directory)")
	fl.StringVar(&f.Repository, "repository", "", "the repository's name in events (default: $FLAGSCAN_REPOSITORY, the CI's repository name, else the directory's name)")
	fl.StringVar(&f.WebURL, "web-url", "", "the repository's web address, for links in events (default: $FLAGSCAN_WEB_URL or the CI's)")
	fl.StringVar(&f.AccountID, "account-id", "", "account_id of events (overrides account.id)")
	fl.StringVar(&f.AccountName, "account-name", "", "account_name of events (overrides account.name)")
	fl.StringVar(&f.EnvironmentID, "environment-id", "", "environment_id, when there is one environment (overrides it)")
	fl.StringVar(&f.EnvironmentName, "environment-name", "", "environment_name, when there is one environment (overrides it)")
	fl.BoolVar(&f.Scan.NoBuiltin, "no-builtin", false, "turn the built-in Flagship rules off")
	// The configuration's scan.context_lines applies: it is part of the
	// blob cache's fingerprint, so every command must agree on it.
	f.Scan.ContextLines = -1
}

// registerStore adds the flags of the delivery commands, as persistent
// flags so that sub-commands share them.
func registerStore(cmd *cobra.Command, f *delivery.Flags) {
	fl := cmd.PersistentFlags()
	fl.StringVarP(&f.Repo, "repo", "C", ".", "the repository whose store and configuration to use")
	fl.StringVar(&f.DB, "db", "", "the store: a SQLite file, or a PostgreSQL URL (postgres://...) that several machines share (default: $FLAGSCAN_DB, else flagscan.db in the repository's git directory)")
	fl.StringVar(&f.Config, "config", "", "configuration file (default: $FLAGSCAN_CONFIG, else .flagscan.yml at the work tree's root, else flagscan.yml in the git directory)")
}

// registerWebhook adds the webhook and delivery flags of action and sync.
func registerWebhook(cmd *cobra.Command, f *delivery.Webhook, defaultBudget string) {
	fl := cmd.Flags()
	fl.StringVar(&f.URL, "webhook-url", "", "add a webhook with this URL (default: $"+delivery.EnvWebhookURL+"); its secret comes from $"+delivery.EnvWebhookSecret)
	fl.StringVar(&f.Description, "webhook-description", "", "that webhook's description (default: $"+delivery.EnvWebhookDescription+", else \""+delivery.DefaultWebhookDescription+"\")")
	fl.StringSliceVar(&f.Events, "webhook-events", nil, "that webhook's event types (default: $"+delivery.EnvWebhookEvents+", else Flag.new,Flag.deleted)")
	fl.StringSliceVar(&f.AllowHosts, "allow-host", nil, "a loopback or private host, address or CIDR webhooks may call, added to delivery.allow_hosts (repeatable; default: $"+delivery.EnvAllowHosts+")")
	fl.DurationVar(&f.Budget, "deliver-budget", 0, "how long to deliver webhooks after the analysis; 0 leaves them to flagscan deliver (default: $"+delivery.EnvDeliveryBudget+", else "+defaultBudget+")")
}
