package analyzer

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/flagscan/flagscan/analyzer/event"
	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/source"
)

// A push starts from the stored snapshot, and most of its files are ones
// the push does not change. Reading each one's result from the blob cache
// and decoding it cost a 1-commit push into a 20,000-file repository half
// of its time, for references the snapshot's keys hold already: a key's
// references are those of the files that hold it, with their paths,
// lines and code, which is all that events and the next snapshot show of
// a file nothing changed. So the starting state takes them from there,
// and a file the push changes is read from the blob cache before the
// change is applied (replay).

// restoreFiles sets in st the files of entries whose references snap's
// keys hold, and returns the others, to be read from the blob cache: the
// files snap does not hold at the same blob, those no environment covers
// (no key row has them), and the use files, whose names resolution needs.
// It sets none when snap may hold use files it does not say (stored by an
// older flagscan) or was made under other rules.
func (a *Analyzer) restoreFiles(st *state, snap *store.Snapshot, entries []source.Entry) []source.Entry {
	if !snap.UsesKept || snap.Fingerprint != a.fingerprint {
		return entries
	}
	refs, ok := storedRefs(snap)
	if !ok {
		return entries
	}
	rest := entries[:0]
	for _, e := range entries {
		r, held := refs[e.Path]
		if _, use := snap.Uses[e.Path]; !held || use || snap.Files[e.Path] != e.Blob {
			rest = append(rest, e)
			continue
		}
		st.set(e.Path, &fileRefs{blob: e.Blob, refs: r, stored: true})
	}
	return rest
}

// storedRefs returns by path the references snap's keys hold, ok false
// when a key's references cannot be decoded. A file is in the keys of
// every environment that covers it, with all its references: the first
// environment that has it gives them. Column is not stored: references on
// one line are numbered in their stored order (they were stored sorted by
// column), which keeps them in that order where references are sorted.
func storedRefs(snap *store.Snapshot) (map[string][]scanner.Reference, bool) {
	out := map[string][]scanner.Reference{}
	taken := map[string]bool{} // paths an earlier environment gave
	for _, env := range slices.Sorted(maps.Keys(snap.Keys)) {
		seen := map[string]bool{}
		for key, raw := range snap.Keys[env] {
			var refs []event.Reference
			if err := json.Unmarshal(raw, &refs); err != nil {
				return nil, false
			}
			path, line, column := "", 0, 0
			for _, r := range refs {
				if taken[r.Path] {
					continue
				}
				seen[r.Path] = true
				if r.Path != path || r.Line != line {
					path, line, column = r.Path, r.Line, 0
				}
				column++
				out[r.Path] = append(out[r.Path], scanner.Reference{FlagKey: key, Path: r.Path, Line: r.Line, Column: column, Code: r.Code})
			}
		}
		for p := range seen {
			taken[p] = true
		}
	}
	return out, true
}
