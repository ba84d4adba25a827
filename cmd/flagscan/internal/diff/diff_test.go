package diff_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/cli"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/diff"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/sarif"
	"github.com/flagscan/flagscan/scanner/git/gittest"
)

func TestMain(m *testing.M) {
	gittest.Isolate()
	os.Exit(m.Run())
}

// diffRepo has two commits: c0 references "old_one" and "kept", c1
// references "kept" and "new_one"; a branch "topic" off c0 adds "topicFlag".
func diffRepo(t *testing.T) (r *gittest.Repo, c0, c1 string) {
	t.Helper()
	r = gittest.New(t)
	c0 = r.Commit("c0", map[string]string{
		"web/a.ts":      "visitor.getFlag(\"old_one\", 1);\n",
		"web/k.ts":      "visitor.getFlag(\"kept\", 1);\n",
		".flagscan.yml": "hook:\n  policy:\n    key_pattern: '[a-z_]+'\n",
	})
	r.Git("branch", "topic")
	c1 = r.Commit("c1", map[string]string{"web/a.ts": "const x = 1;\nvisitor.getFlag(\"new_one\", true);\n"})
	return r, c0, c1
}

func run(t *testing.T, o diff.Options) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := diff.Run(context.Background(), o, cli.IO{Out: &out, Err: &errOut})
	return out.String(), err
}

