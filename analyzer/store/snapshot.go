package store

import (
	"bytes"
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
	want := make(map[BlobKey]bool, len(keys))
	// By fingerprint, then blob: a lookup of the primary key's first
	// column, where a row-value IN list of the three columns made SQLite
	// scan the whole cache once per batch.
	blobs := map[string][]string{} // fingerprint -> blobs
	for _, k := range keys {
		if !want[k] {
			want[k] = true
			blobs[k.Fingerprint] = append(blobs[k.Fingerprint], k.Blob)
		}
	}
	// Batches keep each statement under SQLite's variable limit.
	const batch = 500
	for fp, ids := range blobs {
		slices.Sort(ids)
		ids = slices.Compact(ids)
		for start := 0; start < len(ids); start += batch {
			part := ids[start:min(start+batch, len(ids))]
			args := make([]any, 0, len(part)+1)
			args = append(args, fp)
			for _, id := range part {
				args = append(args, id)
			}
			query := `SELECT blob, lang, result FROM blob_results WHERE fingerprint = ? AND blob IN (?` + strings.Repeat(",?", len(part)-1) + `)`
			rows, err := q.QueryContext(ctx, query, args...)
			if err != nil {
				return nil, fmt.Errorf("read blob cache: %w", err)
			}
			for rows.Next() {
				k := BlobKey{Fingerprint: fp}
				var r []byte
				if err := rows.Scan(&k.Blob, &k.Lang, &r); err != nil {
					rows.Close()
					return nil, fmt.Errorf("read blob cache: %w", err)
				}
				if want[k] {
					out[k] = r
				}
			}
			if err := rows.Close(); err != nil {
				return nil, fmt.Errorf("read blob cache: %w", err)
			}
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
	// Uses maps the path of each file whose keys are names defined in
	// other files to what its resolution at Commit gave; a file missing
	// from it (a snapshot stored by an older flagscan) is resolved again.
	Uses map[string]Use
	// UsesKept says that Uses holds every such file of the snapshot: the
	// other files of Files are not, and their references are those Keys
	// hold. False for a snapshot stored by an older flagscan.
	UsesKept bool
	// Prev, when set, is the snapshot this one replaces as LoadSnapshot
	// read it, which SaveSnapshot's version check makes sure is what is
	// stored: only the rows that differ from it are written (a push
	// changes a few of thousands). Prev == the snapshot itself keeps
	// every row.
	Prev *Snapshot
	// From, for a snapshot stored for the first time (Version 0), is the
	// stored snapshot of another branch of the repository it started
	// from, as LoadSnapshot read it: its rows are copied within the
	// database, and only those that differ are written (a new branch's
	// first push changes a few of thousands).
	From *Snapshot
}

// Use is the resolution of one file's names at a snapshot's commit.
type Use struct {
	Blob string // the file's blob
	// Fingerprint is the rules fingerprint it was resolved with: a use
	// resolved with other rules is no use, as a blob result would be.
	Fingerprint string
	Deps        []byte // what the resolution looked at, as the analyzer encoded it
	Refs        []byte // the file's references, resolved, as the analyzer encoded them
}

// ErrConflict is returned by SaveSnapshot when another process replaced
// the snapshot since it was read.
var ErrConflict = errors.New("snapshot changed since it was read")

// LoadSnapshot returns the snapshot of a branch, or nil if there is none.
func LoadSnapshot(ctx context.Context, q Querier, repo, branch string) (*Snapshot, error) {
	s := &Snapshot{Repo: repo, Branch: branch, Files: map[string]string{}, Keys: map[string]map[string][]byte{}, Uses: map[string]Use{}}
	var kept int
	err := q.QueryRowContext(ctx, `SELECT commit_sha, fingerprint, version, updated_at, uses_kept FROM snapshots WHERE repo = ? AND branch = ?`, repo, branch).
		Scan(&s.Commit, &s.Fingerprint, &s.Version, &s.UpdatedAt, &kept)
	s.UsesKept = kept != 0
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
	for rows.Next() {
		var (
			env, key string
			refs     []byte
		)
		if err := rows.Scan(&env, &key, &refs); err != nil {
			rows.Close()
			return nil, err
		}
		if s.Keys[env] == nil {
			s.Keys[env] = map[string][]byte{}
		}
		s.Keys[env][key] = refs
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read snapshot keys of %s %s: %w", repo, branch, err)
	}
	if err := loadUses(ctx, q, s); err != nil {
		return nil, fmt.Errorf("read snapshot uses of %s %s: %w", repo, branch, err)
	}
	return s, nil
}

// loadUses reads the resolved use files of the snapshot s.
func loadUses(ctx context.Context, q Querier, s *Snapshot) error {
	rows, err := q.QueryContext(ctx, `SELECT path, blob, fingerprint, deps, refs FROM snapshot_uses WHERE repo = ? AND branch = ?`, s.Repo, s.Branch)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			p string
			u Use
		)
		if err := rows.Scan(&p, &u.Blob, &u.Fingerprint, &u.Deps, &u.Refs); err != nil {
			return err
		}
		s.Uses[p] = u
	}
	return rows.Err()
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
		res  sql.Result
		err  error
		kept = 0
	)
	if s.UsesKept {
		kept = 1
	}
	if s.Version == 0 {
		res, err = tx.ExecContext(ctx, `INSERT INTO snapshots (repo, branch, commit_sha, origin, fingerprint, version, updated_at, uses_kept) VALUES (?, ?, ?, '', ?, 1, ?, ?)
			ON CONFLICT (repo, branch) DO NOTHING`,
			s.Repo, s.Branch, s.Commit, s.Fingerprint, updated, kept)
	} else {
		res, err = tx.ExecContext(ctx, `UPDATE snapshots SET commit_sha = ?, fingerprint = ?, version = version + 1, updated_at = ?, uses_kept = ?
			WHERE repo = ? AND branch = ? AND version = ?`,
			s.Commit, s.Fingerprint, updated, kept, s.Repo, s.Branch, s.Version)
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
	prev := s.Prev
	if prev == nil {
		// Every row, written again.
		prev = &Snapshot{}
		for _, t := range snapshotTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.name+` WHERE repo = ? AND branch = ?`, s.Repo, s.Branch); err != nil {
				return fmt.Errorf("write snapshot: %w", err)
			}
		}
	}
	if prev == s {
		return nil // the rows stay
	}
	if s.Prev == nil && s.From != nil && s.From.Repo == s.Repo && s.From.Branch != s.Branch && s.From.Version > 0 {
		copied, err := copyRows(ctx, tx, s.From, s.Branch)
		if err != nil {
			return err
		}
		if copied {
			prev = s.From
		}
	}
	files := newRows(ctx, tx, s, filesTable)
	for p, b := range s.Files {
		if old, ok := prev.Files[p]; !ok || old != b {
			files.put([]any{p}, b)
		}
	}
	for p := range prev.Files {
		if _, ok := s.Files[p]; !ok {
			files.delete(p)
		}
	}
	keys := newRows(ctx, tx, s, keysTable)
	for env, ks := range s.Keys {
		for k, refs := range ks {
			if old, ok := prev.Keys[env][k]; !ok || !bytes.Equal(old, refs) {
				keys.put([]any{env, k}, refs)
			}
		}
	}
	for env, ks := range prev.Keys {
		for k := range ks {
			if _, ok := s.Keys[env][k]; !ok {
				keys.delete(env, k)
			}
		}
	}
	uses := newRows(ctx, tx, s, usesTable)
	for p, u := range s.Uses {
		if old, ok := prev.Uses[p]; !ok || !old.equal(u) {
			uses.put([]any{p}, u.Blob, u.Fingerprint, u.Deps, u.Refs)
		}
	}
	for p := range prev.Uses {
		if _, ok := s.Uses[p]; !ok {
			uses.delete(p)
		}
	}
	for _, r := range []*rowWriter{files, keys, uses} {
		if err := r.close(); err != nil {
			return err
		}
	}
	return nil
}

