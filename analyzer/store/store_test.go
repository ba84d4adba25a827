package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
