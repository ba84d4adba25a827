package scanner

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/source"
)

// memCache is a Cache in memory that counts its hits.
type memCache struct {
	mu   sync.Mutex
	m    map[CacheKey]FileResult
	hits int
}

func (c *memCache) Get(_ context.Context, blob, lang string) (FileResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fr, ok := c.m[CacheKey{Blob: blob, Lang: lang}]
	if ok {
		c.hits++
	}
	return fr, ok
}

func (c *memCache) Put(_ context.Context, results map[CacheKey]FileResult) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, fr := range results {
		c.m[k] = fr
	}
	return nil
}

func TestBlobIDIsGits(t *testing.T) {
	// git hash-object of "hello\n" and of the empty file.
	for content, want := range map[string]string{"hello\n": "ce013625030ba8dba906f756967f9e9ca394464a", "": "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"} {
		if got := BlobID([]byte(content)); got != want {
			t.Errorf("BlobID(%q) = %s, want %s", content, got, want)
		}
	}
}

func TestScanWithCache(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.ts":  "export function f(v) { return v.getFlag(\"key-a\").getValue(1); }\n",
		"b.go":  "package b\n\nfunc f(v *V) { v.GetFlag(\"key-b\") }\n",
		"c.js":  "function plain() { return 1; }\n", // the prefilter rules it out: not looked up
		"d.py":  "def f(v):\n    return v.get_flag(\"key-d\", 0)\n",
		"e.txt": "getFlag(\"not read\")\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	engine, err := NewEngine(rules.New(true, nil, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	src, err := source.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := New(engine, Options{}).Scan(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	cache := &memCache{m: map[CacheKey]FileResult{}}
	sc := New(engine, Options{Cache: cache})
	first, err := sc.Scan(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if cache.hits != 0 || len(cache.m) != 3 {
		t.Fatalf("first scan: %d hits, %d results cached; want 0 and the 3 files the prefilter lets through", cache.hits, len(cache.m))
	}
	if _, ok := cache.m[CacheKey{Blob: BlobID([]byte(files["a.ts"])), Lang: "typescript"}]; !ok {
		t.Errorf("a.ts not cached by its git blob id: %v", cache.m)
	}
	second, err := sc.Scan(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if cache.hits != 3 {
		t.Errorf("second scan: %d hits, want 3", cache.hits)
	}
	for _, r := range []*Result{first, second} {
		if !reflect.DeepEqual(r.References, plain.References) || !reflect.DeepEqual(r.Unresolved, plain.Unresolved) || r.Stats.Files != plain.Stats.Files || r.Stats.Parsed != plain.Stats.Parsed {
			t.Errorf("with the cache: %+v\nwithout: %+v", r, plain)
		}
	}

	// What the cache holds for a blob is what the scan reports for a file
	// with that content, under its own path.
	planted := FileResult{References: []Reference{{FlagKey: "from-cache", Line: 1, Column: 1, Language: "typescript", Rule: "test"}}, Parsed: true}
	cache.m[CacheKey{Blob: BlobID([]byte(files["a.ts"])), Lang: "typescript"}] = planted
	third, err := sc.Scan(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(third.References) == 0 || third.References[0].FlagKey != "from-cache" || third.References[0].Path != "a.ts" {
		t.Errorf("planted result not used: %+v", third.References)
	}
}
