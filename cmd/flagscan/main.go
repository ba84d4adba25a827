// Command flagscan finds feature-flag references in code and reports the
// keys that appear and disappear as Flagship webhook events.
//
// Usage:
//
//	flagscan scan [PATH] [--rev REV] [--repo DIR] [--format table|json|csv]
//
// Run `flagscan help` for every command and flag.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the command could not do its job: a missing path, a broken repository
	exitUsage = 2 // the command line or the configuration is wrong
)

// usageError marks an error in what the user asked for, as opposed to one
// met while doing it.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// oneArg accepts exactly one argument, and answers anything else with a
// usage error saying usage.
func oneArg(usage string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usagef("%s", usage)
		}
		return nil
	}
}

func main() {
	if os.Getenv("GOGC") == "" {
		// flagscan is a short-lived process that allocates a lot of small,
		// short-lived objects and keeps little: collecting less often
		// saves about a sixth of a scan's time for some 15 MB more.
		debug.SetGCPercent(400)
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
	var ue usageError
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") {
		return exitUsage
	}
	return exitError
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "flagscan",
		Short:         "Find feature-flag references in code and report the keys that appear and disappear",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	// Cobra reports unknown flags and bad arguments through this hook;
	// they are usage errors.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().String(logFormatFlag, "text", "format of log lines on standard error: text, or json (one JSON object per line)")
	root.AddCommand(newScanCmd(), newPushCmd(), newLogCmd(), newStatusCmd(), newFlagsCmd(),
		newDeliverCmd(), newDeliveriesCmd(), newWebhookCmd(), newListenCmd(), newActionCmd(), newSyncCmd(), newHookCmd())
	return root
}
