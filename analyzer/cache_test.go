package analyzer

import (
	"context"
	"reflect"
	"testing"

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
