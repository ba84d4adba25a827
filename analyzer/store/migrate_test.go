package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// analyzerUpTo is the analyzer's schema up to step n.
type analyzerUpTo int

func (analyzerUpTo) Component() string { return tables{}.Component() }

func (n analyzerUpTo) Migrations(d Dialect) []string { return tables{}.Migrations(d)[:n] }

// TestBlobCacheRebuiltWithRowids opens a SQLite store of schema version
// 3, whose blob cache was a WITHOUT ROWID table: the cache becomes a rowid
// table and keeps every result.
func TestBlobCacheRebuiltWithRowids(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	old, err := sql.Open("sqlite3", DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, old, analyzerUpTo(3)); err != nil {
		t.Fatal(err)
	}
	results := map[BlobKey][]byte{}
	var keys []BlobKey
	for i := range 300 {
		k := BlobKey{Blob: fmt.Sprintf("%040x", i), Lang: "go", Fingerprint: "fp"}
		keys = append(keys, k)
		results[k] = []byte(strings.Repeat(fmt.Sprint(i), 200))
	}
	if err := PutResults(ctx, old, results); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version int
	if err := db.QueryRow(`SELECT version FROM schema_versions WHERE component = 'analyzer'`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if want := len(tables{}.Migrations(SQLite)); version != want {
		t.Errorf("schema version %d, want %d", version, want)
	}
	var ddl string
	if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'blob_results'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ddl, "WITHOUT ROWID") {
		t.Errorf("blob_results is still a WITHOUT ROWID table:\n%s", ddl)
	}
	got, err := Results(ctx, db, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(results) {
		t.Fatalf("%d results after the rebuild, want %d", len(got), len(results))
	}
	for k, want := range results {
		if string(got[k]) != string(want) {
			t.Fatalf("result of %s changed in the rebuild", k.Blob)
		}
	}
	// New results are written as before, a known one once.
	if err := PutResults(ctx, db, map[BlobKey][]byte{keys[0]: []byte("other"), {Blob: "new", Lang: "go", Fingerprint: "fp"}: []byte("new")}); err != nil {
		t.Fatal(err)
	}
	got, err = Results(ctx, db, []BlobKey{keys[0], {Blob: "new", Lang: "go", Fingerprint: "fp"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(got[keys[0]]) != string(results[keys[0]]) || string(got[BlobKey{Blob: "new", Lang: "go", Fingerprint: "fp"}]) != "new" {
		t.Errorf("after the rebuild, writes give %q", got)
	}
}
