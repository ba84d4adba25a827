package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// The conformance suite: one behaviour, two stores. Each test runs on a
// new SQLite file and on a new PostgreSQL schema (storetest.Each); the
// analyzer's, the emitter's and the hooks' own tests run on both too, with
// FLAGSCAN_TEST_STORE=postgres (see .ci/run).

func openStore(t *testing.T, target string) *sql.DB {
	t.Helper()
	db, err := store.Open(context.Background(), target, outbox.Schema{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestConformanceMigrateConcurrently: eight first runs migrate a new store
// at once; every one succeeds and each step is applied once.
func TestConformanceMigrateConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(ctx, target, outbox.Schema{})
				if err == nil {
					err = db.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("open %d: %v", i, err)
			}
		}
		db := openStore(t, target)
		d := store.DialectOf(db)
		rows, err := db.Query(`SELECT component, version FROM schema_versions ORDER BY component`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var c string
			var v int
			if err := rows.Scan(&c, &v); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprint(c, "=", v))
		}
		want := []string{fmt.Sprint("analyzer=", 4), fmt.Sprint("emitter.outbox=", len(outbox.Schema{}.Migrations(d)))}
		if !slices.Equal(got, want) {
			t.Errorf("schema versions %v, want %v", got, want)
		}
	})
}

// TestConformanceBlobCache stores and reads back more results than one
// statement can carry, twice (another process may have cached them first).
func TestConformanceBlobCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		db := openStore(t, target)
		ctx := context.Background()
		results := map[store.BlobKey][]byte{}
		var keys []store.BlobKey
		for i := 0; i < 1000; i++ {
			k := store.BlobKey{Blob: fmt.Sprintf("%040d", i), Lang: "go", Fingerprint: "fp"}
			keys = append(keys, k)
			if i%2 == 0 {
				results[k] = []byte(fmt.Sprint(i, "\x00\xff")) // bytes, not text
			}
		}
		for range 2 {
			if err := store.PutResults(ctx, db, results); err != nil {
				t.Fatal(err)
			}
		}
		got, err := store.Results(ctx, db, append(keys, store.BlobKey{Blob: keys[0].Blob, Lang: "go", Fingerprint: "other"}))
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
	})
}

// TestConformanceSnapshotRoundTrip: a snapshot reads back as saved, and
// the status lists it.
func TestConformanceSnapshotRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		db := openStore(t, target)
		ctx := context.Background()
		s := &store.Snapshot{Repo: "r", Branch: "main", Commit: "c1", Fingerprint: "fp",
			Files: map[string]string{"a.go": "b1", "dir/b.ts": "b2"},
			Keys:  map[string]map[string][]byte{"prod": {"k1": []byte(`[1]`), "k2": []byte(`[2]`)}, "dev": {"k1": []byte(`[3]`)}}}
		save(t, db, s)
		got, err := store.LoadSnapshot(ctx, db, "r", "main")
		if err != nil {
			t.Fatal(err)
		}
		if got.Commit != "c1" || got.Version != 1 || got.Fingerprint != "fp" || len(got.Files) != 2 || got.Files["dir/b.ts"] != "b2" ||
			string(got.Keys["prod"]["k2"]) != `[2]` || string(got.Keys["dev"]["k1"]) != `[3]` {
			t.Fatalf("snapshot %+v", got)
		}
		if none, err := store.LoadSnapshot(ctx, db, "r", "other"); none != nil || err != nil {
			t.Fatalf("missing branch: %+v, %v", none, err)
		}
		st, err := store.Statuses(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 1 || st[0].Branch != "main" || st[0].Keys["prod"] != 2 || st[0].Keys["dev"] != 1 {
			t.Errorf("status %+v", st)
		}
	})
}

