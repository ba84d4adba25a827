// Command testcmd runs a webhook deliverer until SIGTERM or SIGINT, as
// `flagscan deliver --watch` does, for the emitter's crash tests: they kill
// it with SIGKILL while it sends, and restart it.
//
//	testcmd -db PATH -url URL [-workers N] [-timeout D] [-lease D] [-retry D] [-grace D]
//
// The signing secret is read from TESTCMD_SECRET, never from the command
// line. Exit status: 0 after a clean stop, 1 on an error.
package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/deliver"
	"github.com/flagscan/flagscan/emitter/outbox"
)

func main() {
	var (
		dbPath  = flag.String("db", "", "database")
		hook    = flag.String("url", "", "receiver URL")
		workers = flag.Int("workers", 4, "requests in flight")
		timeout = flag.Duration("timeout", 2*time.Second, "request timeout")
		lease   = flag.Duration("lease", 0, "claim lease")
		retry   = flag.Duration("retry", 10*time.Millisecond, "every wait of the retry schedule (8 retries)")
		grace   = flag.Duration("grace", 0, "shutdown grace")
	)
	flag.Parse()
	if err := run(*dbPath, *hook, *workers, *timeout, *lease, *retry, *grace); err != nil {
		fmt.Fprintln(os.Stderr, "testcmd:", err)
		os.Exit(1)
	}
}

func run(dbPath, hook string, workers int, timeout, lease, retry, grace time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, dbPath, outbox.Schema{})
	if err != nil {
		return err
	}
	defer db.Close()
	sub := emitter.Subscription{
		ID:          emitter.SubscriptionID("crash test", hook),
		Description: "crash test",
		URL:         hook,
		Events:      []string{event.FlagNew, event.FlagDeleted},
		Secret:      emitter.Secret(os.Getenv("TESTCMD_SECRET")),
	}
	schedule := make([]time.Duration, 8)
	for i := range schedule {
		schedule[i] = retry
	}
	d, err := deliver.New(db, []emitter.Subscription{sub}, deliver.Options{
		Timeout:       timeout,
		Lease:         lease,
		Workers:       workers,
		RetrySchedule: schedule,
		AllowHosts:    []string{"127.0.0.1"},
		PollInterval:  20 * time.Millisecond,
		ShutdownGrace: grace,
		Logger:        slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		return err
	}
	defer d.Close()
	fmt.Fprintln(os.Stderr, "testcmd: watching as", d.Worker())
	return d.Watch(ctx)
}
