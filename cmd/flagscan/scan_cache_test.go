package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"
)

// TestScanUsesBlobCache: a working-tree scan takes the results of files
// whose content a log (or push) has parsed from the store's blob cache,
// by git blob id, and --no-cache parses them again.
func TestScanUsesBlobCache(t *testing.T) {
	dir, _, _ := pushRepo(t)
	db := filepath.Join(t.TempDir(), "db")
	if code, _, errOut := flagscan(t, "", "log", "-C", dir, "--db", db, "--format", "json"); code != exitOK {
		t.Fatalf("log: exit %d: %s", code, errOut)
	}
	keys := func(args ...string) []string {
		t.Helper()
		code, out, errOut := flagscan(t, "", append([]string{"scan", "--format", "json", "--db", db}, args...)...)
		if code != exitOK {
			t.Fatalf("scan: exit %d: %s", code, errOut)
		}
		var got []string
		for _, r := range decodeResult(t, out).References {
			got = append(got, r.FlagKey)
		}
		return got
	}
	if got := keys(dir); !slices.Equal(got, []string{"checkout"}) {
		t.Fatalf("scan with the cache: %q", got)
	}
	// What the cache says is what the scan reports: plant another key.
	store, err := workspace.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	res, err := store.Exec(`UPDATE blob_results SET result = replace(result, '"checkout"', '"from-cache"')`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatal("log cached no result with the checkout key")
	}
	store.Close()
	if got := keys(dir); !slices.Equal(got, []string{"from-cache"}) {
		t.Errorf("scan did not take the cached result: %q", got)
	}
	if got := keys("--no-cache", dir); !slices.Equal(got, []string{"checkout"}) {
		t.Errorf("scan --no-cache: %q", got)
	}
}
