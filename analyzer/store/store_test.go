package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// open returns the path of a new database and a function opening a
// connection pool to it, closed when the test ends.
func open(t *testing.T) (string, func() *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.db")
	return path, func() *sql.DB {
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
}

// TestBlobCacheBatches stores and reads back more results than one
// statement can carry.
func TestBlobCacheBatches(t *testing.T) {
	_, openDB := open(t)
	db := openDB()
	ctx := context.Background()
	results := map[BlobKey][]byte{}
	var keys []BlobKey
	for i := 0; i < 1000; i++ {
		k := BlobKey{Blob: fmt.Sprintf("%040d", i), Lang: "go", Fingerprint: "fp"}
		keys = append(keys, k)
		if i%2 == 0 {
			results[k] = []byte(fmt.Sprint(i))
		}
	}
	if err := PutResults(ctx, db, results); err != nil {
		t.Fatal(err)
	}
	// Writing the same rows again is not an error: another process may
	// have cached them first.
	if err := PutResults(ctx, db, results); err != nil {
		t.Fatal(err)
	}
	got, err := Results(ctx, db, append(keys, BlobKey{Blob: keys[0].Blob, Lang: "go", Fingerprint: "other"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 500 {
		t.Fatalf("got %d cached results, want 500", len(got))
	}
	for k, v := range results {
		if string(got[k]) != string(v) {
			t.Fatalf("%v: got %q, want %q", k, got[k], v)
		}
	}
}

// TestSaveSnapshotConflict: of two writers that read the same version,
// exactly one wins; the other gets ErrConflict.
func TestSaveSnapshotConflict(t *testing.T) {
	path, openDB := open(t)
	ctx := context.Background()
	first := openDB()
	s := &Snapshot{Repo: "r", Branch: "main", Commit: "c1", Fingerprint: "fp", Files: map[string]string{"a.go": "b1"},
		Keys: map[string]map[string][]byte{"default": {"k": []byte(`[]`)}}}
	tx, _ := first.BeginTx(ctx, nil)
	if err := SaveSnapshot(ctx, tx, s); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(ctx, path)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			next := &Snapshot{Repo: "r", Branch: "main", Commit: fmt.Sprint("c", i+2), Fingerprint: "fp", Version: 1}
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				errs[i] = err
				return
			}
			defer tx.Rollback()
			if errs[i] = SaveSnapshot(ctx, tx, next); errs[i] == nil {
				errs[i] = tx.Commit()
			}
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrConflict):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers won, want exactly 1", won)
	}
	got, err := LoadSnapshot(ctx, first, "r", "main")
	if err != nil || got.Version != 2 || len(got.Files) != 0 {
		t.Fatalf("snapshot after the race: %+v, %v", got, err)
	}
}

// TestOpenSaysWhyAStoreCannotBeMade: SQLite reports a store it cannot
// create as a missing file; the error says where it cannot be made.
func TestOpenSaysWhyAStoreCannotBeMade(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), filepath.Join(file, "flagscan.db"))
	if err == nil || !strings.Contains(err.Error(), "the store cannot be made in "+file) {
		t.Fatalf("err = %v", err)
	}
}
