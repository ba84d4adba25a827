// Package scanner finds feature-flag references in a tree of files: a
// working tree, a plain directory or the tree of a git commit. Files come
// from package source, each worker detects with its own parser, and the
// result is one sorted list of references, with the files that could not
// be read or parsed listed beside it.
package scanner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sourcegraph/conc"
	"github.com/sourcegraph/conc/panics"

	"github.com/flagscan/flagscan/scanner/resolve"
	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/source"
	"github.com/flagscan/flagscan/scanner/syntax/treesitter"
)

// DefaultMaxFileSize is the size above which files are not read.
const DefaultMaxFileSize = 1 << 20

// maxCodeLine bounds each line of a reference's code snippet.
const maxCodeLine = 500

// Options tune a scan. The zero value scans everything flagscan reads,
// with the default size limit, one line of context and one worker per CPU.
type Options struct {
	// Skip reports whether a path (relative, slash-separated) is excluded;
	// a directory it skips is not descended into.
	Skip func(path string, isDir bool) bool
	// MaxFileSize is the size above which a file is skipped and counted;
	// 0 means DefaultMaxFileSize, a negative value no limit.
	MaxFileSize int64
	// ContextLines is the number of lines above and below a reference's
	// line included in its code.
	ContextLines int
	// Workers is the number of parsing goroutines; 0 means one per CPU.
	Workers int
	// Progress, when set, is called after each file of a Scan or an Each
	// with the running counts of that walk, one call at a time.
	Progress func(Progress)
	// Cache, when set, gives the results of files already parsed (with
	// this scanner's fingerprint) and takes the new ones at the end of
	// each walk.
	Cache Cache

	versions *Versions // see WithVersions
}

// Progress is a running count, for progress bars.
type Progress struct {
	Files      int64
	Bytes      int64
	References int64
}

func (o Options) maxSize() int64 {
	switch {
	case o.MaxFileSize == 0:
		return DefaultMaxFileSize
	case o.MaxFileSize < 0:
		return 0
	}
	return o.MaxFileSize
}

