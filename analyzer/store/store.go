// Package store keeps the analyzer's state in SQLite: the results of every
// blob ever scanned (by blob id and rules fingerprint) and, per repository
// and branch, the snapshot of the last analyzed commit: the files holding
// references and the keys of each environment.
//
// Git is the source of truth: everything here can be rebuilt by scanning a
// commit, so a lost database costs time, never correctness.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	// The SQLite driver, registered as "sqlite3".
	_ "github.com/mattn/go-sqlite3"
)

// Open opens (creating if needed) the database at path with the settings
// every process sharing it must use: WAL so that readers never wait for the
// writer, a busy timeout so that concurrent hook processes queue instead of
// failing, and immediate write transactions, because a deferred transaction
// that reads and then writes fails at once with SQLITE_BUSY when another
// process got there first.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	db, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database %s: %w", path, err)
	}
	return db, nil
}

// migrations are the analyzer's schema steps; migration i brings the schema
// from version i to i+1. Steps are only ever appended.
var migrations = []string{
	`CREATE TABLE blob_results (
		blob        TEXT NOT NULL,
		lang        TEXT NOT NULL,
		fingerprint TEXT NOT NULL,
		result      BLOB NOT NULL,
		PRIMARY KEY (blob, lang, fingerprint)
	) WITHOUT ROWID;
	CREATE TABLE snapshots (
		repo        TEXT NOT NULL,
		branch      TEXT NOT NULL,
		commit_sha  TEXT NOT NULL,
		origin      TEXT NOT NULL,
		fingerprint TEXT NOT NULL,
		version     INTEGER NOT NULL,
		updated_at  TEXT NOT NULL,
		PRIMARY KEY (repo, branch)
	);
	CREATE TABLE snapshot_files (
		repo   TEXT NOT NULL,
		branch TEXT NOT NULL,
		path   TEXT NOT NULL,
		blob   TEXT NOT NULL,
		PRIMARY KEY (repo, branch, path)
	) WITHOUT ROWID;
	CREATE TABLE snapshot_keys (
		repo   TEXT NOT NULL,
		branch TEXT NOT NULL,
		env    TEXT NOT NULL,
		key    TEXT NOT NULL,
		refs   BLOB NOT NULL,
		PRIMARY KEY (repo, branch, env, key)
	) WITHOUT ROWID;`,
}

// component names the analyzer's row in schema_versions; the emitter keeps
// its own row in the same table.
const component = "analyzer"

// Migrate brings the analyzer's tables to the current schema. Several
// processes may call it at once: the version is read and bumped inside one
// immediate transaction.
func Migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)`); err != nil {
		return err
	}
	var version int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_versions WHERE component = ?`, component).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this flagscan knows (%d): upgrade flagscan", version, len(migrations))
	}
	for ; version < len(migrations); version++ {
		if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
			return fmt.Errorf("migration %d: %w", version+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_versions (component, version) VALUES (?, ?)
		ON CONFLICT (component) DO UPDATE SET version = excluded.version`, component, version); err != nil {
		return err
	}
	return tx.Commit()
}

// now is the timestamp format of the store's text columns.
func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
