package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
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
			// ReadBlobs reads the same through git as with go-git,
			// the size limit included.
			ids := make([]Hash, len(blobs))
			for i, id := range blobs {
				ids[i] = ParseHash(id)
			}
			const limit = 1000
			for _, batch := range []bool{true, false} {
				repo.batch = batch
				for _, max := range []int64{0, limit} {
					err := repo.ReadBlobs(context.Background(), ids, max, func(i int, b Blob, err error) error {
						w := want[blobs[i]]
						switch {
						case err != nil:
							return fmt.Errorf("blob %s: %w", blobs[i], err)
						case b.Size != int64(len(w)):
							return fmt.Errorf("blob %s: size %d, want %d", blobs[i], b.Size, len(w))
						case max > 0 && b.Size > max:
							if !b.Oversize || b.Data != nil {
								return fmt.Errorf("blob %s over the limit: %+v", blobs[i], b)
							}
						case b.Oversize || !bytes.Equal(b.Data, w):
							return fmt.Errorf("blob %s: got %d bytes that differ from the %d git reads", blobs[i], len(b.Data), len(w))
						}
						return nil
					})
					if err != nil {
						t.Fatalf("ReadBlobs through git %v, limit %d: %v", batch, max, err)
					}
				}
			}
		})
	}
}

// TestReadBlobsFallsBack reads through git ids it does not give as blobs
// (a missing object, a tree) among others: each is what go-git makes of
// it, and the blobs after it are read.
func TestReadBlobsFallsBack(t *testing.T) {
	r := gittest.New(t)
	r.Commit("files", gittest.ManyFiles("src/f", 0, 20, func(i int) string { return strings.Repeat(fmt.Sprintf("line %d\n", i), i*10+1) }))
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if !repo.StreamsBlobs() {
		t.Skip("no git on the PATH")
	}
	var ids []Hash
	for line := range strings.Lines(r.Git("ls-tree", "-r", "-t", "HEAD")) {
		ids = append(ids, ParseHash(strings.Fields(line)[2]))
	}
	missing := ParseHash(strings.Repeat("ab", 20))
	ids = append(ids[:5:5], append([]Hash{missing}, ids[5:]...)...)
	const limit = 100
	var got int
	err = repo.ReadBlobs(context.Background(), ids, limit, func(i int, b Blob, err error) error {
		got++
		want, werr := readBlob(repo.r, ids[i], limit)
		if fmt.Sprint(err) != fmt.Sprint(werr) || !bytes.Equal(b.Data, want.Data) || b.Size != want.Size || b.Oversize != want.Oversize {
			t.Errorf("object %s: got %+v, %v; want %+v, %v", ids[i], b, err, want, werr)
		}
		return nil
	})
	if err != nil || got != len(ids) {
		t.Fatalf("read %d of %d objects: %v", got, len(ids), err)
	}
	// fn's error ends the read.
	errStop := errors.New("stop")
	got = 0
	err = repo.ReadBlobs(context.Background(), ids, 0, func(int, Blob, error) error {
		got++
		return errStop
	})
	if !errors.Is(err, errStop) || got != 1 {
		t.Fatalf("after an error of fn: %d calls, %v", got, err)
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

// TestNoLargeObjectThreshold: every object store is opened without
// go-git's LargeObjectThreshold, whose streaming delta reader misreads
// deltified objects over it (storageOptions; TestReadEveryObject shows
// the misread itself).
func TestNoLargeObjectThreshold(t *testing.T) {
	if o := storageOptions(); o.LargeObjectThreshold != 0 {
		t.Fatalf("LargeObjectThreshold = %d, want 0 (unset)", o.LargeObjectThreshold)
	}
}
