package analyzer

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/source"
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
	// stats count the work done, for benchmarks and the summary.
	scanned, cached int
}

func newResolver(a *Analyzer) *resolver {
	return &resolver{a: a, memo: map[store.BlobKey]scanner.FileResult{}}
}

func (r *resolver) key(path, blob string) store.BlobKey {
	return store.BlobKey{Blob: blob, Lang: scanner.LanguageOf(path), Fingerprint: r.a.fingerprint}
}

// wanted reports whether a path can hold references at all.
func (r *resolver) wanted(path string) bool {
	f := r.a.scanner.Filter()
	return f.Want(path) && (f.Skip == nil || !f.Skip(path, false))
}

// resolve returns the references of each entry, by path.
func (r *resolver) resolve(ctx context.Context, entries []source.Entry) (map[string]fileRefs, error) {
	var missing []store.BlobKey
	for _, e := range entries {
		k := r.key(e.Path, e.Blob)
		if _, ok := r.memo[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		cached, err := store.Results(ctx, r.a.db, missing)
		if err != nil {
			return nil, err
		}
		for k, raw := range cached {
			var fr scanner.FileResult
			if err := json.Unmarshal(raw, &fr); err != nil {
				continue // an unreadable row is a cache miss
			}
			r.memo[k] = fr
			r.cached++
		}
	}
	var scan []source.Entry
	seen := map[store.BlobKey]bool{}
	for _, e := range entries {
		k := r.key(e.Path, e.Blob)
		if _, ok := r.memo[k]; !ok && !seen[k] {
			seen[k] = true
			scan = append(scan, e)
		}
	}
	if len(scan) > 0 {
		if err := r.scan(ctx, scan); err != nil {
			return nil, err
		}
	}
	out := make(map[string]fileRefs, len(entries))
	for _, e := range entries {
		fr := r.memo[r.key(e.Path, e.Blob)]
		refs := make([]scanner.Reference, len(fr.References))
		for i, ref := range fr.References {
			ref.Path = e.Path
			refs[i] = ref
		}
		out[e.Path] = fileRefs{blob: e.Blob, refs: refs}
	}
	return out, nil
}

// scan scans blobs and caches what they yield. A file that cannot be read
// or parsed yields no references and is reported.
func (r *resolver) scan(ctx context.Context, entries []source.Entry) error {
	var (
		mu      sync.Mutex
		results = map[store.BlobKey][]byte{}
	)
	blobOf := make(map[string]string, len(entries))
	for _, e := range entries {
		blobOf[e.Path] = e.Blob
	}
	err := r.a.scanner.Each(ctx, source.Blobs(r.a.repo, entries), func(f source.File, fr scanner.FileResult) {
		k := r.key(f.Path, blobOf[f.Path])
		raw, err := json.Marshal(fr)
		mu.Lock()
		defer mu.Unlock()
		r.memo[k] = fr
		r.scanned++
		r.errors = append(r.errors, fr.Errors...)
		if err == nil && cacheable(fr) {
			results[k] = raw
		}
	})
	if err != nil {
		return fmt.Errorf("scan changed files: %w", err)
	}
	return store.PutResults(ctx, r.a.db, results)
}

// cacheable reports whether a result may be cached: a file that could not
// be read or parsed is tried again next time. Invalid UTF-8 is a property
// of the blob, scanned as it is, so its result stands.
func cacheable(fr scanner.FileResult) bool {
	for _, e := range fr.Errors {
		if e.Kind != "encoding" {
			return false
		}
	}
	return true
}
