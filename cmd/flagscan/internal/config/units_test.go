package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Size
		err  string
	}{
		{in: "0", want: 0},
		{in: "1000000", want: 1000000},
		{in: "10B", want: 10},
		{in: "1KB", want: 1000},
		{in: "1KiB", want: 1024},
		{in: "512kib", want: 512 << 10},
		{in: "1MB", want: 1000000},
		{in: "1MiB", want: 1 << 20},
		{in: "1mib", want: 1 << 20},
		{in: "2GB", want: 2000000000},
		{in: "2GiB", want: 2 << 30},
		{in: " 3 MiB ", want: 3 << 20},
		{in: "1XB", err: `"1XB" is not a size (examples: 1MiB, 512KiB, 1000000)`},
		{in: "MiB", err: "is not a size"},
		{in: "", err: "is not a size"},
		{in: "-1", err: "is not a size"},
		{in: "1.5MiB", err: "is not a size"},
		{in: "99999999999999999999", err: "too large"},
		{in: "9000000000GiB", err: "too large"},
	} {
		got, err := ParseSize(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSize(%q) = %v, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestSizeString(t *testing.T) {
	for _, tc := range []struct {
		in   Size
		want string
	}{
		{0, "0"}, {1000, "1000"}, {1536, "1536"}, {1024, "1KiB"}, {1 << 20, "1MiB"}, {3 << 30, "3GiB"}, {1 << 40, "1024GiB"},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("Size(%d).String() = %q, want %q", int64(tc.in), got, tc.want)
		}
		if back, err := ParseSize(tc.want); err != nil || back != tc.in {
			t.Errorf("ParseSize(%q) = %v, %v; want %d", tc.want, back, err, int64(tc.in))
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{in: "0", want: 0},
		{in: "10s", want: 10 * time.Second},
		{in: "5m", want: 5 * time.Minute},
		{in: "2h", want: 2 * time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "1500ms", want: 1500 * time.Millisecond},
		{in: "1d", want: 24 * time.Hour},
		{in: "2d", want: 48 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: " 1d ", want: 24 * time.Hour},
		{in: "10", err: `"10" is not a duration: add a unit, e.g. 10s`},
		{in: "", err: "is not a duration (examples"},
		{in: "d", err: "is not a duration"},
		{in: "1.5d", err: "is not a duration"},
		{in: "1w", err: "is not a duration"},
		{in: "soon", err: "is not a duration"},
		{in: "-5s", err: "is negative"},
		{in: "1d-1h", err: "is negative"},
	} {
		got, err := ParseDuration(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseDuration(%q) = %v, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestLanguages(t *testing.T) {
	for _, lang := range Languages() {
		if got, ok := NormalizeLanguage(lang); !ok || got != lang {
			t.Errorf("NormalizeLanguage(%q) = %q, %v; want itself", lang, got, ok)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"JS", "javascript"}, {"jsx", "javascript"}, {"ts", "typescript"}, {"TSX", "tsx"},
		{"golang", "go"}, {"py", "python"}, {"kt", "kotlin"}, {"C#", "csharp"}, {"cs", "csharp"},
		{"Objective-C", "objc"}, {"obj-c", "objc"}, {"f#", "fsharp"}, {"VisualBasic", "vb"}, {"vb.net", "vb"},
		{"rust", ""}, {"", ""},
	} {
		got, ok := NormalizeLanguage(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizeLanguage(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	for lang, want := range map[string]bool{"go": true, "tsx": true, "php": true, "objc": false, "dart": false, "fsharp": false, "vb": false, "rust": false} {
		if got := HasTreeSitter(lang); got != want {
			t.Errorf("HasTreeSitter(%q) = %v, want %v", lang, got, want)
		}
	}
}
