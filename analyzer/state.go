package analyzer

import (
	"slices"
	"sort"

	"github.com/flagscan/flagscan/scanner"
	"github.com/flagscan/flagscan/scanner/resolve"
)

// fileRefs is what one file contributes to a snapshot.
type fileRefs struct {
	blob string
	refs []scanner.Reference
	// names are the file's keys written as names defined elsewhere
	// (names.go); a file with some is kept even without references.
	names *resolve.Names
	// unparsed is set when the blob could not be parsed (its parse ran out
	// of time or hit a limit): what it holds is not known.
	unparsed bool
	// stored is set when refs were read back from a snapshot's keys
	// (restoreFiles): their keys, paths, lines and code, which is all
	// that events and snapshots show of a file nothing changed, in the
	// order of the keys. A change to the file reads it from the blob
	// cache first.
	stored bool
}

// state is the references of one tree, kept per file so that a diff can be
// applied to it, with the number of references of each key in each
// environment so that a key's appearance and disappearance are seen as they
// happen.
type state struct {
	envs   []Environment
	files  map[string]fileRefs // only files with references
	counts []map[string]int    // by environment index: key -> references
	envOf  map[string][]int    // environments of a path, memoized
	// touched holds, for the step under way, the presence of each key that
	// changed count, as it was when the step began.
	touched map[envKey]bool
	// removed holds, for the step under way, the references each key lost:
	// a key that disappears is reported with the last references it had.
	removed map[envKey][]scanner.Reference
	// index maps each key of each environment to its references.
	index map[envKey][]scanner.Reference
	// names are the files whose keys are named in other files.
	names nameState
}

type envKey struct {
	env int
	key string
}

func newState(envs []Environment) *state {
	s := &state{envs: envs, files: map[string]fileRefs{}, envOf: map[string][]int{}, touched: map[envKey]bool{},
		removed: map[envKey][]scanner.Reference{}, index: map[envKey][]scanner.Reference{}, names: nameState{files: map[string]*useFile{}}}
	for range envs {
		s.counts = append(s.counts, map[string]int{})
	}
	return s
}

// environments returns the indexes of the environments a path belongs to.
func (s *state) environments(path string) []int {
	if e, ok := s.envOf[path]; ok {
		return e
	}
	var e []int
	for i, env := range s.envs {
		if env.Match(path) {
			e = append(e, i)
		}
	}
	s.envOf[path] = e
	return e
}

// uncovered returns the keys referenced in files that no environment
// covers and those files, sorted: keys that no event will ever report.
func (s *state) uncovered() (keys, files []string) {
	seen := map[string]bool{}
	for path, fr := range s.files {
		if len(s.environments(path)) > 0 {
			continue
		}
		files = append(files, path)
		for _, r := range fr.refs {
			if !seen[r.FlagKey] {
				seen[r.FlagKey] = true
				keys = append(keys, r.FlagKey)
			}
		}
	}
	sort.Strings(keys)
	sort.Strings(files)
	return keys, files
}

// set replaces the references of the file at path; a nil fr removes it.
func (s *state) set(path string, fr *fileRefs) {
	if old, ok := s.files[path]; ok {
		for _, env := range s.environments(path) {
			for _, r := range old.refs {
				s.count(env, r.FlagKey, -1)
				k := envKey{env, r.FlagKey}
				s.removed[k] = append(s.removed[k], r)
				s.index[k] = slices.DeleteFunc(s.index[k], func(x scanner.Reference) bool { return x.Path == path })
				if len(s.index[k]) == 0 {
					delete(s.index, k)
				}
			}
		}
		delete(s.files, path)
	}
	if fr == nil || len(fr.refs) == 0 && fr.names == nil {
		return
	}
	s.files[path] = *fr
	for _, env := range s.environments(path) {
		for _, r := range fr.refs {
			s.count(env, r.FlagKey, +1)
			k := envKey{env, r.FlagKey}
			s.index[k] = append(s.index[k], r)
		}
	}
}

func (s *state) count(env int, key string, delta int) {
	n := s.counts[env][key]
	k := envKey{env, key}
	if _, ok := s.touched[k]; !ok {
		s.touched[k] = n > 0
	}
	if n += delta; n > 0 {
		s.counts[env][key] = n
	} else {
		delete(s.counts[env], key)
	}
}

// transition is a key that appeared in or disappeared from an environment.
type transition struct {
	env     int
	key     string
	present bool // true: appeared; false: disappeared
	// last are the references a disappeared key had before the step.
	last []scanner.Reference
}

// step ends the step under way (a commit) and returns the keys whose
// presence differs from what it was when the step began, sorted. A key
// removed from one file and added to another in the same step is no
// transition.
func (s *state) step() []transition {
	var out []transition
	for k, was := range s.touched {
		if now := s.counts[k.env][k.key] > 0; now != was {
			tr := transition{env: k.env, key: k.key, present: now}
			if !now {
				tr.last = s.removed[k]
			}
			out = append(out, tr)
		}
	}
	clear(s.touched)
	clear(s.removed)
	sort.Slice(out, func(i, j int) bool {
		if out[i].env != out[j].env {
			return out[i].env < out[j].env
		}
		return out[i].key < out[j].key
	})
	return out
}

// keys returns the keys present in environment env.
func (s *state) keys(env int) map[string]bool {
	out := make(map[string]bool, len(s.counts[env]))
	for k := range s.counts[env] {
		out[k] = true
	}
	return out
}

// references returns the references of key in environment env, sorted by
// path and line.
func (s *state) references(env int, key string) []scanner.Reference {
	refs := append([]scanner.Reference(nil), s.index[envKey{env, key}]...)
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].Path != refs[j].Path {
			return refs[i].Path < refs[j].Path
		}
		return refs[i].Line < refs[j].Line || refs[i].Line == refs[j].Line && refs[i].Column < refs[j].Column
	})
	return refs
}
