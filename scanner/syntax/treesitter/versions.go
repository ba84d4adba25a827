package treesitter

import (
	"bytes"
	"sync"

	sitter "github.com/smacker/go-tree-sitter"
)

// Versions keeps the last tree parsed of each file of a run, by path, so
// that the next version of the file is parsed from it: tree-sitter then
// reads again only what the edits between the versions touched. A history
// changes most files a little at a time; in a log of 10,000 commits a
// whole parse of each changed file was most of the work.
//
// A tree is reused only where tree-sitter gives what a parse of the file
// alone would: a whole-file parse (no blocks left out) from a tree
// without syntax errors, to a tree without syntax errors; a file with
// errors is parsed again alone. Versions is safe for concurrent use: a
// parser takes a file's tree out and puts the new one back.
type Versions struct {
	mu     sync.Mutex
	max    int // bytes of source kept, at most
	bytes  int
	files  map[string]*version
	order  []string // paths by when their tree was put, oldest first
	closed bool
	// met are the paths Reuses was asked about, up to maxMet of them.
	met map[string]bool
}

// maxMet bounds the paths a Versions remembers meeting: some megabytes.
const maxMet = 1 << 17

// Reuses reports whether the file at path is to be parsed whole: when a
// tree of its last version is kept, or when the run met it before (a
// history that changes a file twice changes it again). A file met for the
// first time, as in a scan or a push, is parsed with its cold blocks left
// out. A parse from the last tree reads again only what the edits
// touched, and costs about what a parse of the warm blocks alone does; a
// partial parse may need rounds, or not be trusted and cost a whole parse
// besides. Choosing by the share of a file that is warm (a whole parse
// from a quarter up) measured the same on flagship-ts-sdk's history and
// on bench/pushbench's stress log as this rule, which has no threshold to
// tune.
func (v *Versions) Reuses(path, lang string) bool {
	if v == nil || path == "" {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if old, ok := v.files[path]; ok && old.lang == lang {
		return true
	}
	if v.met[path] {
		return true
	}
	if len(v.met) < maxMet {
		v.met[path] = true
	}
	return false
}

type version struct {
	lang string
	src  []byte
	tree *sitter.Tree
}

// NewVersions returns a Versions that keeps the trees of files of up to
// maxBytes of source in all (their trees take some 10 to 30 times that).
// Close it when the run is over.
func NewVersions(maxBytes int) *Versions {
	return &Versions{max: maxBytes, files: map[string]*version{}, met: map[string]bool{}}
}

// take removes and returns the tree kept for path, nil if none.
func (v *Versions) take(path, lang string) *version {
	if v == nil || path == "" {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	old, ok := v.files[path]
	if !ok {
		return nil
	}
	delete(v.files, path)
	v.bytes -= len(old.src)
	if old.lang != lang {
		old.tree.Close()
		return nil
	}
	return old
}

// put keeps tree, parsed from src, as path's last version; it takes
// ownership of the tree. src is copied.
func (v *Versions) put(path, lang string, src []byte, tree *sitter.Tree) {
	if v == nil || path == "" || len(src) > v.max {
		tree.Close()
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		tree.Close()
		return
	}
	if old, ok := v.files[path]; ok {
		// Another parser put a version meanwhile; either will do.
		v.bytes -= len(old.src)
		old.tree.Close()
	}
	v.files[path] = &version{lang: lang, src: bytes.Clone(src), tree: tree}
	v.bytes += len(src)
	v.order = append(v.order, path)
	for v.bytes > v.max && len(v.order) > 0 {
		oldest := v.order[0]
		v.order = v.order[1:]
		if old, ok := v.files[oldest]; ok {
			delete(v.files, oldest)
			v.bytes -= len(old.src)
			old.tree.Close()
		}
	}
	if len(v.order) > 2*len(v.files)+64 {
		// Paths taken or put again are still in order: drop them, keeping
		// the others' order.
		kept := v.order[:0]
		seen := make(map[string]bool, len(v.files))
		for i := len(v.order) - 1; i >= 0; i-- {
			if p := v.order[i]; v.files[p] != nil && !seen[p] {
				seen[p] = true
				kept = append(kept, p)
			}
		}
		for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
			kept[i], kept[j] = kept[j], kept[i]
		}
		v.order = kept
	}
}

// Keeps reports whether a tree of the last version of path is kept.
func (v *Versions) Keeps(path string) bool {
	if v == nil {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.files[path] != nil
}

// Close frees the trees kept.
func (v *Versions) Close() {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, old := range v.files {
		old.tree.Close()
	}
	v.files, v.order, v.bytes, v.closed = map[string]*version{}, nil, 0, true
}

// maxEditScript bounds the line edits looked for between two versions:
// past it the versions are taken as one edit from the first line that
// differs to the last.
const maxEditScript = 256

// edits returns the edits that turn old into new, for Tree.Edit, last
// first: each is then described in the positions of the document as the
// edits after it left it, which before it are old's. Lines are compared
// whole: a line changed is one edit of the line.
func edits(old, new []byte) []sitter.EditInput {
	a, b := splitLines(old), splitLines(new)
	// The common lines at both ends.
	pre := 0
	for pre < len(a) && pre < len(b) && bytes.Equal(a[pre], b[pre]) {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && bytes.Equal(a[len(a)-1-suf], b[len(b)-1-suf]) {
		suf++
	}
	hunks := diffLines(a[pre:len(a)-suf], b[pre:len(b)-suf])
	// Offsets and points of the line starts.
	aAt, bAt := lineStarts(a), lineStarts(b)
	out := make([]sitter.EditInput, 0, len(hunks))
	for i := len(hunks) - 1; i >= 0; i-- {
		h := hunks[i]
		as, ae, bs, be := pre+h.a0, pre+h.a1, pre+h.b0, pre+h.b1
		start := sitter.Point{Row: uint32(as)}
		inserted := b[bs:be]
		newEnd := start
		if n := len(inserted); n > 0 {
			newEnd = endPoint(start, inserted)
		}
		out = append(out, sitter.EditInput{
			StartIndex:  uint32(aAt[as]),
			OldEndIndex: uint32(aAt[ae]),
			NewEndIndex: uint32(aAt[as] + bAt[be] - bAt[bs]),
			StartPoint:  start,
			OldEndPoint: endPoint(start, a[as:ae]),
			NewEndPoint: newEnd,
		})
	}
	return out
}

// endPoint returns the point past lines, which start at start.
func endPoint(start sitter.Point, lines [][]byte) sitter.Point {
	if len(lines) == 0 {
		return start
	}
	last := lines[len(lines)-1]
	if last[len(last)-1] == '\n' {
		return sitter.Point{Row: start.Row + uint32(len(lines))}
	}
	col := uint32(len(last))
	if len(lines) == 1 {
		col += start.Column
	}
	return sitter.Point{Row: start.Row + uint32(len(lines)) - 1, Column: col}
}

// splitLines splits src after each newline; the last line may have none.
func splitLines(src []byte) [][]byte {
	lines := make([][]byte, 0, bytes.Count(src, []byte{'\n'})+1)
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			lines = append(lines, src)
			break
		}
		lines = append(lines, src[:i+1])
		src = src[i+1:]
	}
	return lines
}

// lineStarts returns the offset of each line and, last, the length.
func lineStarts(lines [][]byte) []int {
	at := make([]int, len(lines)+1)
	for i, l := range lines {
		at[i+1] = at[i] + len(l)
	}
	return at
}

// hunk is a run of lines a[a0:a1] replaced by b[b0:b1].
type hunk struct{ a0, a1, b0, b1 int }

// diffLines returns the hunks of a shortest edit script from a to b
// (Myers' greedy algorithm), in order; one hunk of everything when the
// script is longer than maxEditScript.
func diffLines(a, b [][]byte) []hunk {
	n, m := len(a), len(b)
	if n == 0 && m == 0 {
		return nil
	}
	all := []hunk{{0, n, 0, m}}
	if n == 0 || m == 0 {
		return all
	}
	// Lines as numbers, equal for equal lines.
	ids := map[string]int{}
	num := func(ls [][]byte) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[string(l)]
			if !ok {
				id = len(ids)
				ids[string(l)] = id
			}
			out[i] = id
		}
		return out
	}
	x, y := num(a), num(b)
	max := min(n+m, maxEditScript)
	off := max
	v := make([]int, 2*max+2)
	var trace [][]int
	for d := 0; d <= max; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var i int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				i = v[off+k+1] // down: an insertion
			} else {
				i = v[off+k-1] + 1 // right: a deletion
			}
			j := i - k
			for i < n && j < m && x[i] == y[j] {
				i, j = i+1, j+1
			}
			v[off+k] = i
			if i >= n && j >= m {
				return hunksOf(trace, off, n, m, d)
			}
		}
	}
	return all
}

