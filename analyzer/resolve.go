package analyzer

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/git"
	"github.com/flagscan/flagscan/scanner/source"
	"github.com/sourcegraph/conc"
)

// resolver gives the references of blobs: from the store's blob cache, or
// by scanning the blobs the cache does not have and caching the results.
type resolver struct {
	a *Analyzer
	// memo keeps the results of this process, so that a blob seen in
	// several commits of one run is neither looked up nor decoded twice.
	memo map[store.BlobKey]scanner.FileResult
	// errors are the files that could not be read or parsed, reported
	// once per blob.
	errors []scanner.FileError
	// stats count the work done, for benchmarks and the summary:
	// resolved counts the use files resolved (names.go).
	scanned, cached, resolved int
	// nameCache serves the resolution of names across files; nil until
	// a file has names to resolve.
	nameCache *nameCache
	// versions keeps the trees of the files the run parsed last: the
	// next version of a file a history changes is parsed from its last.
	versions *scanner.Versions
	// writer caches the results of scan; nil until there are some.
	writer *cacheWriter
}

// A cacheWriter writes scan results to the blob cache, in batches, on a
// goroutine of its own that lives as long as the run: the workers parse
// on while SQLite writes a batch, and a window of a long history need
// not wait for its last batch to be written before the next is parsed.
// Written by the worker that filled it, with the others waiting for the
// lock, the batches had cost a log of 10,000 commits a quarter of its
// time; waited for at the end of each window, another sixth.
type cacheWriter struct {
	batches chan map[store.BlobKey][]byte
	done    chan error // the first error, once batches is closed and drained
}

// cacheWriter returns the run's cache writer, starting it.
func (r *resolver) cacheWriter(ctx context.Context) *cacheWriter {
	if r.writer == nil {
		w := &cacheWriter{batches: make(chan map[store.BlobKey][]byte, 1), done: make(chan error, 1)}
		go func() {
			var first error
			for b := range w.batches {
				if first != nil {
					continue
				}
				if err := store.PutResults(ctx, r.a.db, b); err != nil {
					first = fmt.Errorf("scan changed files: %w", err)
				}
			}
			w.done <- first
		}()
		r.writer = w
	}
	return r.writer
}

// flush waits for the results handed to the cache writer to be written,
// and returns the first error writing them.
func (r *resolver) flush() error {
	if r.writer == nil {
		return nil
	}
	close(r.writer.batches)
	err := <-r.writer.done
	r.writer = nil
	return err
}

// keptVersions bounds the source of the files whose trees a run keeps
// for their next versions: a few thousand files of ordinary size, some
// 20 to 60 MB of trees, beside a heap bounded at 256 MiB.
const keptVersions = 2 << 20

func newResolver(a *Analyzer) *resolver {
	return &resolver{a: a, memo: map[store.BlobKey]scanner.FileResult{}, versions: scanner.NewVersions(keptVersions)}
}

func (r *resolver) key(path, blob string) store.BlobKey {
	return store.BlobKey{Blob: blob, Lang: scanner.LanguageOf(path), Fingerprint: r.a.fingerprint}
}

// wanted reports whether a path can hold references at all.
func (r *resolver) wanted(path string) bool {
	f := r.a.scanner.Filter()
	return f.Want(path) && (f.Skip == nil || !f.Skip(path, false))
}

