package rules

import "testing"

func TestParseAnnotation(t *testing.T) {
	for _, tc := range []struct {
		text      string
		current   bool
		key, def  string
		typ       string
		ok        bool
		keyOffset int
	}{
		{" flagKey6, true", true, "flagKey6", "true", "boolean", true, 1},
		{" btn.color-v2, \"red\" */", true, "btn.color-v2", "\"red\"", "string", true, 1},
		{" k, 42", true, "k", "42", "number", true, 1},
		{" k, True", true, "k", "True", "boolean", true, 1},
		{" k, NO", true, "k", "NO", "boolean", true, 1},
		{" k, {\"a\": 1}", true, "k", "{\"a\": 1}", "json", true, 1},
		{" k, number", true, "k", "", "number", true, 1},
		{" k, Boolean", true, "k", "", "boolean", true, 1},
		{" k, someConstant", true, "k", "someConstant", "unknown", true, 1},
		{" k", true, "k", "", "", true, 1},
		{"k -->", true, "k", "", "", true, 0},
		{"old.style-key", false, "old.style-key", "", "", true, 0},
		{"old-key, true", false, "old-key", "", "", true, 0},
		{" , true", true, "", "", "", false, 0},
		{"\n k", true, "", "", "", false, 0},
	} {
		r, ok := parseAnnotation(tc.text, tc.current)
		if ok != tc.ok || r.Key != tc.key || r.Default != tc.def || r.Type != tc.typ || ok && r.Pos.Column != tc.keyOffset {
			t.Errorf("parseAnnotation(%q) = %+v, %v; want key %q default %q type %q at %d, %v", tc.text, r, ok, tc.key, tc.def, tc.typ, tc.keyOffset, tc.ok)
		}
	}
}