// hunksOf walks Myers' trace back from (n, m) at step d into hunks.
func hunksOf(trace [][]int, off, n, m, d int) []hunk {
	type step struct{ i, j, pi, pj int }
	var steps []step // the edit moves, last first
	i, j := n, m
	for ; d > 0; d-- {
		v := trace[d]
		k := i - j
		var pk int
		if k == -d || k != d && v[off+k-1] < v[off+k+1] {
			pk = k + 1
		} else {
			pk = k - 1
		}
		pi := v[off+pk]
		pj := pi - pk
		// The diagonal back to the end of the move.
		mi, mj := pi, pj
		if pk == k+1 {
			mj++ // an insertion of b[pj]
		} else {
			mi++ // a deletion of a[pi]
		}
		for i > mi && j > mj {
			i, j = i-1, j-1
		}
		steps = append(steps, step{mi, mj, pi, pj})
		i, j = pi, pj
	}
	var out []hunk
	for s := len(steps) - 1; s >= 0; s-- {
		st := steps[s]
		if len(out) > 0 {
			if last := &out[len(out)-1]; last.a1 == st.pi && last.b1 == st.pj {
				last.a1, last.b1 = st.i, st.j
				continue
			}
		}
		out = append(out, hunk{st.pi, st.i, st.pj, st.j})
	}
	return out
}