func (u Use) equal(v Use) bool {
	return u.Blob == v.Blob && u.Fingerprint == v.Fingerprint && bytes.Equal(u.Deps, v.Deps) && bytes.Equal(u.Refs, v.Refs)
}

// rowWriter writes the rows of one table of a snapshot, each named by the
// snapshot's repository and branch and its key columns, with statements
// prepared on first use. The first error is kept, and close returns it.
type rowWriter struct {
	ctx            context.Context
	tx             *sql.Tx
	s              *Snapshot
	t              snapshotTable
	upsert, remove *sql.Stmt
	err            error
}

// snapshotTables are the tables of a snapshot's rows and their columns
// past repo and branch.
var snapshotTables = []snapshotTable{filesTable, keysTable, usesTable}

// snapshotTable is a table of a snapshot's rows: its primary key past
// repo and branch, and its other columns.
type snapshotTable struct {
	name         string
	keys, values []string
}

var (
	filesTable = snapshotTable{"snapshot_files", []string{"path"}, []string{"blob"}}
	keysTable  = snapshotTable{"snapshot_keys", []string{"env", "key"}, []string{"refs"}}
	usesTable  = snapshotTable{"snapshot_uses", []string{"path"}, []string{"blob", "fingerprint", "deps", "refs"}}
)

