package holds

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/analyzer/store/storetest"
)

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, Schema{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestToken(t *testing.T) {
	const a, b = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
	tok := Token("/srv/r.git", a, b, "refs/heads/main")
	if !strings.HasPrefix(tok, "push:") || len(tok) != len("push:")+64 {
		t.Errorf("token %q", tok)
	}
	if Token("/srv/r.git", a, b, "refs/heads/main") != tok {
		t.Error("the same update gives another token")
	}
	for _, other := range []string{
		Token("/srv/fork.git", a, b, "refs/heads/main"), // same commits, another repository
		Token("/srv/r.git", a, b, "refs/heads/dev"),
		Token("/srv/r.git", b, a, "refs/heads/main"),
	} {
		if other == tok {
			t.Errorf("distinct updates share the token %s", tok)
		}
	}
}

func TestSaveListDelete(t *testing.T) {
	ctx := context.Background()
	path := storetest.Target(t)
	// Several processes migrate at once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, path, Schema{})
			if err != nil {
				t.Error(err)
				return
			}
			db.Close()
		}()
	}
	wg.Wait()
	db := openDB(t, path) // migrates once more

	t0 := time.UnixMilli(time.Now().UnixMilli())
	h1 := Hold{Token: "push:1", GitDir: "/srv/r.git", Repository: "r", WebURL: "https://git.example/r",
		Old: "o1", New: "n1", Ref: "refs/heads/main", ActorID: "ada", ActorEmail: "ada@example.com", Created: t0}
	h2 := Hold{Token: "push:2", GitDir: "/srv/r.git", Repository: "r", Old: "o2", New: "n2", Ref: "refs/heads/dev", Created: t0.Add(time.Second)}
	save := func(hs ...Hold) {
		t.Helper()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, h := range hs {
			if err := Save(ctx, tx, h); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	save(h2, h1)
	got, err := List(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Hold{h1, h2}; !reflect.DeepEqual(got, want) {
		t.Errorf("List:\n got %+v\nwant %+v", got, want)
	}

	// The same update pushed again: the hold's age restarts.
	again := h1
	again.Created = t0.Add(time.Minute)
	save(again)
	got, _ = List(ctx, db)
	if len(got) != 2 || got[1].Token != "push:1" || !got[1].Created.Equal(again.Created) {
		t.Errorf("after saving push:1 again: %+v", got)
	}

	if err := Delete(ctx, db, "push:1"); err != nil {
		t.Fatal(err)
	}
	if err := Delete(ctx, db, "push:unknown"); err != nil {
		t.Fatal(err)
	}
	got, _ = List(ctx, db)
	if len(got) != 1 || got[0].Token != "push:2" {
		t.Errorf("after Delete: %+v", got)
	}

	tx, _ := db.BeginTx(ctx, nil)
	defer tx.Rollback()
	if err := Save(ctx, tx, Hold{Token: "push:3"}); err == nil {
		t.Error("Save of a hold without its update: no error")
	}
}
