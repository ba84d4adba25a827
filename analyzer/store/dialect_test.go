package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`},
		{`SELECT '?', "q?", 'it''s ?' FROM t WHERE x = ?`, `SELECT '?', "q?", 'it''s ?' FROM t WHERE x = $1`},
		{"SELECT ? -- what?\n, ?", "SELECT $1 -- what?\n, $2"},
		{`INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?)`, `INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	} {
		if got := rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPasswordsNeverPrinted: Redact hides a URL's password, wherever the
// URL carries it, and a URL that cannot be parsed or reached is reported
// without it.
func TestPasswordsNeverPrinted(t *testing.T) {
	for _, u := range []string{
		"postgres://flagscan:s3cr3t-pw@db.internal:5432/flagscan?sslmode=disable",
		"postgresql://db.internal/flagscan?user=flagscan&password=s3cr3t-pw",
	} {
		if got := Redact(u); strings.Contains(got, "s3cr3t-pw") || !strings.Contains(got, "db.internal") {
			t.Errorf("Redact(%q) = %q", u, got)
		}
	}
	if got := Redact("/srv/git/flagscan.db"); got != "/srv/git/flagscan.db" {
		t.Errorf("a path: %q", got)
	}
	for _, u := range []string{
		"postgres://flagscan:s3cr3t-pw@127.0.0.1:1/flagscan?sslmode=disable&connect_timeout=1", // nothing listens on port 1
		"postgres://flagscan:s3cr3t-pw@[::1/flagscan",                                          // cannot be parsed
		"postgres://flagscan:s3cr3t-pw@127.0.0.1:1/flagscan?pool_max_conns=none",
	} {
		// Open retries a refused connection for TransientRetry; a second is
		// enough to see what it says.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := Open(ctx, u)
		cancel()
		if err == nil || strings.Contains(err.Error(), "s3cr3t-pw") {
			t.Errorf("Open(%q): %v", Redact(u), err)
		}
	}
}

func TestInDialect(t *testing.T) {
	step := `CREATE TABLE t (
		blob  TEXT NOT NULL,
		n     INTEGER NOT NULL,
		body  BLOB,
		PRIMARY KEY (blob)
	) WITHOUT ROWID;
	ALTER TABLE t ADD COLUMN m INTEGER NOT NULL DEFAULT 0;`
	if got := InDialect(SQLite, []string{step})[0]; got != step {
		t.Errorf("SQLite's steps changed: %s", got)
	}
	want := `CREATE TABLE t (
		blob  TEXT NOT NULL,
		n     BIGINT NOT NULL,
		body  BYTEA,
		PRIMARY KEY (blob)
	);
	ALTER TABLE t ADD COLUMN m BIGINT NOT NULL DEFAULT 0;`
	if got := InDialect(Postgres, []string{step})[0]; got != want {
		t.Errorf("PostgreSQL:\n%s\nwant\n%s", got, want)
	}
}
