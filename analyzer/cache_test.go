package analyzer

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"
	"github.com/flagscan/flagscan/scanner"
)

func TestBlobCacheRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	def := "false"
	fr := scanner.FileResult{References: []scanner.Reference{{FlagKey: "k", Path: "a.ts", Line: 2, Column: 3, Language: "typescript", Rule: "flagship.getFlag", Code: "getFlag(\"k\")", DefaultValue: &def, Type: "boolean"}}, Parsed: true, Bytes: 40}
	c := BlobCache(db, "fp1")
	if err := c.Put(ctx, map[scanner.CacheKey]scanner.FileResult{{Blob: "b1", Lang: "typescript"}: fr}); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get(ctx, "b1", "typescript")
	if !ok || !reflect.DeepEqual(got, fr) {
		t.Fatalf("Get = %+v, %v; want %+v", got, ok, fr)
	}
	// Another language, or another fingerprint, is another result.
	if _, ok := c.Get(ctx, "b1", "javascript"); ok {
		t.Error("hit for another language")
	}
	if _, ok := BlobCache(db, "fp2").Get(ctx, "b1", "typescript"); ok {
		t.Error("hit for another fingerprint")
	}
}

// TestCacheWriteFailureFailsTheRun makes every write to the blob cache
// fail: a log and a push end with the error, written after their
// parses, and the push stores nothing, so that it reports its events
// once the cache can be written again.
func TestCacheWriteFailureFailsTheRun(t *testing.T) {
	r := newTestRepo(t)
	h := newHarness(t, r)
	c0 := r.Commit("base", map[string]string{"a.js": flagJS("one", "two")})
	c1 := r.Commit("change", map[string]string{"a.js": flagJS("one", "three"), "b.js": flagJS("four")})

	failing := []string{`CREATE TRIGGER cache_full BEFORE INSERT ON blob_results BEGIN SELECT RAISE(ABORT, 'cache is full'); END`}
	healed := []string{`DROP TRIGGER cache_full`}
	if store.DialectOf(h.db) == store.Postgres {
		failing = []string{
			`CREATE FUNCTION cache_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'cache is full'; END $$`,
			`CREATE TRIGGER cache_full BEFORE INSERT ON blob_results FOR EACH ROW EXECUTE FUNCTION cache_full()`,
		}
		healed = []string{`DROP TRIGGER cache_full ON blob_results`, `DROP FUNCTION cache_full()`}
	}
	for _, q := range failing {
		if _, err := h.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}

	ctx := context.Background()
	err := h.analyzer().Log(ctx, "main", "", c1, func(event.Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "cache is full") {
		t.Errorf("log with a failing blob cache: %v, want the cache's error", err)
	}
	_, err = h.analyzer().Push(ctx, Update{Old: c0, New: c1, Ref: "refs/heads/main"}, h.sink)
	if err == nil || !strings.Contains(err.Error(), "cache is full") {
		t.Errorf("push with a failing blob cache: %v, want the cache's error", err)
	}

	for _, q := range healed {
		if _, err := h.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out, err := h.analyzer().Push(ctx, Update{Old: c0, New: c1, Ref: "refs/heads/main"}, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "the push again", describeEvents(out.Events), []string{"Flag.deleted two", "Flag.new four", "Flag.new three"})
}