// load makes the references of the entries' blobs known to refs: from
// this run's memo, else the blob cache (in batches), else by scanning them
// (in parallel) and caching the results.
func (r *resolver) load(ctx context.Context, entries []source.Entry) error {
	var missing []store.BlobKey
	seen := map[store.BlobKey]bool{}
	for _, e := range entries {
		k := r.key(e.Path, e.Blob)
		if _, ok := r.memo[k]; !ok && !seen[k] {
			seen[k] = true
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		cached, err := store.Results(ctx, r.a.db, missing)
		if err != nil {
			return err
		}
		for k, fr := range decodeResults(cached) {
			r.memo[k] = fr
			r.cached++
		}
	}
	var scan []source.Entry
	clear(seen)
	for _, e := range entries {
		k := r.key(e.Path, e.Blob)
		if _, ok := r.memo[k]; !ok && !seen[k] {
			seen[k] = true
			scan = append(scan, e)
		}
	}
	if len(scan) == 0 {
		return nil
	}
	return r.scan(ctx, scan)
}

// forget drops the results this run has loaded: what has been applied to
// a state needs them no more, and a blob met again is looked up again.
func (r *resolver) forget() {
	r.memo = map[store.BlobKey]scanner.FileResult{}
}

// refs returns the references of a loaded blob found at path.
func (r *resolver) refs(path, blob string) fileRefs {
	fr := r.memo[r.key(path, blob)]
	refs := make([]scanner.Reference, len(fr.References))
	for i, ref := range fr.References {
		ref.Path = path
		refs[i] = ref
	}
	unparsed := false
	for _, e := range fr.Errors {
		unparsed = unparsed || e.Kind == "parse"
	}
	return fileRefs{blob: blob, refs: refs, names: fr.Names, unparsed: unparsed}
}

// scan scans blobs and caches what they yield. A file that cannot be
// parsed yields no references and is reported. A blob that cannot be read
// is an error: taken for a file without references, it would turn its
// keys into Flag.deleted events and shrink the snapshot, when the next
// run, with the object fetched or the disk repaired, could read it.
func (r *resolver) scan(ctx context.Context, entries []source.Entry) error {
	var (
		mu         sync.Mutex
		results    = map[store.BlobKey][]byte{}
		unreadable []string
	)
	ids := make([]git.Hash, len(entries))
	for i, e := range entries {
		ids[i] = git.ParseHash(e.Blob)
	}
	if err := r.a.repo.Prefetch(ctx, ids); err != nil {
		return fmt.Errorf("scan changed files: %w", err)
	}
	// Started before the workers, which hand it their batches.
	w := r.cacheWriter(ctx)
	err := r.a.scanner.WithVersions(r.versions).Each(ctx, source.Blobs(r.a.repo, entries), func(f source.File, fr scanner.FileResult) {
		// The blob id, not the path: one path has other blobs in other
		// commits of the same run.
		k := r.key(f.Path, f.BlobID)
		raw, err := json.Marshal(fr)
		var full map[store.BlobKey][]byte
		mu.Lock()
		for _, e := range fr.Errors {
			if e.Kind == "read" || e.Kind == "tree" {
				unreadable = append(unreadable, fmt.Sprintf("%s (blob %s): %s", f.Path, f.BlobID, e.Error))
			}
		}
		r.memo[k] = fr
		r.scanned++
		r.errors = append(r.errors, fr.Errors...)
		if err == nil && fr.Cacheable() {
			results[k] = raw
		}
		if len(results) >= flushResults {
			full, results = results, map[store.BlobKey][]byte{}
		}
		mu.Unlock()
		if full != nil {
			w.batches <- full
		}
	})
	if err == nil && len(results) > 0 {
		w.batches <- results
	}
	if err != nil {
		return fmt.Errorf("scan changed files: %w", err)
	}
	if len(unreadable) > 0 {
		sort.Strings(unreadable)
		return &UnreadableError{Files: unreadable}
	}
	return nil
}

// UnreadableError is the error of an analysis that met objects it could
// not read: nothing is stored and nothing emitted, so that a later run
// can try again.
type UnreadableError struct {
	Files []string // path (blob id): why, sorted
}

func (e *UnreadableError) Error() string {
	more := ""
	if n := len(e.Files); n > 1 {
		more = fmt.Sprintf(" and %d more", n-1)
	}
	return fmt.Sprintf("unreadable git objects: %s%s; nothing was stored or emitted, the branch stays at its last snapshot: repair or fetch the objects (a partial clone needs its promisor remote) and run again", e.Files[0], more)
}

// flushResults is how many scan results are cached in one transaction.
const flushResults = 2000

// decodeResults decodes cached scan results, leaving out the rows that do
// not decode (a cache miss). Hundreds of them (the use files of a changed
// constants module) are decoded on every core: decoding is most of what
// reading them costs a push.
func decodeResults(cached map[store.BlobKey][]byte) map[store.BlobKey]scanner.FileResult {
	keys := slices.Collect(maps.Keys(cached))
	results := make([]scanner.FileResult, len(keys))
	ok := make([]bool, len(keys))
	decode := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ok[i] = json.Unmarshal(cached[keys[i]], &results[i]) == nil
		}
	}
	if workers := min(runtime.GOMAXPROCS(0), len(keys)/64); workers > 1 {
		var wg conc.WaitGroup
		per := (len(keys) + workers - 1) / workers
		for lo := 0; lo < len(keys); lo += per {
			wg.Go(func() { decode(lo, min(lo+per, len(keys))) })
		}
		wg.Wait()
	} else {
		decode(0, len(keys))
	}
	out := make(map[store.BlobKey]scanner.FileResult, len(keys))
	for i, k := range keys {
		if ok[i] {
			out[k] = results[i]
		}
	}
	return out
}
