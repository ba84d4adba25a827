package scanner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/git/gittest"
	"github.com/flagscan/flagscan/scanner/rules"
	"github.com/flagscan/flagscan/scanner/source"
)

// nameSamples holds one sample repository per language whose keys are
// named in one file and defined in another, each with a want file
// listing exactly the references (with the definition each was read
// from) and unresolved keys a scan of the whole tree yields.
const nameSamples = "../testdata/names"

// A want file has one line per expected result:
//
//	PATH:LINE KEY VIA TYPE DEFAULT     a reference; VIA is the definition's PATH:LINE, "-" for a literal
//	unresolved PATH:LINE EXPRESSION NAME   NAME is the name that did not resolve, "-" when it is none
//
// TYPE and DEFAULT are "-" when the code shows none; DEFAULT is the rest
// of the line. Lines starting with # are comments.
func describeResult(res *Result) []string {
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	var got []string
	for _, r := range res.References {
		via, def := "-", "-"
		if r.Via != nil {
			via = fmt.Sprintf("%s:%d", r.Via.Path, r.Via.Line)
		}
		if r.DefaultValue != nil {
			def = *r.DefaultValue
		}
		got = append(got, fmt.Sprintf("%s:%d %s %s %s %s", r.Path, r.Line, r.FlagKey, via, dash(r.Type), def))
	}
	for _, u := range res.Unresolved {
		got = append(got, fmt.Sprintf("unresolved %s:%d %s %s", u.Path, u.Line, u.Expression, dash(u.Name)))
	}
	return got
}

// TestNameSamples scans each sample repository of testdata/names, as a
// working tree and at a commit, and checks the result against its want
// file exactly: a reference missing, one too many or read from another
// definition is a failure.
func TestNameSamples(t *testing.T) {
	engine, err := NewEngine(rules.New(true, nil, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob(filepath.Join(nameSamples, "*", "want"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no samples found: %v", err)
	}
	for _, wantPath := range dirs {
		sample := filepath.Dir(wantPath)
		t.Run(filepath.Base(sample), func(t *testing.T) {
			want := wantLines(t, wantPath)
			slices.Sort(want)
			tree := copySample(t, sample)
			sc := New(engine, Options{})
			check := func(mode string, src source.Source) {
				res, err := sc.Scan(context.Background(), src)
				if err != nil {
					t.Fatal(err)
				}
				got := describeResult(res)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s:\n got: %s\nwant: %s", mode, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
				}
			}
			dir, err := source.Dir(tree)
			if err != nil {
				t.Fatal(err)
			}
			check("working tree", dir)
			gittest.Init(t, tree).Commit("sample", nil)
			rev, err := source.Rev(tree, "HEAD")
			if err != nil {
				t.Fatal(err)
			}
			check("--rev HEAD", rev)
		})
	}
}

// copySample copies a sample repository, less its want file, to a
// temporary directory outside any git work tree.
func copySample(t *testing.T, sample string) string {
	t.Helper()
	tree := t.TempDir()
	err := filepath.WalkDir(sample, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(sample, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(tree, rel), 0o755)
		}
		if rel == "want" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tree, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}