// Reference is one flag key referenced in a file.
type Reference struct {
	FlagKey  string `json:"flag_key"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Language string `json:"language"`
	Rule     string `json:"rule"`
	// Code is the line of the reference with Options.ContextLines lines
	// around it, separated by "\n".
	Code string `json:"code"`
	// DefaultValue is the default value as written in the code; nil when
	// the code shows none.
	DefaultValue *string `json:"default_value"`
	// Type is "string", "number", "boolean", "json" or "unknown"; "" when
	// the code shows nothing about it.
	Type string `json:"type,omitempty"`
	// Via is the definition the key was read from when the code names it
	// through a constant, in this file or another; nil for a literal.
	Via *Via `json:"via,omitempty"`
}

// Via is where a key written as a name is defined: the file and line of
// the constant, object entry or enum member holding its literal.
type Via struct {
	Path string `json:"path"`
	Line int    `json:"line"`
}

// Unresolved is a flag call whose key is not a constant.
type Unresolved struct {
	Path       string `json:"path"`
	Line       int    `json:"line"`
	Column     int    `json:"column"`
	Language   string `json:"language"`
	Rule       string `json:"rule"`
	Expression string `json:"expression"`
	// Name is the name the expression comes down to when it is one the
	// file does not bind and no file of the tree was found to define (an
	// import of a package, a name defined twice): dotted, as written.
	Name string `json:"name,omitempty"`
}

// FileError is a file that could not be read or parsed, or was read with
// a caveat (invalid UTF-8). The rest of the scan is not affected.
type FileError struct {
	Path  string `json:"path"`
	Kind  string `json:"kind"` // "read", "tree", "parse", "encoding", "internal"
	Error string `json:"error"`
}

// Stats counts what a scan looked at.
type Stats struct {
	Files            int   `json:"files"`  // files in a language flagscan reads
	Bytes            int64 `json:"bytes"`  // bytes of those files that were read
	Parsed           int   `json:"parsed"` // files the prefilter let through to a parser
	SkippedBinary    int   `json:"skipped_binary"`
	SkippedOversize  int   `json:"skipped_oversize"`
	SkippedMinified  int   `json:"skipped_minified"`
	SkippedGenerated int   `json:"skipped_generated"`
	// SkippedLFS are Git LFS pointer files: the content is elsewhere.
	SkippedLFS int `json:"skipped_lfs"`
	// SkippedSymlinks and SkippedSubmodules are tree entries of a
	// scanned commit that are not files: never followed. They do not
	// count in Files.
	SkippedSymlinks   int     `json:"skipped_symlinks"`
	SkippedSubmodules int     `json:"skipped_submodules"`
	Errors            int     `json:"errors"`
	References        int     `json:"references"`
	Unresolved        int     `json:"unresolved"`
	Keys              int     `json:"keys"`
	DurationSeconds   float64 `json:"duration_seconds"`
	FilesPerSecond    float64 `json:"files_per_second"`
	MegabytesPerSec   float64 `json:"megabytes_per_second"`
	RulesFingerprint  string  `json:"rules_fingerprint"`
}

// Result is the outcome of a scan, sorted by path, line and column.
type Result struct {
	References []Reference  `json:"references"`
	Unresolved []Unresolved `json:"unresolved"`
	Errors     []FileError  `json:"errors"`
	Stats      Stats        `json:"stats"`
}

// Scanner scans trees of files with one engine and one set of options.
type Scanner struct {
	engine *Engine
	opts   Options
}

// New returns a Scanner.
func New(engine *Engine, opts Options) *Scanner {
	return &Scanner{engine: engine, opts: opts}
}

// WithCache returns a Scanner like s that uses c (see Options.Cache).
func (s *Scanner) WithCache(c Cache) *Scanner {
	opts := s.opts
	opts.Cache = c
	return &Scanner{engine: s.engine, opts: opts}
}

// Versions keeps the trees of the files a run parsed last, for the parse
// of their next versions (see treesitter.Versions).
type Versions = treesitter.Versions

// NewVersions returns a Versions that keeps trees of files of up to
// maxBytes of source.
func NewVersions(maxBytes int) *Versions { return treesitter.NewVersions(maxBytes) }

// WithVersions returns a Scanner like s that parses each file from the
// tree of the version of it v kept, and keeps the new one: for a run over
// a history, where files come back changed a little.
func (s *Scanner) WithVersions(v *Versions) *Scanner {
	opts := s.opts
	opts.versions = v
	return &Scanner{engine: s.engine, opts: opts}
}

// WithProgress returns a Scanner like s that reports to p (see
// Options.Progress).
func (s *Scanner) WithProgress(p func(Progress)) *Scanner {
	opts := s.opts
	opts.Progress = p
	return &Scanner{engine: s.engine, opts: opts}
}

// Fingerprint is a hash of everything that changes what a file yields:
// the rules and the options that shape references. Per-file caches are
// keyed by it.
func (s *Scanner) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%d", s.engine.rules.Fingerprint(), s.opts.maxSize(), s.opts.ContextLines)
	return hex.EncodeToString(h.Sum(nil))
}

// FileResult is what one file yields, independent of its path: the unit
// that caches store by blob id.
type FileResult struct {
	References []Reference
	Unresolved []Unresolved
	Errors     []FileError
	Parsed     bool
	Skipped    string // "binary", "oversize", "minified", "generated", "lfs", "symlink", "submodule" or ""
	Bytes      int64
	// Names holds the keys written as names the file does not bind, with
	// what the file imports, for resolution in the tree the file is part
	// of; nil when there are none. Each is in Unresolved as well.
	Names *resolve.Names `json:",omitempty"`
}

// Scan walks src and detects references in every file it offers, then
// resolves the keys written as names defined in other files of the tree.
func (s *Scanner) Scan(ctx context.Context, src source.Source) (*Result, error) {
	start := time.Now()
	var (
		mu    sync.Mutex
		res   = &Result{}
		tree  = newTreeIndex(s.engine)
		names []fileNames
	)
	err := s.each(ctx, src, tree.filter(s.Filter()), tree.add, func(f source.File, fr FileResult) {
		mu.Lock()
		defer mu.Unlock()
		res.add(f.Path, fr)
		if fr.Names != nil {
			names = append(names, fileNames{path: f.Path, names: fr.Names})
		}
	})
	if err != nil {
		return nil, err
	}
	if len(names) > 0 {
		if err := s.resolveNames(ctx, res, tree, names); err != nil {
			return nil, err
		}
	}
	res.finish(time.Since(start), s.engine.rules.Fingerprint())
	return res, nil
}

// Each walks src and calls fn with each file's result, from the worker
// goroutines: fn must be safe for concurrent use. Keys named through
// other files are not resolved: each file is on its own.
func (s *Scanner) Each(ctx context.Context, src source.Source, fn func(source.File, FileResult)) error {
	return s.each(ctx, src, s.Filter(), nil, fn)
}

// each walks src with filter. offer, when set, sees every file first, on
// the walking goroutine, and says whether it is scanned.
func (s *Scanner) each(ctx context.Context, src source.Source, filter source.Filter, offer func(source.File) bool, fn func(source.File, FileResult)) error {
	workers := s.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if s.opts.Progress != nil {
		// Running counts of this walk, reported one call at a time, in
		// order, after each file.
		var (
			mu       sync.Mutex
			progress Progress
			inner    = fn
		)
		fn = func(f source.File, fr FileResult) {
			inner(f, fr)
			mu.Lock()
			defer mu.Unlock()
			progress.Files++
			progress.Bytes += fr.Bytes
			progress.References += int64(len(fr.References))
			s.opts.Progress(progress)
		}
	}
	// Files go to the workers in batches: one channel hand-off per file
	// would wake a worker per file, and on a tree of small files the
	// scheduler's wake-ups then cost more than the prefilter.
	const batchSize = 32
	batches := make(chan []source.File, workers*2)
	var cache *cacheRun
	if s.opts.Cache != nil {
		cache = &cacheRun{c: s.opts.Cache, new: map[CacheKey]FileResult{}}
	}
	var wg conc.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Go(func() {
			d := s.engine.NewDetector()
			defer d.Close()
			for batch := range batches {
				for _, f := range batch {
					fn(f, s.scanFile(ctx, d, f, cache))
				}
			}
		})
	}
	send := func(batch []source.File) error {
		select {
		case batches <- batch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	batch := make([]source.File, 0, batchSize)
	walkErr := src.Walk(ctx, filter, func(f source.File) error {
		if offer != nil && !offer(f) {
			return nil
		}
		if batch = append(batch, f); len(batch) < batchSize {
			return nil
		}
		err := send(batch)
		batch = make([]source.File, 0, batchSize)
		return err
	})
	if walkErr == nil && len(batch) > 0 {
		walkErr = send(batch)
	}
	close(batches)
	wg.Wait()
	if walkErr != nil {
		return walkErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if cache != nil {
		if err := cache.c.Put(ctx, cache.new); err != nil {
			return fmt.Errorf("cache results: %w", err)
		}
	}
	return nil
}

// Filter is the source filter of the scanner's options: excluded paths,
// files in no language flagscan reads, minified bundles and the size limit.
func (s *Scanner) Filter() source.Filter {
	return source.Filter{
		Skip:    s.opts.Skip,
		Want:    func(p string) bool { return LanguageOf(p) != "" && !isMinifiedName(p) },
		MaxSize: s.opts.maxSize(),
	}
}

// scanFile detects references in one file. A panic in a detector is
// caught and reported as the file's error: one bad file must not end the scan.
func (s *Scanner) scanFile(ctx context.Context, d *Detector, f source.File, cache *cacheRun) FileResult {
	var fr FileResult
	var pc panics.Catcher
	pc.Try(func() { fr = s.detectFile(ctx, d, f, cache) })
	if r := pc.Recovered(); r != nil {
		return FileResult{Errors: []FileError{{Path: f.Path, Kind: "internal", Error: fmt.Sprintf("detector panic: %v", r.Value)}}}
	}
	return fr
}

func (s *Scanner) detectFile(ctx context.Context, d *Detector, f source.File, cache *cacheRun) FileResult {
	if f.Special != "" {
		return FileResult{Skipped: f.Special}
	}
	if f.Oversize {
		return FileResult{Skipped: "oversize"}
	}
	content, err := f.Content()
	if errors.Is(err, source.ErrOversize) {
		return FileResult{Skipped: "oversize"}
	}
	if errors.Is(err, source.ErrTree) {
		return FileResult{Errors: []FileError{{Path: f.Path, Kind: "tree", Error: err.Error()}}}
	}
	if err != nil {
		return FileResult{Errors: []FileError{{Path: f.Path, Kind: "read", Error: err.Error()}}}
	}
	return cache.detect(ctx, s, d, f, content)
}

// Detect finds the references in one file's content. The path names the
// file in the result and gives its language.
func (s *Scanner) Detect(ctx context.Context, d *Detector, path string, content []byte) FileResult {
	fr := FileResult{Bytes: int64(len(content))}
	lang := LanguageOf(path)
	switch {
	case IsBinary(content):
		fr.Skipped = "binary"
		return fr
	case len(content) >= len(lfsPointer) && string(content[:len(lfsPointer)]) == lfsPointer:
		// The file's content is in LFS storage, which flagscan does
		// not fetch: its keys are not seen, and it is counted.
		fr.Skipped = "lfs"
		return fr
	case isMinified(content):
		fr.Skipped = "minified"
		return fr
	}
	if !utf8.Valid(content) {
		fr.Errors = append(fr.Errors, FileError{Path: path, Kind: "encoding", Error: fmt.Sprintf("invalid UTF-8 at byte %d; scanned as is", invalidAt(content))})
	}
	det, err := d.detect(ctx, lang, content, true, treesitter.Previous{Versions: s.opts.versions, Path: path})
	if err != nil {
		fr.Errors = append(fr.Errors, FileError{Path: path, Kind: "parse", Error: err.Error()})
		return fr
	}
	fr.Parsed = det.Parsed
	if det.Generated {
		fr.Skipped = "generated"
	}
	lines := lineIndex(content, det.References, det.Unresolved)
	for _, r := range det.References {
		var via *Via
		if r.Via.Line > 0 {
			// The path is filled in where the file's path is known: a
			// result is the same wherever the blob is.
			via = &Via{Line: r.Via.Line}
		}
		fr.References = append(fr.References, Reference{
			Via:          via,
			FlagKey:      r.Key,
			Path:         path,
			Line:         r.Pos.Line,
			Column:       r.Pos.Column,
			Language:     lang,
			Rule:         r.Rule,
			Code:         lines.snippet(r.Pos.Line, s.opts.ContextLines),
			DefaultValue: optional(r.Default),
			Type:         r.Type,
		})
	}
	for _, u := range det.Unresolved {
		fr.Unresolved = append(fr.Unresolved, Unresolved{Path: path, Line: u.Pos.Line, Column: u.Pos.Column, Language: lang, Rule: u.Rule, Expression: u.Text, Name: strings.Join(u.Name, ".")})
		if u.Name == nil {
			continue
		}
		if fr.Names == nil {
			fr.Names = &resolve.Names{Package: det.Package, Imports: det.Imports}
		}
		fr.Names.Uses = append(fr.Names.Uses, resolve.Use{Name: u.Name, Pos: u.Pos, Rule: u.Rule, Default: u.Default, Type: u.Type, Code: lines.snippet(u.Pos.Line, s.opts.ContextLines)})
	}
	return fr
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// lfsPointer starts a Git LFS pointer file (git-lfs spec v1).
const lfsPointer = "version https://git-lfs.github.com/spec/v1\n"

// add merges one file's result.
func (r *Result) add(path string, fr FileResult) {
	switch fr.Skipped {
	case "symlink":
		r.Stats.SkippedSymlinks++
		return
	case "submodule":
		r.Stats.SkippedSubmodules++
		return
	}
	r.Stats.Files++
	r.Stats.Bytes += fr.Bytes
	switch fr.Skipped {
	case "binary":
		r.Stats.SkippedBinary++
	case "oversize":
		r.Stats.SkippedOversize++
	case "minified":
		r.Stats.SkippedMinified++
	case "generated":
		r.Stats.SkippedGenerated++
	case "lfs":
		r.Stats.SkippedLFS++
	}
	if fr.Parsed {
		r.Stats.Parsed++
	}
	for _, ref := range fr.References {
		ref.Path = path
		if ref.Via != nil && ref.Via.Path == "" {
			ref.Via = &Via{Path: path, Line: ref.Via.Line}
		}
		r.References = append(r.References, ref)
	}
	for _, u := range fr.Unresolved {
		u.Path = path
		r.Unresolved = append(r.Unresolved, u)
	}
	for _, e := range fr.Errors {
		e.Path = path
		r.Errors = append(r.Errors, e)
	}
}

func (r *Result) finish(d time.Duration, fingerprint string) {
	sort.Slice(r.References, func(i, j int) bool {
		a, b := r.References[i], r.References[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	sort.Slice(r.Unresolved, func(i, j int) bool {
		a, b := r.Unresolved[i], r.Unresolved[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
	})
	sort.SliceStable(r.Errors, func(i, j int) bool { return r.Errors[i].Path < r.Errors[j].Path })
	if r.References == nil {
		r.References = []Reference{}
	}
	if r.Unresolved == nil {
		r.Unresolved = []Unresolved{}
	}
	if r.Errors == nil {
		r.Errors = []FileError{}
	}
	keys := make(map[string]bool)
	for _, ref := range r.References {
		keys[ref.FlagKey] = true
	}
	r.Stats.Keys = len(keys)
	r.Stats.References = len(r.References)
	r.Stats.Unresolved = len(r.Unresolved)
	r.Stats.Errors = len(r.Errors)
	r.Stats.DurationSeconds = d.Seconds()
	if secs := d.Seconds(); secs > 0 {
		r.Stats.FilesPerSecond = float64(r.Stats.Files) / secs
		r.Stats.MegabytesPerSec = float64(r.Stats.Bytes) / 1e6 / secs
	}
	r.Stats.RulesFingerprint = fingerprint
}

// isMinifiedName reports names that promise minified code.
func isMinifiedName(p string) bool {
	return strings.HasSuffix(p, ".min.js") || strings.HasSuffix(p, ".min.mjs") || strings.HasSuffix(p, ".bundle.js")
}

// isMinified reports content that looks minified or bundled: long enough
// to matter and with lines far longer than anyone writes by hand. Such
// files are generated from sources that are scanned themselves.
func isMinified(content []byte) bool {
	if len(content) < 4096 {
		return false
	}
	lines := bytes.Count(content, []byte{'\n'}) + 1
	return len(content)/lines > 500
}

// lines gives a file's lines by number, computed only when a file has
// references.
type lines [][]byte

func lineIndex(content []byte, refs []rules.Reference, unresolved []rules.Unresolved) lines {
	need := len(refs) > 0
	for _, u := range unresolved {
		need = need || u.Name != nil
	}
	if !need {
		return nil
	}
	return bytes.Split(content, []byte{'\n'})
}

// snippet returns line n (1-based) with ctx lines around it.
func (l lines) snippet(n, ctx int) string {
	from, to := max(n-ctx, 1), min(n+ctx, len(l))
	var b strings.Builder
	for i := from; i <= to; i++ {
		line := bytes.TrimRight(l[i-1], "\r")
		if len(line) > maxCodeLine {
			line = line[:maxCodeLine]
		}
		if i > from {
			b.WriteByte('\n')
		}
		b.Write(bytes.ToValidUTF8(line, []byte("\uFFFD")))
	}
	return b.String()
}