// TestConformanceSnapshotIncremental: a snapshot saved over the one it
// replaces (Prev) writes only the rows that changed, and reads back as
// the same snapshot saved whole: files, keys and uses changed, added and
// removed, on one branch, the other branch untouched; saved over itself,
// it keeps every row.
func TestConformanceSnapshotIncremental(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		db := openStore(t, target)
		ctx := context.Background()
		save(t, db, firstSnapshot("main"))
		save(t, db, firstSnapshot("other"))
		prev, err := store.LoadSnapshot(ctx, db, "r", "main")
		if err != nil {
			t.Fatal(err)
		}
		next := &store.Snapshot{Repo: "r", Branch: "main", Commit: "c2", Fingerprint: "fp", Version: prev.Version, Prev: prev,
			Files: map[string]string{"a.go": "b1", "b.ts": "b2x", "d.ts": "b4"},
			Keys:  map[string]map[string][]byte{"prod": {"k1": []byte(`[1]`), "k3": []byte(`[6]`)}, "dev": {"k1": []byte(`[3x]`)}},
			Uses:  map[string]store.Use{"b.ts": use("b2x", `[4x]`), "d.ts": use("b4", `[7]`)}}
		save(t, db, next)
		got, err := store.LoadSnapshot(ctx, db, "r", "main")
		if err != nil {
			t.Fatal(err)
		}
		if got.Commit != "c2" || got.Version != 2 || got.UsesKept || !reflect.DeepEqual(got.Files, next.Files) || !reflect.DeepEqual(got.Keys, next.Keys) || !reflect.DeepEqual(got.Uses, next.Uses) {
			t.Errorf("saved over its predecessor, read back as\n%+v\nwant\n%+v", got, next)
		}
		other, err := store.LoadSnapshot(ctx, db, "r", "other")
		if err != nil {
			t.Fatal(err)
		}
		if want := firstSnapshot("other"); !reflect.DeepEqual(other.Files, want.Files) || !reflect.DeepEqual(other.Keys, want.Keys) || !reflect.DeepEqual(other.Uses, want.Uses) {
			t.Errorf("the other branch changed: %+v", other)
		}
		got.Prev = got
		save(t, db, got)
		again, err := store.LoadSnapshot(ctx, db, "r", "main")
		if err != nil {
			t.Fatal(err)
		}
		if again.Version != 3 || !reflect.DeepEqual(again.Files, next.Files) || !reflect.DeepEqual(again.Keys, next.Keys) || !reflect.DeepEqual(again.Uses, next.Uses) {
			t.Errorf("saved over itself, read back as %+v", again)
		}
	})
}

// TestConformanceSnapshotFrom: a new branch's snapshot saved from another
// branch's (From) reads back as the same snapshot saved whole, and leaves
// the other branch as it was; saved from a From that another push has
// moved since it was read, it is still exactly itself, not a copy of the
// stale rows nor of the new ones.
func TestConformanceSnapshotFrom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		db := openStore(t, target)
		ctx := context.Background()
		save(t, db, firstSnapshot("main"))
		from, err := store.LoadSnapshot(ctx, db, "r", "main")
		if err != nil {
			t.Fatal(err)
		}
		branch := func(name string) *store.Snapshot {
			return &store.Snapshot{Repo: "r", Branch: name, Commit: "c2", Fingerprint: "fp", UsesKept: true, From: from,
				Files: map[string]string{"a.go": "b1", "b.ts": "b2x", "d.ts": "b4"},
				Keys:  map[string]map[string][]byte{"prod": {"k1": []byte(`[1]`), "k3": []byte(`[6]`)}, "dev": {"k1": []byte(`[3]`)}},
				Uses:  map[string]store.Use{"b.ts": use("b2x", `[4x]`), "c.ts": use("b3", `[5]`)}}
		}
		check := func(name string) {
			t.Helper()
			got, err := store.LoadSnapshot(ctx, db, "r", name)
			if err != nil {
				t.Fatal(err)
			}
			want := branch(name)
			if got.Version != 1 || !got.UsesKept || !reflect.DeepEqual(got.Files, want.Files) || !reflect.DeepEqual(got.Keys, want.Keys) || !reflect.DeepEqual(got.Uses, want.Uses) {
				t.Errorf("%s read back as\n%+v\nwant\n%+v", name, got, want)
			}
		}
		save(t, db, branch("feature"))
		check("feature")
		// main moves on after from was read.
		moved := &store.Snapshot{Repo: "r", Branch: "main", Commit: "c3", Fingerprint: "fp", Version: from.Version, Prev: from, UsesKept: true,
			Files: map[string]string{"e.go": "b9"},
			Keys:  map[string]map[string][]byte{"prod": {"k9": []byte(`[9]`)}},
			Uses:  map[string]store.Use{"e.go": use("b9", `[9]`)}}
		save(t, db, moved)
		save(t, db, branch("late"))
		check("late")
		got, err := store.LoadSnapshot(ctx, db, "r", "main")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Files, moved.Files) || !reflect.DeepEqual(got.Keys, moved.Keys) || !reflect.DeepEqual(got.Uses, moved.Uses) {
			t.Errorf("main changed: %+v", got)
		}
	})
}

