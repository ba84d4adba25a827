package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL pool's bounds and timeouts. A git server runs a process
// per push, and each holds at most maxConns connections, so the server's
// max_connections bounds how many pushes run at once, not flagscan.
const (
	// defaultMaxConns bounds each process's connections; the
	// pool_max_conns parameter of the URL overrides it.
	defaultMaxConns = 4
	// defaultStatementTimeout ends a statement that waits longer (for a
	// lock another process holds, a server that stopped answering) with an
	// error instead of hanging a hook; the statement_timeout parameter of
	// the URL overrides it.
	defaultStatementTimeout = "60s"
	// connectTimeout bounds connecting, when the URL says nothing.
	connectTimeout = 10 * time.Second
)

// openPostgres opens the PostgreSQL database the URL names. readOnly makes
// every transaction read-only (default_transaction_read_only), so that the
// commands that only read cannot write by mistake.
func openPostgres(ctx context.Context, target string, readOnly bool) (*sql.DB, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	maxConns := defaultMaxConns
	if v := q.Get("pool_max_conns"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("database URL: pool_max_conns=%q is not a positive number", v)
		}
		maxConns = n
		q.Del("pool_max_conns")
		u.RawQuery = q.Encode()
	}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		// pgx's parse errors quote the URL, password and all.
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("database URL: %s", pe.Unwrap())
		}
		return nil, errors.New("database URL: cannot be parsed")
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	if _, ok := cfg.RuntimeParams["statement_timeout"]; !ok {
		cfg.RuntimeParams["statement_timeout"] = defaultStatementTimeout
	}
	// pgx prepares each statement once per connection; after five runs
	// PostgreSQL may plan it for any parameters, and for the outbox's claim
	// (a limit, a time) that generic plan sorts every pending delivery.
	// Planning these small statements each time costs less.
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "flagscan"
	}
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	db := sql.OpenDB(postgresConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)
	return db, nil
}

// postgresConnector makes pgx connections that take the store's queries,
// written with ? placeholders.
type postgresConnector struct{ driver.Connector }

// Connect implements driver.Connector.
func (c postgresConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return postgresConn{conn.(*stdlib.Conn)}, nil
}

// Driver implements driver.Connector; DialectOf recognizes its type.
func (c postgresConnector) Driver() driver.Driver { return postgresDriver{c.Connector.Driver()} }

// postgresDriver marks a database as PostgreSQL for DialectOf.
type postgresDriver struct{ driver.Driver }

// postgresConn is a pgx connection whose queries are rebound; everything
// else (transactions, pings, session resets, argument checks) is pgx's.
type postgresConn struct{ *stdlib.Conn }

func (c postgresConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c postgresConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c postgresConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c postgresConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// migrationLock is the advisory lock that serializes the migrations of
// concurrent first runs on one PostgreSQL database ("flag" in ASCII).
const migrationLock = 0x666c6167

// Transient reports whether err is a failure of the database server or of
// the connection to it that running the same transaction again may not
// meet: a server restarting or shutting down, a lost or refused connection,
// a deadlock or serialization failure. SQLite's busy waits are its busy
// timeout's, not this.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || pgconn.SafeToRetry(err) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"): // connection exception
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03": // admin or crash shutdown, cannot connect now
			return true
		case pe.Code == "40001", pe.Code == "40P01": // serialization failure, deadlock
			return true
		}
		return false
	}
	// The connection broke under a statement: pgx reports the read or
	// write that failed.
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
