//go:build unix

package release

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestActionlint runs actionlint on every workflow: the repository's
// (.github/workflows, which also lints action.yml through `uses: ./`),
// docs/examples, and the YAML blocks of the README and the docs that are
// workflows.
func TestActionlint(t *testing.T) {
	lint, err := exec.LookPath("actionlint")
	if err != nil {
		gopath, _ := exec.Command("go", "env", "GOPATH").Output()
		lint = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "actionlint")
		if _, err := os.Stat(lint); err != nil {
			t.Skip("actionlint is not installed: go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 (.ci/run does)")
		}
	}
	root := repoRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	examples, _ := filepath.Glob(filepath.Join(root, "docs", "examples", "*.yml"))
	files = append(files, examples...)
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	tmp := t.TempDir()
	for _, doc := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, block := range strings.Split(string(data), "```yaml\n")[1:] {
			block = block[:strings.Index(block, "```")]
			if !strings.Contains(block, "\njobs:") {
				continue // a fragment, not a workflow
			}
			name := filepath.Join(tmp, fmt.Sprintf("%s-%d.yml", strings.TrimSuffix(filepath.Base(doc), ".md"), i+1))
			if err := os.WriteFile(name, []byte(block), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, name)
		}
	}
	if len(files) < 4 {
		t.Fatalf("found %d workflows, want the release and ci workflows, docs/examples and the docs' ones", len(files))
	}
	cmd := exec.Command(lint, append([]string{"-no-color"}, files...)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
	t.Logf("actionlint checked %d workflows", len(files))
}
