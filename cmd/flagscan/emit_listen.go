package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/signing"
)

// listenSecretEnv holds listen's secret, so that it need not be on a
// command line that other users can read.
const listenSecretEnv = "FLAGSCAN_LISTEN_SECRET"

func newListenCmd() *cobra.Command {
	var (
		port   int
		host   string
		secret string
		status int
	)
	cmd := &cobra.Command{
		Use:   "listen [--port N] [--secret S]",
		Short: "Run a local webhook receiver that verifies signatures and prints each event",
		Long: `Listen runs an HTTP receiver on 127.0.0.1 (--host to change) for people
wiring a webhook: it prints every request it gets, with its webhook-id, the
verdict on its Standard Webhooks signature and its JSON body.

The secret, whsec_..., is --secret or $` + listenSecretEnv + ` (better: a command line
is visible to other users). Without one, signatures are not checked. A request
whose signature does not verify is answered 401; others get --status (204).
Point a webhook at it with delivery.allow_hosts: [127.0.0.1], then run
'flagscan webhook test' or 'flagscan deliver'. Stop it with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if port < 0 || port > 65535 {
				return usagef("--port %d: use 0 to 65535", port)
			}
			if status < 200 || status > 599 {
				return usagef("--status %d: use an HTTP status, 200 to 599", status)
			}
			if secret == "" {
				secret = os.Getenv(listenSecretEnv)
			}
			var key *signing.Key
			if secret != "" {
				k, err := signing.NewKey(secret)
				if err != nil {
					return usagef("--secret: %v", err)
				}
				key = &k
			}
			l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			check := "signatures checked"
			if key == nil {
				check = "signatures NOT checked (no --secret)"
			}
			fmt.Fprintf(stderr, "flagscan: listening on http://%s/ (%s); stop with Ctrl-C\n", l.Addr(), check)
			return serveListener(cmd.Context(), l, newListenHandler(cmd.OutOrStdout(), key, status, time.Now))
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&port, "port", 8787, "port to listen on (0: any free port)")
	fl.StringVar(&host, "host", "127.0.0.1", "address to listen on")
	fl.StringVar(&secret, "secret", "", "the webhook's signing secret, whsec_... (default: $"+listenSecretEnv+")")
	fl.IntVar(&status, "status", http.StatusNoContent, "the status answered to requests that verify, e.g. 503 to try retries")
	return cmd
}

// serveListener serves h on l until ctx is cancelled.
func serveListener(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// newListenHandler returns listen's handler: it prints each request to out
// and answers 401 to a bad signature (key nil: not checked), status to the
// rest.
func newListenHandler(out io.Writer, key *signing.Key, status int, now func() time.Time) http.Handler {
	var mu sync.Mutex // one request printed at a time
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, emitter.DefaultMaxBodySize+1))
		if err != nil {
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		}
		code := status
		var verdict string
		switch {
		case len(body) > emitter.DefaultMaxBodySize:
			code, verdict = http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes: refused", emitter.DefaultMaxBodySize)
		case key == nil:
			verdict = "signature not checked"
		default:
			if err := key.Verify(r.Header, body, now(), signing.DefaultTolerance); err != nil {
				code, verdict = http.StatusUnauthorized, "signature INVALID: "+err.Error()
			} else {
				verdict = "signature ok"
			}
		}
		id := r.Header.Get(signing.HeaderID)
		if id == "" {
			id = "(none)"
		}
		var pretty bytes.Buffer
		if json.Indent(&pretty, body, "", "  ") != nil {
			pretty.Reset()
			pretty.Write(bytes.ToValidUTF8(body, []byte("\uFFFD")))
		}
		mu.Lock()
		fmt.Fprintf(out, "--- %s %s %s  webhook-id %s  %s  -> %d\n", now().Format(time.RFC3339), r.Method, r.URL.Path, id, verdict, code)
		if code != http.StatusRequestEntityTooLarge {
			fmt.Fprintf(out, "%s\n", pretty.Bytes())
		}
		mu.Unlock()
		w.WriteHeader(code)
	})
}
