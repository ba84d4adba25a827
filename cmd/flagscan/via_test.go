package main

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/scanner/git/gittest"
)

// TestScanVia checks that a key named in one file and defined in another
// says where it is defined, in JSON and in CSV.
func TestScanVia(t *testing.T) {
	dir := t.TempDir()
	gittest.WriteFiles(t, dir, map[string]string{
		"src/flags.ts": "export const FLAGS = {\n  CHECKOUT: 'checkout-v2',\n};\n",
		"src/app.ts":   "import { FLAGS } from './flags';\nconst f = fs.getFlag(FLAGS.CHECKOUT, false);\n",
	})

	code, out, errOut := flagscan(t, "", "scan", "--format", "json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	res := decodeResult(t, out)
	if len(res.References) != 1 || res.References[0].FlagKey != "checkout-v2" || res.References[0].Via == nil ||
		res.References[0].Via.Path != "src/flags.ts" || res.References[0].Via.Line != 2 {
		t.Fatalf("references = %+v; want checkout-v2 via src/flags.ts:2", res.References)
	}

	code, out, errOut = flagscan(t, "", "scan", "--format", "csv", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][len(rows[0])-1] != "via" || rows[1][0] != "checkout-v2" || rows[1][len(rows[1])-1] != "src/flags.ts:2" {
		t.Fatalf("csv = %q; want one row with via src/flags.ts:2", rows)
	}
}
