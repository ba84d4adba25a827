// Package listen is a local webhook receiver for people wiring a webhook:
// it verifies Standard Webhooks signatures and prints each event. It
// shares nothing with the analysis or the store.
package listen

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

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/signing"
)

// SecretEnv holds listen's secret, so that it need not be on a
// command line that other users can read.
const SecretEnv = "FLAGSCAN_LISTEN_SECRET"

// Options are listen's flags.
type Options struct {
	Port   int
	Host   string
	Secret string // whsec_...; "" reads SecretEnv
	Status int    // the answer to requests that verify
}

// Run runs the receiver until ctx is cancelled.
func Run(ctx context.Context, o Options, std cli.IO) error {
	if o.Port < 0 || o.Port > 65535 {
		return cli.Usagef("--port %d: use 0 to 65535", o.Port)
	}
	if o.Status < 200 || o.Status > 599 {
		return cli.Usagef("--status %d: use an HTTP status, 200 to 599", o.Status)
	}
	secret := o.Secret
	if secret == "" {
		secret = os.Getenv(SecretEnv)
	}
	var key *signing.Key
	if secret != "" {
		k, err := signing.NewKey(secret)
		if err != nil {
			return cli.Usagef("--secret: %v", err)
		}
		key = &k
	}
	l, err := net.Listen("tcp", net.JoinHostPort(o.Host, strconv.Itoa(o.Port)))
	if err != nil {
		return err
	}
	check := "signatures checked"
	if key == nil {
		check = "signatures NOT checked (no --secret)"
	}
	fmt.Fprintf(std.Err, "flagscan: listening on http://%s/ (%s); stop with Ctrl-C\n", l.Addr(), check)
	return serveListener(ctx, l, NewHandler(std.Out, key, o.Status, time.Now))
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

// NewHandler returns listen's handler: it prints each request to out
// and answers 401 to a bad signature (key nil: not checked), status to the
// rest.
func NewHandler(out io.Writer, key *signing.Key, status int, now func() time.Time) http.Handler {
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
