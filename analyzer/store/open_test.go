package store

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOpenFreshStoreFromConcurrentProcesses: 8 processes open a store that
// does not exist yet at once, as 8 hooks of a first push do; every one of
// them opens and migrates it (creating it switches it to WAL, which
// returns SQLITE_BUSY without calling the busy handler).
func TestOpenFreshStoreFromConcurrentProcesses(t *testing.T) {
	if os.Getenv("FLAGSCAN_TEST_OPEN") != "" {
		return // a child: see TestOpenChild
	}
	trials := 5
	if testing.Short() {
		trials = 2
	}
	for trial := 0; trial < trials; trial++ {
		path := filepath.Join(t.TempDir(), "fresh.db")
		cmds := make([]*exec.Cmd, 8)
		outs := make([]strings.Builder, len(cmds))
		for i := range cmds {
			cmds[i] = exec.Command(os.Args[0], "-test.run=^TestOpenChild$")
			cmds[i].Env = append(os.Environ(), "FLAGSCAN_TEST_OPEN="+path)
			cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
			if err := cmds[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Errorf("trial %d, process %d: %v\n%s", trial, i, err, outs[i].String())
			}
		}
	}
}

// TestOpenChild is one process of TestOpenFreshStoreFromConcurrentProcesses.
func TestOpenChild(t *testing.T) {
	path := os.Getenv("FLAGSCAN_TEST_OPEN")
	if path == "" {
		t.Skip("run by TestOpenFreshStoreFromConcurrentProcesses")
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := PutResults(context.Background(), db, map[BlobKey][]byte{{Blob: path, Lang: "js", Fingerprint: "f"}: []byte("[]")}); err != nil {
		t.Fatal(err)
	}
}

// TestOpenPathWithURICharacters: a --db path with the characters a URI
// gives meaning to (?, #, %) or starting with // opens that very file,
// with the store's settings, not another file without them.
func TestOpenPathWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a?b.db", "c#d.db", "e%41f.db", "g%.db", "h&_busy_timeout=0.db", "sp ace.db"} {
		path := filepath.Join(dir, name)
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var timeout int
		var mode string
		if err := db.QueryRow(`PRAGMA busy_timeout`).Scan(&timeout); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if timeout != int(busyTimeout.Milliseconds()) || mode != "wal" {
			t.Errorf("%s: busy_timeout %d, journal_mode %s", name, timeout, mode)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(strings.TrimSuffix(e.Name(), "-wal"), "-shm")
		if !slices.Contains([]string{"a?b.db", "c#d.db", "e%41f.db", "g%.db", "h&_busy_timeout=0.db", "sp ace.db"}, name) {
			t.Errorf("another file was created: %q", e.Name())
		}
	}
	// A path starting with // is a path, not a URI authority.
	if strings.HasPrefix(dir, "/") {
		db, err := Open(context.Background(), "/"+filepath.Join(dir, "slashes.db"))
		if err != nil {
			t.Fatalf("//...: %v", err)
		}
		db.Close()
		if _, err := os.Stat(filepath.Join(dir, "slashes.db")); err != nil {
			t.Error(err)
		}
	}
}
