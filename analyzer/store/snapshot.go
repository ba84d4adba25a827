package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Querier is what reads need: a *sql.DB or a *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// BlobKey identifies a cached scan result: the same blob yields different
// references under another language or other rules.
type BlobKey struct {
	Blob        string
	Lang        string
	Fingerprint string
}

// Results returns the cached results of the keys that are cached.
func Results(ctx context.Context, q Querier, keys []BlobKey) (map[BlobKey][]byte, error) {
	out := make(map[BlobKey][]byte, len(keys))
	// Batches keep each statement under SQLite's variable limit.
	const batch = 300
	for start := 0; start < len(keys); start += batch {
		part := keys[start:min(start+batch, len(keys))]
		var (
			sb   strings.Builder
			args []any
		)
		sb.WriteString(`SELECT blob, lang, fingerprint, result FROM blob_results WHERE (blob, lang, fingerprint) IN (VALUES `)
		for i, k := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?)")
			args = append(args, k.Blob, k.Lang, k.Fingerprint)
		}
		sb.WriteByte(')')
		rows, err := q.QueryContext(ctx, sb.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("read blob cache: %w", err)
		}
		for rows.Next() {
			var (
				k BlobKey
				r []byte
			)
			if err := rows.Scan(&k.Blob, &k.Lang, &k.Fingerprint, &r); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read blob cache: %w", err)
			}
			out[k] = r
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("read blob cache: %w", err)
		}
	}
	return out, nil
}

