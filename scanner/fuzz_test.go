package scanner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flagscan/flagscan/scanner/rules"
)

// FuzzDetect feeds arbitrary bytes to the detector of every language:
// whatever the input, detection must not panic, must not fail except for a
// parse error, and must report positions inside the file.
//
//	go test -run XXX -fuzz FuzzDetect -fuzztime 60s ./scanner/
func FuzzDetect(f *testing.F) {
	addSamples(f)
	f.Add([]byte("getFlag(\"\xff\xfe\", {key: [}"))
	langs := map[string]bool{}
	for _, l := range extensions {
		langs[l] = true
	}
	var names []string
	for l := range langs {
		names = append(names, l)
	}
	sort.Strings(names)
	engine, err := NewEngine(rules.New(true, []rules.CallRule{{Name: "custom", Calls: []string{"variation"}, KeyArgument: 0, DefaultArgument: 1}}, nil), nil)
	if err != nil {
		f.Fatal(err)
	}
	d := engine.NewDetector()
	f.Cleanup(d.Close)
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := 1
		for _, b := range src {
			if b == '\n' {
				lines++
			}
		}
		for _, lang := range names {
			// Not a benchmark: a hang. Parses are bounded in proportion
			// to the input (a second at most for what the fuzzer makes).
			watchdog := time.AfterFunc(10*time.Second, func() {
				panic(fmt.Sprintf("%s: detection still running after 10s on %d bytes", lang, len(src)))
			})
			det, err := d.Detect(context.Background(), lang, src)
			watchdog.Stop()
			if err != nil {
				continue // a parse that gives up is reported, not a crash
			}
			for _, r := range det.References {
				if r.Pos.Line < 1 || r.Pos.Line > lines || r.Pos.Column < 1 || r.Key == "" {
					t.Fatalf("%s: reference %+v outside the file (%d lines)", lang, r, lines)
				}
				if utf8.Valid(src) && !utf8.ValidString(r.Key) {
					t.Fatalf("%s: key %q is not UTF-8 in a UTF-8 file", lang, r.Key)
				}
			}
		}
	})
}

// addSamples seeds a fuzz target with the files of the SDK catalogue.
func addSamples(f *testing.F) {
	samples, _ := filepath.Glob(filepath.Join(sdkSamples, "*", "*"))
	for _, s := range samples {
		if filepath.Ext(s) == ".want" {
			continue
		}
		if src, err := os.ReadFile(s); err == nil {
			f.Add(src)
		}
	}
}
