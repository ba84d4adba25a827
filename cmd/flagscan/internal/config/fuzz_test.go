package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the configuration's parsers, as a
// local file (Parse) and as a file pushed to a hook (ParseDetection):
// whatever the input they must return, every error must be an *Error that
// names the file, and a secret from the environment must never be in an
// error or in the configuration's String.
//
//	go test -run XXX -fuzz FuzzParse -fuzztime 10m ./cmd/flagscan/internal/config/
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.yml"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("webhooks:\n  - description: d\n    events: [Flag.new]\n    url: https://h.example/x?k={{ .flag_key }}\n    secret: ${S}\n    headers: {Authorization: Bearer ${S}}\n    format: gitlab_trigger\n    payload: {token: ${S}, ref: main}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
	lookup := env(map[string]string{"S": secret, "HOOK_TOKEN": "t0k3n-value"})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseWithEnv("fuzz.yml", data, lookup)
		checkErrors(t, err)
		if c != nil && (strings.Contains(c.String(), secret) || strings.Contains(c.String(), "t0k3n-value")) {
			t.Fatalf("String shows a secret: %s", c)
		}
		if err != nil && (strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "t0k3n-value")) {
			t.Fatalf("an error shows a secret: %v", err)
		}
		_, err = ParseDetection("pushed.yml", data)
		checkErrors(t, err)
	})
}

func checkErrors(t *testing.T, err error) {
	t.Helper()
	for _, e := range errorList(err) {
		var ce *Error
		if !errors.As(e, &ce) || ce.File == "" || ce.Line < 0 {
			t.Fatalf("error %T %v does not name the file and line", e, e)
		}
	}
}
