package analyzer

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/flagscan/flagscan/analyzer/store"
	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/resolve"
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
// files snap does not hold at the same blob and those no environment
// covers (no key row has them). A use file is restored with its stored
// resolution (what it looked at, decoded now; its names are read when it
// must be resolved again), or read if it has none. It sets none when snap
// may hold use files it does not say (stored by an older flagscan) or was
// made under other rules.
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
		if !held || snap.Files[e.Path] != e.Blob {
			rest = append(rest, e)
			continue
		}
		if u, use := snap.Uses[e.Path]; use {
			deps := new(resolve.Deps)
			if u.Blob != e.Blob || u.Fingerprint != a.fingerprint || json.Unmarshal(u.Deps, deps) != nil {
				rest = append(rest, e)
				continue
			}
			st.names.files[e.Path] = &useFile{blob: e.Blob, deps: deps, kept: &u}
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
			refs, err := decodeRefs(raw)
			if err != nil {
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

// materialize replaces the references restoreFiles gave the file of e,
// which a change is about to replace, with what the file held: its
// result in the blob cache (loaded), and for a use file its stored
// resolution, with its names. A stored resolution that cannot be decoded
// leaves the references the keys gave, which hold the same keys.
func (a *Analyzer) materialize(st *state, res *resolver, e source.Entry) {
	fr := st.files[e.Path]
	if !fr.stored {
		return // a change of the window before restored it already
	}
	loaded := res.refs(e.Path, e.Blob)
	uf, use := st.names.files[e.Path]
	if !use || uf.kept == nil {
		st.files[e.Path] = loaded
		return
	}
	uf.setNames(loaded)
	refs := fr.refs
	var resolved []scanner.Reference
	if json.Unmarshal(uf.kept.Refs, &resolved) == nil {
		refs = resolved
	}
	st.files[e.Path] = fileRefs{blob: e.Blob, refs: refs, names: uf.names}
}