// PutResults caches scan results. Results are a pure function of their
// key, so a row another process wrote first is as good as ours.
func PutResults(ctx context.Context, db *sql.DB, results map[BlobKey][]byte) error {
	if len(results) == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write blob cache: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO blob_results (blob, lang, fingerprint, result) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return fmt.Errorf("write blob cache: %w", err)
	}
	defer stmt.Close()
	// In key order: two PostgreSQL transactions inserting the same keys in
	// different orders would each wait for the other's.
	keys := slices.SortedFunc(maps.Keys(results), func(a, b BlobKey) int {
		return cmp.Or(cmp.Compare(a.Blob, b.Blob), cmp.Compare(a.Lang, b.Lang), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	for _, k := range keys {
		if _, err := stmt.ExecContext(ctx, k.Blob, k.Lang, k.Fingerprint, results[k]); err != nil {
			return fmt.Errorf("write blob cache: %w", err)
		}
	}
	return tx.Commit()
}

// Snapshot is the analyzed state of one branch of one repository.
type Snapshot struct {
	Repo   string
	Branch string
	Commit string // the commit the snapshot describes
	// What was reported is not the snapshot's business: see Ranges.
	Fingerprint string // the rules fingerprint it was computed with
	// Version counts the writes of this snapshot; a writer that read
	// version v may only replace it if it is still v.
	Version   int64
	UpdatedAt string
	// Files maps the path of each file holding references to its blob.
	Files map[string]string
	// Keys maps environment id to flag key to the key's references, as the
	// analyzer encoded them.
	Keys map[string]map[string][]byte
}

// ErrConflict is returned by SaveSnapshot when another process replaced
// the snapshot since it was read.
var ErrConflict = errors.New("snapshot changed since it was read")

// LoadSnapshot returns the snapshot of a branch, or nil if there is none.
func LoadSnapshot(ctx context.Context, q Querier, repo, branch string) (*Snapshot, error) {
	s := &Snapshot{Repo: repo, Branch: branch, Files: map[string]string{}, Keys: map[string]map[string][]byte{}}
	err := q.QueryRowContext(ctx, `SELECT commit_sha, fingerprint, version, updated_at FROM snapshots WHERE repo = ? AND branch = ?`, repo, branch).
		Scan(&s.Commit, &s.Fingerprint, &s.Version, &s.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot of %s %s: %w", repo, branch, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT path, blob FROM snapshot_files WHERE repo = ? AND branch = ?`, repo, branch)
	if err != nil {
		return nil, fmt.Errorf("read snapshot files of %s %s: %w", repo, branch, err)
	}
	for rows.Next() {
		var p, b string
		if err := rows.Scan(&p, &b); err != nil {
			rows.Close()
			return nil, err
		}
		s.Files[p] = b
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT env, key, refs FROM snapshot_keys WHERE repo = ? AND branch = ?`, repo, branch)
	if err != nil {
		return nil, fmt.Errorf("read snapshot keys of %s %s: %w", repo, branch, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			env, key string
			refs     []byte
		)
		if err := rows.Scan(&env, &key, &refs); err != nil {
			return nil, err
		}
		if s.Keys[env] == nil {
			s.Keys[env] = map[string][]byte{}
		}
		s.Keys[env][key] = refs
	}
	return s, rows.Err()
}

// SaveSnapshot replaces a branch's snapshot inside tx, provided its stored
// version is still s.Version (0 when there was none): otherwise it returns
// ErrConflict and the caller analyzes again from the newer snapshot. On
// success s.Version is the new version.
func SaveSnapshot(ctx context.Context, tx *sql.Tx, s *Snapshot) error {
	// The write itself checks the version: a SELECT first would let two
	// PostgreSQL transactions both read it and both write. Here the second
	// waits for the first's row lock, then matches no row.
	updated := now()
	var (
		res sql.Result
		err error
	)
	if s.Version == 0 {
		res, err = tx.ExecContext(ctx, `INSERT INTO snapshots (repo, branch, commit_sha, origin, fingerprint, version, updated_at) VALUES (?, ?, ?, '', ?, 1, ?)
			ON CONFLICT (repo, branch) DO NOTHING`,
			s.Repo, s.Branch, s.Commit, s.Fingerprint, updated)
	} else {
		res, err = tx.ExecContext(ctx, `UPDATE snapshots SET commit_sha = ?, fingerprint = ?, version = version + 1, updated_at = ?
			WHERE repo = ? AND branch = ? AND version = ?`,
			s.Commit, s.Fingerprint, updated, s.Repo, s.Branch, s.Version)
	}
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	} else if n == 0 {
		return ErrConflict
	}
	s.Version++
	s.UpdatedAt = updated
	for _, table := range []string{"snapshot_files", "snapshot_keys"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE repo = ? AND branch = ?`, s.Repo, s.Branch); err != nil {
			return fmt.Errorf("write snapshot: %w", err)
		}
	}
	files, err := tx.PrepareContext(ctx, `INSERT INTO snapshot_files (repo, branch, path, blob) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer files.Close()
	for p, b := range s.Files {
		if _, err := files.ExecContext(ctx, s.Repo, s.Branch, p, b); err != nil {
			return fmt.Errorf("write snapshot file %s: %w", p, err)
		}
	}
	keys, err := tx.PrepareContext(ctx, `INSERT INTO snapshot_keys (repo, branch, env, key, refs) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer keys.Close()
	for env, ks := range s.Keys {
		for k, refs := range ks {
			if _, err := keys.ExecContext(ctx, s.Repo, s.Branch, env, k, refs); err != nil {
				return fmt.Errorf("write snapshot key %s: %w", k, err)
			}
		}
	}
	return nil
}

// BranchStatus is a line of `flagscan status`.
type BranchStatus struct {
	Repo, Branch, Commit, UpdatedAt string
	Keys                            map[string]int // per environment
}

// Statuses lists every stored snapshot.
func Statuses(ctx context.Context, q Querier) ([]BranchStatus, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.repo, s.branch, s.commit_sha, s.updated_at, k.env, count(k.key)
		FROM snapshots s LEFT JOIN snapshot_keys k ON k.repo = s.repo AND k.branch = s.branch
		GROUP BY s.repo, s.branch, k.env ORDER BY s.repo, s.branch, k.env`)
	if err != nil {
		return nil, fmt.Errorf("read snapshots: %w", err)
	}
	defer rows.Close()
	var out []BranchStatus
	for rows.Next() {
		var (
			st  BranchStatus
			env sql.NullString
			n   int
		)
		if err := rows.Scan(&st.Repo, &st.Branch, &st.Commit, &st.UpdatedAt, &env, &n); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Repo != st.Repo || out[len(out)-1].Branch != st.Branch {
			st.Keys = map[string]int{}
			out = append(out, st)
		}
		if env.Valid {
			out[len(out)-1].Keys[env.String] = n
		}
	}
	return out, rows.Err()
}

// SnapshotHead is where a stored snapshot stands, without its files.
type SnapshotHead struct {
	Branch, Commit, Fingerprint string
}

// SnapshotHeads lists the snapshots stored for a repository.
func SnapshotHeads(ctx context.Context, q Querier, repo string) ([]SnapshotHead, error) {
	rows, err := q.QueryContext(ctx, `SELECT branch, commit_sha, fingerprint FROM snapshots WHERE repo = ? ORDER BY branch`, repo)
	if err != nil {
		return nil, fmt.Errorf("read snapshots of %s: %w", repo, err)
	}
	defer rows.Close()
	var out []SnapshotHead
	for rows.Next() {
		var h SnapshotHead
		if err := rows.Scan(&h.Branch, &h.Commit, &h.Fingerprint); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
