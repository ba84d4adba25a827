package scanner

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"sync"

	"github.com/flagscan/flagscan/scanner/source"
)

// Cache holds what files yield, by the id git gives their content and by
// language, for one scanner fingerprint (Scanner.Fingerprint): the blob
// cache that pushes fill. A scan with a cache asks it about every file the
// prefilter lets through, working-tree files hashed as git hashes blobs,
// and gives it what it had to parse. Its methods are called from the
// scan's workers at once.
type Cache interface {
	// Get returns the result cached for a blob of a language.
	Get(ctx context.Context, blob, lang string) (FileResult, bool)
	// Put caches results, at the end of a scan.
	Put(ctx context.Context, results map[CacheKey]FileResult) error
}

// CacheKey names a result in a Cache.
type CacheKey struct {
	Blob, Lang string
}

// BlobID returns the id git gives a blob of this content.
func BlobID(content []byte) string {
	h := sha1.New()
	h.Write([]byte("blob " + strconv.Itoa(len(content)) + "\x00"))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// cacheRun is the use one walk makes of the cache: the results it parsed,
// to put at the end.
type cacheRun struct {
	c   Cache
	mu  sync.Mutex
	new map[CacheKey]FileResult
}

// detect returns the file's result from the cache, else detects and
// records it. Only files the prefilter lets through are looked up: ruling
// the others out costs less than a look-up.
func (r *cacheRun) detect(ctx context.Context, s *Scanner, d *Detector, f source.File, content []byte) FileResult {
	lang := LanguageOf(f.Path)
	if r == nil || !s.engine.rules.MayMatch(lang, content) {
		return s.Detect(ctx, d, f.Path, content)
	}
	blob := f.BlobID
	if blob == "" {
		blob = BlobID(content)
	}
	if fr, ok := r.c.Get(ctx, blob, lang); ok {
		return fr
	}
	fr := s.Detect(ctx, d, f.Path, content)
	if fr.Cacheable() {
		r.mu.Lock()
		r.new[CacheKey{Blob: blob, Lang: lang}] = fr
		r.mu.Unlock()
	}
	return fr
}

// Cacheable reports whether a result may be cached: a file that could not
// be read or parsed is tried again next time. Invalid UTF-8 is a property
// of the content, scanned as it is, so its result stands.
func (fr FileResult) Cacheable() bool {
	for _, e := range fr.Errors {
		if e.Kind != "encoding" {
			return false
		}
	}
	return true
}
