// Package storetest gives each test a store of its own, in either dialect:
// a SQLite file in the test's temporary directory, or a schema of its own
// on a real PostgreSQL server, dropped when the test ends. It is how the
// analyzer's, the emitter's and the hooks' tests run against both stores:
// FLAGSCAN_TEST_STORE=postgres switches every Target to PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flagscan/flagscan/analyzer/store"
)

// The variables that choose the tests' stores.
const (
	// EnvPostgres is the URL of the PostgreSQL server tests may use, as a
	// role that may create schemas; .ci/run starts one and sets it.
	EnvPostgres = "FLAGSCAN_TEST_POSTGRES"
	// EnvStore set to "postgres" makes Target give PostgreSQL stores, so
	// that the same tests run against the second store.
	EnvStore = "FLAGSCAN_TEST_STORE"
	// EnvRequire set to 1 makes a test that needs PostgreSQL fail instead
	// of skipping when EnvPostgres is not set: .ci/run must not skip them.
	EnvRequire = "FLAGSCAN_TEST_REQUIRE_POSTGRES"
)

// Dialect returns the dialect Target gives stores of.
func Dialect() store.Dialect {
	if os.Getenv(EnvStore) == "postgres" {
		return store.Postgres
	}
	return store.SQLite
}

// Target returns where a new, empty store for t is: a SQLite file in
// t.TempDir(), or, when EnvStore is "postgres", the URL of a new schema on
// the EnvPostgres server.
func Target(t testing.TB) string {
	t.Helper()
	if Dialect() == store.Postgres {
		return Postgres(t)
	}
	return filepath.Join(t.TempDir(), "flagscan.db")
}

// Postgres returns the URL of a new, empty schema on the EnvPostgres
// server (its search_path), dropped when t ends. Without a server it skips
// t, saying so, or fails it when EnvRequire is set.
func Postgres(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvPostgres)
	if server == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set but %s=1: this test needs a PostgreSQL server", EnvPostgres, EnvRequire)
		}
		t.Skipf("needs a PostgreSQL server: set %s to its URL (.ci/run starts one with .ci/postgres)", EnvPostgres)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvPostgres, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("connect to %s: %v", EnvPostgres, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Each runs fn as a subtest once per dialect, each with a new store:
// "sqlite" always, "postgres" on the EnvPostgres server (skipped, saying
// so, without one). It is how the conformance suite holds both stores to
// one behaviour.
func Each(t *testing.T, fn func(t *testing.T, target string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, filepath.Join(t.TempDir(), "flagscan.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, Postgres(t))
	})
}

// Lose throws away everything the store target names holds, as a deleted
// SQLite file or a dropped database would: the file and its WAL, or every
// table of the PostgreSQL schema. Connections to it must be closed first.
func Lose(t testing.TB, target string) {
	t.Helper()
	if !store.IsURL(target) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(target + suffix); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		return
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, os.Getenv(EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("lose schema %s: %v", schema, err)
	}
}