func (t snapshotTable) cols() []string { return append(slices.Clone(t.keys), t.values...) }

// copyRows copies the rows of from, a stored snapshot, to branch, and
// reports whether they are from's: each copy takes the rows only if the
// snapshot is still at from's version, in one statement, which sees one
// committed state (a write of a snapshot moves its version and its rows
// at once), and counts them. When a table's rows are not from's (another
// push moved it since it was read), none is kept.
func copyRows(ctx context.Context, tx *sql.Tx, from *Snapshot, branch string) (bool, error) {
	want := []int{len(from.Files), 0, len(from.Uses)}
	for _, ks := range from.Keys {
		want[1] += len(ks)
	}
	for i, t := range snapshotTables {
		res, err := tx.ExecContext(ctx, `INSERT INTO `+t.name+` (repo, branch, `+strings.Join(t.cols(), ", ")+`)
			SELECT r.repo, ?, r.`+strings.Join(t.cols(), ", r.")+` FROM `+t.name+` r
			JOIN snapshots s ON s.repo = r.repo AND s.branch = r.branch
			WHERE r.repo = ? AND r.branch = ? AND s.version = ?`, branch, from.Repo, from.Branch, from.Version)
		if err != nil {
			return false, fmt.Errorf("write snapshot: copy %s: %w", t.name, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return false, fmt.Errorf("write snapshot: copy %s: %w", t.name, err)
		}
		if int(n) != want[i] {
			for _, t := range snapshotTables {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.name+` WHERE repo = ? AND branch = ?`, from.Repo, branch); err != nil {
					return false, fmt.Errorf("write snapshot: %w", err)
				}
			}
			return false, nil
		}
	}
	return true, nil
}

func newRows(ctx context.Context, tx *sql.Tx, s *Snapshot, t snapshotTable) *rowWriter {
	return &rowWriter{ctx: ctx, tx: tx, s: s, t: t}
}

// put writes the row of key with values, replacing the stored one.
func (r *rowWriter) put(key []any, values ...any) {
	if r.err != nil {
		return
	}
	if r.upsert == nil {
		cols := append([]string{"repo", "branch"}, r.t.cols()...)
		set := make([]string, len(r.t.values))
		for i, v := range r.t.values {
			set[i] = v + " = excluded." + v
		}
		q := `INSERT INTO ` + r.t.name + ` (` + strings.Join(cols, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)
			ON CONFLICT (repo, branch, ` + strings.Join(r.t.keys, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
		if r.upsert, r.err = r.tx.PrepareContext(r.ctx, q); r.err != nil {
			r.err = fmt.Errorf("write %s: %w", r.t.name, r.err)
			return
		}
	}
	args := append([]any{r.s.Repo, r.s.Branch}, append(key, values...)...)
	if _, err := r.upsert.ExecContext(r.ctx, args...); err != nil {
		r.err = fmt.Errorf("write %s %v: %w", r.t.name, key, err)
	}
}

// delete removes the row of key.
func (r *rowWriter) delete(key ...any) {
	if r.err != nil {
		return
	}
	if r.remove == nil {
		where := make([]string, len(r.t.keys))
		for i, k := range r.t.keys {
			where[i] = k + " = ?"
		}
		q := `DELETE FROM ` + r.t.name + ` WHERE repo = ? AND branch = ? AND ` + strings.Join(where, " AND ")
		if r.remove, r.err = r.tx.PrepareContext(r.ctx, q); r.err != nil {
			r.err = fmt.Errorf("write %s: %w", r.t.name, r.err)
			return
		}
	}
	if _, err := r.remove.ExecContext(r.ctx, append([]any{r.s.Repo, r.s.Branch}, key...)...); err != nil {
		r.err = fmt.Errorf("delete %s %v: %w", r.t.name, key, err)
	}
}

// close closes the statements and returns the first error.
func (r *rowWriter) close() error {
	for _, st := range []*sql.Stmt{r.upsert, r.remove} {
		if st != nil {
			st.Close()
		}
	}
	return r.err
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
