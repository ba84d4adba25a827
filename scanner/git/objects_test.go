package git

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// bigHistory makes a repository with trees and a file over 64 KiB that
// are deltas read out of order (see gittest.CrossedDeltas).
func bigHistory(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	gittest.CrossedDeltas(r, func(i int) string { return fmt.Sprintf("export const s%d = flags.isEnabled('key-%d');\n", i, i) }, nil)
	return r
}

// grow adds n files to big/ and changes large.js again.
func grow(t *testing.T, r *gittest.Repo, first, n int) {
	t.Helper()
	files := gittest.ManyFiles("big/e_", first, n, func(i int) string { return fmt.Sprintf("isEnabled('key-%d')\n", i) })
	files["large.js"] = strings.Repeat(fmt.Sprintf("flags.isEnabled('grown-%d');\n", first), 3000)
	r.Commit(fmt.Sprintf("%d more files from %d", n, first), files)
}

// TestReadEveryObject reads every tree and blob of repositories packed the
// ways servers, clones and maintenance pack them, and compares them with
// what git reads.
func TestReadEveryObject(t *testing.T) {
	src := bigHistory(t)
	fetched := gittest.CloneBare(t, src.Dir)
	// big/ grows to under 64 KiB, then over: its last tree is a delta on
	// a delta, as in the packs of real histories.
	for i := range 2 {
		grow(t, src, 5000+i*150, 150)
	}
	gittest.FetchKeepingPack(t, fetched)

	shapes := map[string]string{
		"loose":        src.Dir,
		"fetched pack": fetched,
	}
	repack := func(name string, args ...string) {
		dir := gittest.CloneBare(t, fetched)
		gittest.Run(t, dir, args...)
		shapes[name] = dir
	}
	repack("gc --aggressive", "gc", "-q", "--aggressive")
	repack("repack -adf", "repack", "-q", "-adf")
	midx := gittest.CloneBare(t, src.Dir)
	gittest.Run(t, midx, "-c", "fetch.unpackLimit=1", "fetch", "-q", fetched, "+refs/heads/*:refs/heads/*")
	gittest.Run(t, midx, "repack", "-q", "-d", "--write-midx")
	shapes["multi-pack index"] = midx
	shared := filepath.Join(t.TempDir(), "shared.git")
	gittest.Run(t, fetched, "clone", "-q", "--bare", "--shared", fetched, shared)
	shapes["alternates"] = shared

	for name, dir := range shapes {
		t.Run(name, func(t *testing.T) {
			repo, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			objects := listObjects(t, dir)
			var blobs []string
			var bigTree bool
			for id, typ := range objects {
				switch typ {
				case "tree":
					want := gittest.Output(t, dir, "ls-tree", "--full-tree", id)
					entries, err := repo.Tree(ParseHash(id))
					if err != nil {
						t.Fatalf("tree %s: %v", id, err)
					}
					if got := lsTree(entries); got != want {
						t.Errorf("tree %s: got\n%.300s\nwant\n%.300s", id, got, want)
					}
					if len(want) > 64<<10 {
						bigTree = true
					}
				case "blob":
					blobs = append(blobs, id)
				}
			}
			if !bigTree {
				t.Fatal("no tree over 64 KiB: the test does not test what it says")
			}
			want := catBlobs(t, dir, blobs)
			pool := repo.NewBlobPool()
			for _, id := range blobs {
				for _, read := range []func(Hash, int64) (Blob, error){repo.ReadBlob, pool.ReadBlob} {
					b, err := read(ParseHash(id), 0)
					if err != nil {
						t.Fatalf("blob %s: %v", id, err)
					}
					if !bytes.Equal(b.Data, want[id]) || b.Size != int64(len(want[id])) {
						t.Fatalf("blob %s: got %d bytes (size %d) that differ from the %d git reads", id, len(b.Data), b.Size, len(want[id]))
					}
					// The size check: a blob over the limit is not read.
					if n := int64(len(want[id])); n > 1 {
						b, err := read(ParseHash(id), n-1)
						if err != nil || !b.Oversize || b.Data != nil || b.Size != n {
							t.Fatalf("blob %s over the limit: %+v, %v", id, b, err)
						}
					}
				}
			}
		})
	}
}

// listObjects returns the id and type of every object git has in dir.
func listObjects(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := gittest.Output(t, dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
	objects := map[string]string{}
	for line := range strings.Lines(out) {
		id, typ, _ := strings.Cut(strings.TrimSpace(line), " ")
		objects[id] = typ
	}
	return objects
}

// lsTree prints entries as git ls-tree does.
func lsTree(entries []TreeEntry) string {
	var b strings.Builder
	for _, e := range entries {
		typ := "blob"
		switch e.mode {
		case 0o040000:
			typ = "tree"
		case 0o160000:
			typ = "commit"
		}
		fmt.Fprintf(&b, "%06o %s %s\t%s\n", uint32(e.mode), typ, e.ID, e.Name)
	}
	return b.String()
}

// catBlobs reads blobs with one git cat-file --batch.
func catBlobs(t *testing.T, dir string, ids []string) map[string][]byte {
	t.Helper()
	cmd := gittest.Options{}.Command(dir, "git", "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	rd := bufio.NewReader(stdout)
	for range ids {
		header, err := rd.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(header)
		n, err := strconv.Atoi(f[2])
		if err != nil {
			t.Fatalf("cat-file: %q", header)
		}
		data := make([]byte, n+1)
		if _, err := io.ReadFull(rd, data); err != nil {
			t.Fatal(err)
		}
		out[f[0]] = data[:n]
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return out
}
