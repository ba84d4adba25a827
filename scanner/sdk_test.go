package scanner

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/rules"
)

// sdkSamples is the catalogue of SDK call shapes as code: one folder per
// language, each sample beside a .want file listing exactly the references
// (and unresolved keys) it must yield.
const sdkSamples = "../testdata/sdk"

// A .want file has one line per expected result:
//
//	LINE KEY TYPE DEFAULT        a reference; TYPE and DEFAULT are "-" when the code shows none
//	unresolved LINE TEXT         a key expression that is not a constant
//
// DEFAULT is the rest of the line, as written in the code. Lines starting
// with # are comments.
func readWant(t *testing.T, path string) []string {
	t.Helper()
	var want []string
	for _, line := range wantLines(t, path) {
		fields := strings.SplitN(line, " ", 4)
		if fields[0] == "unresolved" {
			if len(fields) < 3 {
				t.Fatalf("%s: bad line %q", path, line)
			}
			want = append(want, "unresolved "+fields[1]+" "+strings.Join(fields[2:], " "))
			continue
		}
		if len(fields) != 4 {
			t.Fatalf("%s: bad line %q: want LINE KEY TYPE DEFAULT", path, line)
		}
		if _, err := strconv.Atoi(fields[0]); err != nil {
			t.Fatalf("%s: bad line number in %q", path, line)
		}
		want = append(want, strings.Join(fields, " "))
	}
	return want
}

// wantLines returns the lines of a want file, less blank lines and
// comments (lines starting with #).
func wantLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func describe(d Detection) []string {
	var got []string
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, r := range d.References {
		got = append(got, fmt.Sprintf("%d %s %s %s", r.Pos.Line, r.Key, dash(r.Type), dash(r.Default)))
	}
	for _, u := range d.Unresolved {
		got = append(got, fmt.Sprintf("unresolved %d %s", u.Pos.Line, u.Text))
	}
	return got
}

// TestSDKSamples checks every sample of testdata/sdk against its .want
// file, exactly: a reference missing or one too many is a failure.
func TestSDKSamples(t *testing.T) {
	engine, err := NewEngine(rules.New(true, nil, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	wants, err := filepath.Glob(filepath.Join(sdkSamples, "*", "*.want"))
	if err != nil {
		t.Fatal(err)
	}
	if len(wants) == 0 {
		t.Fatal("no samples found")
	}
	seen := map[string]bool{}
	for _, wantPath := range wants {
		sample := strings.TrimSuffix(wantPath, ".want")
		rel, _ := filepath.Rel(sdkSamples, sample)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			src, err := os.ReadFile(sample)
			if err != nil {
				t.Fatal(err)
			}
			lang := LanguageOf(sample)
			if lang == "" {
				t.Fatalf("no language for %s", sample)
			}
			seen[lang] = true
			d := engine.NewDetector()
			defer d.Close()
			det, err := d.Detect(context.Background(), lang, src)
			if err != nil {
				t.Fatal(err)
			}
			got, want := describe(det), readWant(t, wantPath)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s:\n got: %s\nwant: %s", rel, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
			}
		})
	}
}
