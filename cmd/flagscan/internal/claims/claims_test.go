package claims

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"
)

// TestClaims: of jobs racing for a repository, one gets it; nobody else
// does while it syncs nor, once it synced, within the fresh window; a
// claim whose job died expires; a failed sync leaves it to the next job.
func TestClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, target string) {
		ctx := context.Background()
		db, err := store.Open(ctx, target, Schema{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		now := time.Now()
		const lease, fresh = time.Hour, 30 * time.Minute
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			won []string
		)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				own, err := store.Open(ctx, target, Schema{})
				if err != nil {
					t.Error(err)
					return
				}
				defer own.Close()
				ok, err := Take(ctx, own, "acme/shop", fmt.Sprint("job", i), now, lease, fresh)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won = append(won, fmt.Sprint("job", i))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(won) != 1 {
			t.Fatalf("%d jobs claimed the repository: %v", len(won), won)
		}
		take := func(owner string, at time.Time) bool {
			t.Helper()
			ok, err := Take(ctx, db, "acme/shop", owner, at, lease, fresh)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if take("other", now.Add(time.Minute)) {
			t.Fatal("claimed while another job syncs it")
		}
		if err := Finish(ctx, db, "acme/shop", won[0], now.Add(2*time.Minute), true); err != nil {
			t.Fatal(err)
		}
		if take("other", now.Add(10*time.Minute)) {
			t.Fatal("claimed 8 minutes after it was synced, within the fresh window")
		}
		if !take("late", now.Add(40*time.Minute)) {
			t.Fatal("not claimable once the fresh window passed")
		}
		// The job dies: its lease expires and the next job takes over.
		if take("next", now.Add(80*time.Minute)) {
			t.Fatal("claimed while the lease holds")
		}
		if !take("next", now.Add(101*time.Minute)) {
			t.Fatal("a dead job's claim did not expire")
		}
		// A failed sync is no reason to wait.
		if err := Finish(ctx, db, "acme/shop", "next", now.Add(102*time.Minute), false); err != nil {
			t.Fatal(err)
		}
		if !take("retry", now.Add(103*time.Minute)) {
			t.Fatal("a repository whose sync failed is not claimable")
		}
	})
}