// use is a resolution of a use file, for the snapshot tests.
func use(blob, refs string) store.Use {
	return store.Use{Blob: blob, Fingerprint: "fp", Deps: []byte(`{}`), Refs: []byte(refs)}
}

// firstSnapshot is the snapshot the snapshot tests store first on branch:
// files, keys in two environments and uses.
func firstSnapshot(branch string) *store.Snapshot {
	return &store.Snapshot{Repo: "r", Branch: branch, Commit: "c1", Fingerprint: "fp", UsesKept: true,
		Files: map[string]string{"a.go": "b1", "b.ts": "b2", "c.ts": "b3"},
		Keys:  map[string]map[string][]byte{"prod": {"k1": []byte(`[1]`), "k2": []byte(`[2]`)}, "dev": {"k1": []byte(`[3]`)}},
		Uses:  map[string]store.Use{"b.ts": use("b2", `[4]`), "c.ts": use("b3", `[5]`)}}
}

func save(t *testing.T, db *sql.DB, s *store.Snapshot) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := store.SaveSnapshot(ctx, tx, s); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestConformanceSnapshotConflict: of writers, each on its own connection
// pool as processes on several machines would be, that read the same
// version, exactly one wins; the others get ErrConflict. Writers of other
// branches are not held back.
func TestConformanceSnapshotConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		ctx := context.Background()
		first := openStore(t, target)
		save(t, first, &store.Snapshot{Repo: "r", Branch: "main", Commit: "c1", Fingerprint: "fp",
			Files: map[string]string{"a.go": "b1"}, Keys: map[string]map[string][]byte{"default": {"k": []byte(`[]`)}}})
		for round := range 3 {
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := store.Open(ctx, target)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					branch, version := "main", int64(round+1)
					if i%3 == 2 { // a branch of its own, new
						branch, version = fmt.Sprint("b", round, i), 0
					}
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						errs[i] = err
						return
					}
					defer tx.Rollback()
					next := &store.Snapshot{Repo: "r", Branch: branch, Commit: fmt.Sprint("c", i+2), Fingerprint: "fp", Version: version,
						Files: map[string]string{fmt.Sprint("f", i): "b"}}
					if errs[i] = store.SaveSnapshot(ctx, tx, next); errs[i] == nil {
						errs[i] = tx.Commit()
					}
				}()
			}
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case i%3 == 2 && err != nil:
					t.Fatalf("round %d: the writer of a branch of its own: %v", round, err)
				case i%3 == 2:
				case err == nil:
					won++
				case !errors.Is(err, store.ErrConflict):
					t.Fatalf("round %d: unexpected error: %v", round, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d writers of main won, want exactly 1", round, won)
			}
			got, err := store.LoadSnapshot(ctx, first, "r", "main")
			if err != nil || got.Version != int64(round+2) || len(got.Files) != 1 {
				t.Fatalf("round %d: snapshot after the race: %+v, %v", round, got, err)
			}
		}
	})
}

