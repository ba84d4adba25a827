// Package store owns the database flagscan keeps its state in: by default
// a SQLite file, or a PostgreSQL database that several processes and
// machines share (a URL, postgres://...). It has one Open with the settings
// every process sharing the database must use, and the migrations of every
// table in it, the analyzer's own and those the emitter's outbox and the
// hooks' holds register (Schema), in each Dialect. Its own tables are the
// results of every blob ever scanned (by blob id and rules fingerprint)
// and, per repository and branch, the snapshot of the last analyzed
// commit: the files holding references and the keys of each environment.
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
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	// The SQLite driver, registered as "sqlite3".
	"github.com/mattn/go-sqlite3"

	"github.com/jackc/pgx/v5/pgconn"
)

// Schema is the tables one package keeps in the store: its row in
// schema_versions and its migration steps in each dialect, where step i
// brings its tables from version i to i+1. Steps are only ever appended,
// and both dialects have the same number. The analyzer's own tables are
// always there; the outbox and the hooks' holds bring theirs.
type Schema interface {
	Component() string
	Migrations(Dialect) []string
}

// Open opens the store target names, a SQLite file (created if needed) or
// a PostgreSQL URL, with the settings every process sharing it must use,
// and brings the analyzer's tables and those of schemas to their current
// version. It is the only way a store is opened, in production and in
// tests.
func Open(ctx context.Context, target string, schemas ...Schema) (*sql.DB, error) {
	if IsURL(target) {
		return openPostgresMigrated(ctx, target, schemas)
	}
	path := target
	db, err := sql.Open("sqlite3", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := retryBusy(ctx, func() error { return db.PingContext(ctx) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, explain(path, err))
	}
	if err := retryBusy(ctx, func() error { return Migrate(ctx, db, schemas...) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database %s: %w", path, explain(path, err))
	}
	return db, nil
}

// openPostgresMigrated is Open for a PostgreSQL URL.
func openPostgresMigrated(ctx context.Context, target string, schemas []Schema) (*sql.DB, error) {
	db, err := openPostgres(ctx, target, false)
	if err != nil {
		return nil, err
	}
	if err := retryTransient(ctx, func() error { return db.PingContext(ctx) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", Redact(target), err)
	}
	if err := retryTransient(ctx, func() error { return Migrate(ctx, db, schemas...) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database %s: %w", Redact(target), err)
	}
	return db, nil
}

// OpenReadOnly opens the existing store target names for the commands
// that only read it (status, flags, deliveries): it writes nothing, so it
// works on a store it may not write (a read-only mount, another user's, a
// role with SELECT only), and it never waits for a writer, as WAL readers
// and PostgreSQL readers do not. A store whose tables are older than this
// flagscan is an error that says to run a command that writes.
func OpenReadOnly(ctx context.Context, target string, schemas ...Schema) (*sql.DB, error) {
	if IsURL(target) {
		db, err := openPostgres(ctx, target, true)
		if err != nil {
			return nil, err
		}
		if err := checkVersions(ctx, db, schemas); err != nil {
			db.Close()
			return nil, fmt.Errorf("open database %s: %w", Redact(target), err)
		}
		return db, nil
	}
	path := target
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_busy_timeout", strconv.Itoa(int(busyTimeout.Milliseconds())))
	q.Set("_foreign_keys", "on")
	db, err := sql.Open("sqlite3", "file:"+uriPath(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := checkVersions(ctx, db, schemas); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, explain(path, err))
	}
	return db, nil
}

// ErrEmpty is returned by OpenReadOnly for a PostgreSQL database that no
// flagscan has written yet: it has none of the store's tables, so nothing
// was analyzed (as where there is no SQLite file).
var ErrEmpty = errors.New("no flagscan has written this store yet")

// checkVersions returns an error unless the tables of the analyzer and of
// schemas are at the version this flagscan reads.
func checkVersions(ctx context.Context, db *sql.DB, schemas []Schema) error {
	d := DialectOf(db)
	for _, sc := range append([]Schema{tables{}}, schemas...) {
		var version int
		err := db.QueryRowContext(ctx, `SELECT version FROM schema_versions WHERE component = ?`, sc.Component()).Scan(&version)
		if missingTable(err) {
			return ErrEmpty
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if want := len(sc.Migrations(d)); version != want {
			return fmt.Errorf("the %s tables are at version %d, this flagscan reads %d: run a command that writes the store (push, sync) first", sc.Component(), version, want)
		}
	}
	return nil
}

// missingTable reports whether err says that schema_versions does not
// exist, as in a PostgreSQL database no flagscan wrote yet.
func missingTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01" // undefined_table
}

// explain adds what SQLite's "unable to open database file" means when
// the cause is permissions, which it reports as a missing file.
func explain(path string, err error) error {
	if _, statErr := os.Stat(path); statErr == nil {
		f, werr := os.OpenFile(path, os.O_WRONLY, 0)
		if werr != nil {
			return fmt.Errorf("%w (the file exists but cannot be written: %v)", err, werr)
		}
		f.Close()
		return err
	}
	dir := filepath.Dir(path)
	probe, perr := os.CreateTemp(dir, ".flagscan-probe-*")
	if perr != nil {
		return fmt.Errorf("%w (the store cannot be made in %s: %v)", err, dir, perr)
	}
	probe.Close()
	os.Remove(probe.Name())
	return err
}

// busyTimeout is the _busy_timeout of DSN.
const busyTimeout = 10 * time.Second

// retryBusy runs fn again while it fails with SQLITE_BUSY or
// SQLITE_LOCKED, for up to busyTimeout. SQLite does not call the busy
// handler everywhere: a connection that switches a file nobody has
// written yet to WAL while another process creates it gets SQLITE_BUSY at
// once, so concurrent first runs on a new store would fail.
func retryBusy(ctx context.Context, fn func() error) error {
	return retryWhile(ctx, busyTimeout, 5*time.Millisecond, 200*time.Millisecond, func(err error) bool {
		var se sqlite3.Error
		return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
	}, fn)
}

// TransientRetry is how long Open, and the analyzer's pushes, run again
// what a PostgreSQL server failed (Transient): long enough for a restart
// or a failover, short enough for a CI job to fail clearly.
const TransientRetry = 30 * time.Second

// retryTransient runs fn again while it fails with a Transient error, for
// up to TransientRetry or until ctx ends.
func retryTransient(ctx context.Context, fn func() error) error {
	return retryWhile(ctx, TransientRetry, 100*time.Millisecond, 2*time.Second, Transient, fn)
}

// retryWhile runs fn again while its error satisfies again, waiting from
// wait up to maxWait between tries, for up to budget or until ctx ends.
func retryWhile(ctx context.Context, budget, wait, maxWait time.Duration, again func(error) bool, fn func() error) error {
	deadline := time.Now().Add(budget)
	for {
		err := fn()
		if err == nil || !again(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, maxWait)
	}
}

// DSN returns the data source name of the database at path: WAL so that
// readers never wait for the writer, a busy timeout so that concurrent
// hook processes queue instead of failing, and immediate write
// transactions, because a deferred transaction that reads and then writes
// fails at once with SQLITE_BUSY when another process got there first.
func DSN(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", strconv.Itoa(int(busyTimeout.Milliseconds())))
	q.Set("_txlock", "immediate")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	return "file:" + uriPath(path) + "?" + q.Encode()
}

// uriPath returns path as the path of a file: URI. SQLite decodes %XX in
// it and ends it at ? or #, so those three are escaped (and control
// characters, which a URI cannot hold); an absolute path gets an empty
// authority, or one starting with // would be read as a host.
func uriPath(path string) string {
	var b strings.Builder
	if strings.HasPrefix(path, "/") {
		b.WriteString("//")
	}
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case c == '%' || c == '?' || c == '#' || c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// tables are the analyzer's own: the blob cache and the snapshots (with
// their ranges and their resolved use files).
type tables struct{}

// Component implements Schema.
func (tables) Component() string { return "analyzer" }

// Migrations implements Schema.
func (tables) Migrations(d Dialect) []string {
	steps := InDialect(d, []string{
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
		// What the origin of each snapshot said: the transitions after it
		// up to the snapshot's commit were reported.
		`CREATE TABLE analysed_ranges (
		repo   TEXT NOT NULL,
		branch TEXT NOT NULL,
		lo     TEXT NOT NULL,
		hi     TEXT NOT NULL,
		PRIMARY KEY (repo, branch, lo, hi)
	) WITHOUT ROWID;
	INSERT INTO analysed_ranges (repo, branch, lo, hi) SELECT repo, branch, origin, commit_sha FROM snapshots WHERE origin <> commit_sha;`,
		// The files of each snapshot whose keys are names defined in other
		// files: what their resolution found and what it looked at, so that
		// another process resolves only those a push may change. A snapshot
		// stored before has none (uses_kept 0), and its use files are
		// resolved again.
		`ALTER TABLE snapshots ADD COLUMN uses_kept INTEGER NOT NULL DEFAULT 0;
	CREATE TABLE snapshot_uses (
		repo        TEXT NOT NULL,
		branch      TEXT NOT NULL,
		path        TEXT NOT NULL,
		blob        TEXT NOT NULL,
		fingerprint TEXT NOT NULL,
		deps        BLOB NOT NULL,
		refs        BLOB NOT NULL,
		PRIMARY KEY (repo, branch, path)
	);`,
	})
	// The blob cache as a rowid table: its rows, a kilobyte or more each,
	// are appended in the order they are written, and only its key index
	// takes the writes at random places. As a WITHOUT ROWID table the
	// rows themselves were the B-tree, and a log of 10,000 commits
	// dirtied a page for nearly every row it cached (77 MB of pages for
	// 39 MB of results; as a rowid table, 61 MB, written 5% faster).
	// PostgreSQL's tables are heaps already.
	rebuild := `CREATE TABLE blob_results_rowid (
		blob        TEXT NOT NULL,
		lang        TEXT NOT NULL,
		fingerprint TEXT NOT NULL,
		result      BLOB NOT NULL,
		PRIMARY KEY (blob, lang, fingerprint)
	);
	INSERT INTO blob_results_rowid (blob, lang, fingerprint, result) SELECT blob, lang, fingerprint, result FROM blob_results;
	DROP TABLE blob_results;
	ALTER TABLE blob_results_rowid RENAME TO blob_results;`
	if d == Postgres {
		rebuild = `SELECT 1`
	}
	return append(steps, rebuild)
}

// Migrate brings the analyzer's tables and those of schemas to their
// current version. Several processes may call it at once: each schema's
// version is read and bumped inside one transaction that holds SQLite's
// write lock (an immediate transaction) or, in PostgreSQL, an advisory
// lock, so that concurrent first runs apply each step once.
func Migrate(ctx context.Context, db *sql.DB, schemas ...Schema) error {
	for _, sc := range append([]Schema{tables{}}, schemas...) {
		if err := migrate(ctx, db, sc); err != nil {
			return fmt.Errorf("%s: %w", sc.Component(), err)
		}
	}
	return nil
}

func migrate(ctx context.Context, db *sql.DB, sc Schema) error {
	d := DialectOf(db)
	steps := sc.Migrations(d)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(migrationLock)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)`); err != nil {
		return err
	}
	var version int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_versions WHERE component = ?`, sc.Component()).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	switch {
	case version > len(steps):
		return fmt.Errorf("schema version %d is newer than this flagscan knows (%d): upgrade flagscan", version, len(steps))
	case version == len(steps):
		return nil
	}
	for ; version < len(steps); version++ {
		if _, err := tx.ExecContext(ctx, steps[version]); err != nil {
			return fmt.Errorf("migration %d: %w", version+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_versions (component, version) VALUES (?, ?)
		ON CONFLICT (component) DO UPDATE SET version = excluded.version`, sc.Component(), version); err != nil {
		return err
	}
	return tx.Commit()
}

// now is the timestamp format of the store's text columns.
func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
