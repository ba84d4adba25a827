package analyzer

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
)

// blobCache is the store's blob cache seen as a scanner.Cache.
type blobCache struct {
	db          *sql.DB
	fingerprint string
}

// BlobCache returns the store's blob cache, which pushes, logs and syncs
// fill, for a scan outside an analyzer (a working-tree scan) whose scanner
// has the given fingerprint: a file whose content a push has parsed is not
// parsed again.
func BlobCache(db *sql.DB, fingerprint string) scanner.Cache {
	return &blobCache{db: db, fingerprint: fingerprint}
}

// Get returns a cached result. A result the store cannot give or decode
// is a miss: the file is parsed.
func (c *blobCache) Get(ctx context.Context, blob, lang string) (scanner.FileResult, bool) {
	k := store.BlobKey{Blob: blob, Lang: lang, Fingerprint: c.fingerprint}
	rows, err := store.Results(ctx, c.db, []store.BlobKey{k})
	if err != nil {
		return scanner.FileResult{}, false
	}
	raw, ok := rows[k]
	if !ok {
		return scanner.FileResult{}, false
	}
	var fr scanner.FileResult
	if err := json.Unmarshal(raw, &fr); err != nil {
		return scanner.FileResult{}, false
	}
	return fr, true
}

// Put caches results.
func (c *blobCache) Put(ctx context.Context, results map[scanner.CacheKey]scanner.FileResult) error {
	rows := make(map[store.BlobKey][]byte, len(results))
	for k, fr := range results {
		raw, err := json.Marshal(fr)
		if err != nil {
			continue // not cached; parsed again next time
		}
		rows[store.BlobKey{Blob: k.Blob, Lang: k.Lang, Fingerprint: c.fingerprint}] = raw
	}
	return store.PutResults(ctx, c.db, rows)
}