// TestConformanceRangesJoin: ranges that meet are kept as one row,
// whatever the order they are added in.
func TestConformanceRangesJoin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		db := openStore(t, target)
		ctx := context.Background()
		for _, r := range []store.Range{{Lo: "c", Hi: "d"}, {Lo: "", Hi: "a"}, {Lo: "b", Hi: "c"}, {Lo: "a", Hi: "b"}, {Lo: "x", Hi: "y"}} {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.AddRanges(ctx, tx, "r", "main", []store.Range{r}); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		got, err := store.Ranges(ctx, db, "r", "main")
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(a, b store.Range) int { return strings.Compare(a.Lo, b.Lo) })
		if want := []store.Range{{Lo: "", Hi: "d"}, {Lo: "x", Hi: "y"}}; !slices.Equal(got, want) {
			t.Errorf("ranges %v, want %v", got, want)
		}
	})
}

// TestConformanceReadOnly: a read-only store reads, refuses every write,
// and says to run a command that writes when its tables are not there yet.
func TestConformanceReadOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		ctx := context.Background()
		if store.IsURL(target) {
			// A new schema has no tables; a SQLite file must exist.
			_, err := store.OpenReadOnly(ctx, target, outbox.Schema{})
			if !errors.Is(err, store.ErrEmpty) {
				t.Fatalf("read-only open of an empty store: %v", err)
			}
		}
		save(t, openStore(t, target), &store.Snapshot{Repo: "r", Branch: "main", Commit: "c1", Fingerprint: "fp"})
		ro, err := store.OpenReadOnly(ctx, target, outbox.Schema{})
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		if s, err := store.LoadSnapshot(ctx, ro, "r", "main"); err != nil || s.Commit != "c1" {
			t.Fatalf("read: %+v, %v", s, err)
		}
		if _, err := ro.ExecContext(ctx, `DELETE FROM snapshots`); err == nil {
			t.Fatal("a read-only store took a write")
		}
	})
}

// TestConformanceClaimsDisjoint: four workers, each with its own pool,
// claim 300 deliveries at once; each is claimed by exactly one, and a
// claim outlives no lease: once leases expire, another worker takes the
// deliveries over with the same event ids.
func TestConformanceClaimsDisjoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		ctx := context.Background()
		db := openStore(t, target)
		sub := emitter.Subscription{ID: "sub1", Description: "one", URL: "http://127.0.0.1:1/", Events: []string{event.FlagNew}}
		var evs []outbox.Event
		for i := range 300 {
			key := fmt.Sprint("k", i%50) // six events a key, claimed in order
			evs = append(evs, outbox.Event{ID: fmt.Sprintf("evt_%03d", i), Type: event.FlagNew, FlagKey: key, Body: []byte(`{}`)})
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := outbox.Enqueue(ctx, tx, []emitter.Subscription{sub}, evs); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		var (
			mu   sync.Mutex
			seen = map[string]string{}
			wg   sync.WaitGroup
		)
		now := time.Now()
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				own := openStore(t, target)
				owner := fmt.Sprint("w", w)
				for {
					cs, err := outbox.ClaimDue(ctx, own, owner, []string{sub.ID}, now, time.Minute, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(cs) == 0 {
						return
					}
					mu.Lock()
					for _, c := range cs {
						if prev, dup := seen[c.EventID]; dup {
							t.Errorf("%s claimed by %s and %s", c.EventID, prev, owner)
						}
						seen[c.EventID] = owner
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		// Only the first event of each key is due: the rest wait behind it.
		if len(seen) != 50 {
			t.Fatalf("%d claimed, want the 50 first events of their keys", len(seen))
		}
		later := now.Add(2 * time.Minute)
		cs, err := outbox.ClaimDue(ctx, db, "late", []string{sub.ID}, later, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 50 || cs[0].EventID != "evt_000" || cs[0].Attempt != 2 {
			t.Fatalf("take-over after the leases: %d claims, first %+v", len(cs), cs[0])
		}
	})
}
