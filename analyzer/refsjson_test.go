package analyzer

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/flagscan/flagscan/analyzer/event"
)

// FuzzDecodeRefs: decodeRefs gives what json.Unmarshal gives, for what
// json.Marshal writes and for anything else.
//
//	go test -run XXX -fuzz FuzzDecodeRefs -fuzztime 1m ./analyzer/
func FuzzDecodeRefs(f *testing.F) {
	for _, refs := range [][]event.Reference{
		nil,
		{},
		{{Path: "a.ts", Line: 1, Code: `visitor.getFlag("k", false);`}},
		{{Path: "dir/b c.go", Line: 120, Code: "\tx := f(\"k\")\n\ty := 2 \\ 3 <tag> & \u2028 é 😀 \x00 \x1f", URL: "https://github.com/a/b/blob/0123/dir/b%20c.go#L120"}},
		{{Path: "x", Line: 0}, {Path: "y", Line: 7, Code: "\"", URL: "u"}},
	} {
		raw, err := json.Marshal(refs)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, raw := range []string{
		``, `null`, `[`, `[]x`, ` []`, `[{"path":"a","line":1,"code":"c"}]`, `[{"line":1,"path":"a","code":"c"}]`,
		`[{"path":"a","line":01,"code":"c"}]`, `[{"path":"a","line":-1,"code":"c"}]`, `[{"path":"a","line":1e3,"code":"c"}]`,
		`[{"path":"\ud83d\ude00","line":1,"code":"\ud83d"}]`, `[{"path":"\udc00\ud83d","line":1,"code":""}]`,
		`[{"path":"\u00e9\/\b\f\n\r\t","line":1,"code":"\x"}]`, "[{\"path\":\"\xff\",\"line\":1,\"code\":\"\"}]",
		"[{\"path\":\"a\tb\",\"line\":1,\"code\":\"\"}]", `[{"path":"a","line":99999999999999999999,"code":""}]`,
		`[{"path":"a","line":1,"code":"","url":"u","x":1}]`, `[{"path":"a","line":1,"code":""},]`,
	} {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want []event.Reference
		wantErr := json.Unmarshal(raw, &want)
		got, err := decodeRefs(raw)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: error %v, json.Unmarshal's %v", raw, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %#v, json.Unmarshal gives %#v", raw, got, want)
		}
	})
}
