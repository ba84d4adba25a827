package scanner

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagscan/flagscan/scanner/git/gittest"
	"github.com/flagscan/flagscan/scanner/resolve"
	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/source"
)

// scanTree scans the files (path to content) as a plain directory.
func scanTree(t *testing.T, files map[string]string) *Result {
	t.Helper()
	dir := t.TempDir()
	gittest.WriteFiles(t, dir, files)
	engine, err := NewEngine(rules.New(true, nil, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	src, err := source.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := New(engine, Options{}).Scan(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestNameDepth: a chain of re-exports resolves up to the depth limit and
// not past it, and a long chain ends, unresolved.
func TestNameDepth(t *testing.T) {
	chain := func(n int) map[string]string {
		files := map[string]string{"m0.ts": "export const K = 'deep-key';\n"}
		for i := 1; i <= n; i++ {
			files[fmt.Sprintf("m%d.ts", i)] = fmt.Sprintf("export { K } from './m%d';\n", i-1)
		}
		files["use.ts"] = fmt.Sprintf("import { K } from './m%d';\nvisitor.getFlag(K, false);\n", n)
		return files
	}
	if res := scanTree(t, chain(8)); len(res.References) != 1 || res.References[0].FlagKey != "deep-key" || res.References[0].Via.Path != "m0.ts" {
		t.Errorf("chain of 8: references %+v, unresolved %+v; want deep-key via m0.ts", res.References, res.Unresolved)
	}
	res := scanTree(t, chain(3*resolve.MaxDepth))
	if len(res.References) != 0 || len(res.Unresolved) != 1 || res.Unresolved[0].Name != "K" {
		t.Errorf("chain past the limit: references %+v, unresolved %+v; want K unresolved", res.References, res.Unresolved)
	}
}

// TestNameScale: a repository exporting 100,000 names through a barrel
// resolves each use exactly, within the scan's memory bound.
func TestNameScale(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 100,000 exported names")
	}
	const modules, perModule = 100, 1000
	files := map[string]string{}
	var barrel, imports, uses strings.Builder
	for m := 0; m < modules; m++ {
		var b strings.Builder
		for k := 0; k < perModule; k++ {
			fmt.Fprintf(&b, "export const K_%d_%d = 'key-%d-%d';\n", m, k, m, k)
		}
		files[fmt.Sprintf("flags/m%d.ts", m)] = b.String()
		fmt.Fprintf(&barrel, "export * from './m%d';\n", m)
	}
	files["flags/index.ts"] = barrel.String()
	want := map[string]bool{}
	for i := 0; i < 50; i++ {
		m, k := (i*37)%modules, (i*211)%perModule
		fmt.Fprintf(&imports, "import { K_%d_%d } from './flags';\n", m, k)
		fmt.Fprintf(&uses, "visitor.getFlag(K_%d_%d, false);\n", m, k)
		want[fmt.Sprintf("key-%d-%d", m, k)] = true
	}
	files["app.ts"] = imports.String() + uses.String()

	stop := heapPeak()
	start := time.Now()
	res := scanTree(t, files)
	elapsed := time.Since(start)
	maxHeap := stop()
	if len(res.Unresolved) != 0 || len(res.References) != len(want) {
		t.Fatalf("%d references, %d unresolved; want %d references", len(res.References), len(res.Unresolved), len(want))
	}
	for _, r := range res.References {
		if !want[r.FlagKey] {
			t.Errorf("unexpected key %s", r.FlagKey)
		}
	}
	t.Logf("100,000 exported names: %v, heap peak %d MB (sampled)", elapsed, maxHeap>>20)
	if maxHeap > 300<<20 {
		t.Errorf("heap peaked at %d MB, over the scan's 300 MB bound", maxHeap>>20)
	}
}

// heapPeak samples the heap in use until stop is called, which returns
// the largest sample.
func heapPeak() func() uint64 {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}
