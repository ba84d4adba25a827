package cli

import "testing"

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"checkout-v2":           "checkout-v2",
		"escape-\x1b[31m":       `escape-\x1b[31m`,
		"a\nb\tc\rd":            `a\x0ab\x09c\x0dd`,
		"del\x7f c1\u0085":      `del\x7f c1\u0085`,
		"bad\xffutf8":           `bad\xffutf8`,
		"Grüße, 日本":             "Grüße, 日本",
		"\x1b]0;title\x07 pwnd": `\x1b]0;title\x07 pwnd`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