func TestDiffRevisionsJSON(t *testing.T) {
	r, c0, c1 := diffRepo(t)
	out, err := run(t, diff.Options{Repo: r.Dir, Args: []string{c0, c1}, Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	var d diff.Result
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err, out)
	}
	if d.Base != c0 || d.Head != c1 {
		t.Errorf("base %s head %s, want %s %s", d.Base, d.Head, c0, c1)
	}
	if got := d.Keys(diff.Added); !slices.Equal(got, []string{"new_one"}) {
		t.Errorf("added %v", got)
	}
	if got := d.Keys(diff.Removed); !slices.Equal(got, []string{"old_one"}) {
		t.Errorf("removed %v", got)
	}
	for _, c := range d.Changes {
		if len(c.References) != 1 || c.References[0].Path != "web/a.ts" {
			t.Fatalf("%s %s: references %+v", c.Kind, c.Key, c.References)
		}
		if want := map[string]int{"new_one": 2, "old_one": 1}[c.Key]; c.References[0].Line != want {
			t.Errorf("%s at line %d, want %d (the head's line for an added key, the base's for a removed one)", c.Key, c.References[0].Line, want)
		}
	}
	// The same with BASE..HEAD, and BASE...HEAD from the merge base.
	out2, err := run(t, diff.Options{Repo: r.Dir, Args: []string{c0 + ".." + c1}, Format: "json"})
	if err != nil || out2 != out {
		t.Errorf("BASE..HEAD: %v\n%s", err, out2)
	}
	r.Git("checkout", "-q", "topic")
	r.Commit("topic", map[string]string{"t.ts": "visitor.getFlag(\"topicFlag\", 1);\n"})
	out3, err := run(t, diff.Options{Repo: r.Dir, Args: []string{"main...topic"}, Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	var d3 diff.Result
	_ = json.Unmarshal([]byte(out3), &d3)
	if d3.Base != c0 || !slices.Equal(d3.Keys(diff.Added), []string{"topicFlag"}) || len(d3.Keys(diff.Removed)) != 0 {
		t.Errorf("main...topic: %s", out3)
	}
}

func TestDiffWorkTreeStagedAndFailOn(t *testing.T) {
	r, _, _ := diffRepo(t)
	gittest.WriteFile(t, filepath.Join(r.Dir, "web/k.ts"), "visitor.getFlag(\"BadKey\", 1);\n")
	gittest.WriteFile(t, filepath.Join(r.Dir, "web/b.ts"), "visitor.getFlag(\"unstaged\", 1);\n")
	r.Git("add", "web/k.ts")

	out, err := run(t, diff.Options{Repo: r.Dir, Staged: true, Format: "csv", FailOn: []string{"policy"}})
	var fe *diff.FailError
	if !errors.As(err, &fe) || fe.ExitCode() != 3 {
		t.Fatalf("--staged --fail-on policy: %v, want a failure with status 3", err)
	}
	if msg := err.Error(); !bytes.Contains([]byte(msg), []byte(`"BadKey" at web/k.ts:1`)) {
		t.Errorf("failure %q does not name the key and where", msg)
	}
	rows, err := csv.NewReader(bytes.NewReader([]byte(out))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"added", "BadKey", "web/k.ts", "true"}, {"removed", "kept", "web/k.ts", "false"}}
	if len(rows) != 3 {
		t.Fatalf("staged: %q", rows)
	}
	for i, w := range want {
		if g := rows[i+1]; g[0] != w[0] || g[1] != w[1] || g[2] != w[2] || g[6] != w[3] {
			t.Errorf("row %d %q, want %q", i, g, w)
		}
	}

	// The working tree has the unstaged file too.
	out, err = run(t, diff.Options{Repo: r.Dir, Format: "json", FailOn: []string{"added", "removed"}})
	if !errors.As(err, &fe) || len(fe.Why) != 2 {
		t.Fatalf("--fail-on added,removed: %v", err)
	}
	var d diff.Result
	_ = json.Unmarshal([]byte(out), &d)
	if got := d.Keys(diff.Added); !slices.Equal(got, []string{"BadKey", "unstaged"}) || d.Head != "the working tree" {
		t.Errorf("working tree: %s", out)
	}

	// No change, no failure.
	r.Git("checkout", "-q", "--", ".")
	os.Remove(filepath.Join(r.Dir, "web/b.ts"))
	r.Git("reset", "-q", "--hard")
	if _, err := run(t, diff.Options{Repo: r.Dir, Format: "json", FailOn: []string{"change"}}); err != nil {
		t.Errorf("no change: %v", err)
	}
	if _, err := run(t, diff.Options{Repo: r.Dir, Format: "json", FailOn: []string{"sometimes"}}); !cli.IsUsage(err) {
		t.Errorf("--fail-on sometimes: %v, want a usage error", err)
	}
	if _, err := run(t, diff.Options{Repo: r.Dir, Format: "xml"}); !cli.IsUsage(err) {
		t.Errorf("--format xml: %v, want a usage error", err)
	}
}

func TestDiffSARIF(t *testing.T) {
	r, c0, _ := diffRepo(t)
	c2 := r.Commit("c2", map[string]string{
		"web/a.ts": "visitor.getFlag(\"BadKey\", 1);\nvisitor.getFlag(\"BadKey\", 2);\n",
		"web/k.ts": "// none\n",
	})
	out, err := run(t, diff.Options{Repo: r.Dir, Args: []string{c0, c2}, Format: "sarif"})
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				RelatedLocations    []json.RawMessage `json:"relatedLocations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || log.Schema != sarif.Schema || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "flagscan" {
		t.Fatalf("log header: %s", out)
	}
	run := log.Runs[0]
	type res struct {
		rule, level, uri string
		line, related    int
	}
	var got []res
	for _, x := range run.Results {
		if run.Tool.Driver.Rules[x.RuleIndex].ID != x.RuleID {
			t.Errorf("ruleIndex %d is not %s", x.RuleIndex, x.RuleID)
		}
		if len(x.Locations) != 1 || x.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID != "%SRCROOT%" || x.PartialFingerprints["flagKey/v1"] == "" {
			t.Errorf("result %+v", x)
		}
		l := x.Locations[0].PhysicalLocation
		got = append(got, res{x.RuleID, x.Level, l.ArtifactLocation.URI, l.Region.StartLine, len(x.RelatedLocations)})
	}
	want := []res{
		{sarif.RuleKeyPattern, "error", "web/a.ts", 1, 1},
		{sarif.RuleRemoved, "warning", "web/k.ts", 1, 0},
		{sarif.RuleRemoved, "warning", "web/a.ts", 1, 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("results\n%+v, want\n%+v", got, want)
	}
}
