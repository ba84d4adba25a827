package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/action"
	"github.com/flagscan/flagscan/cmd/flagscan/internal/workspace"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/delivery"

	"go.yaml.in/yaml/v3"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/config"
)

// actionYAML is the part of action.yml the checks read.
type actionYAML struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Inputs      map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Shell            string            `yaml:"shell"`
	Run              string            `yaml:"run"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	With             map[string]string `yaml:"with"`
}

// text is everything in the step where an expression may appear.
func (s actionStep) text() string {
	parts := []string{s.If, s.Uses, s.Run, s.WorkingDirectory}
	for _, m := range []map[string]string{s.Env, s.With} {
		for k, v := range m {
			parts = append(parts, k+": "+v)
		}
	}
	return strings.Join(parts, "\n")
}

var (
	inputRefRE      = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepOutputRefRE = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.(outputs\.([A-Za-z0-9_-]+)|outcome|conclusion)`)
	echoOutputRE    = regexp.MustCompile(`echo "([a-z_]+)=`)
	flagRE          = regexp.MustCompile(`(?:^|\s)--([a-z-]+)`)
)

// knownOutputs are the outputs of the actions the steps use that the
// steps read.
var knownOutputs = map[string][]string{
	"actions/cache/restore": {"cache-hit", "cache-primary-key", "cache-matched-key"},
}

func loadActionYAML(t *testing.T) actionYAML {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionYAML
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// TestActionYAML checks action.yml's structure: a composite action whose
// every input referenced exists and every input is used, whose outputs are
// exactly what `flagscan action` writes, mapped from the step that runs
// it, and whose steps read only outputs that earlier steps set and only
// variables and flags that flagscan has.
func TestActionYAML(t *testing.T) {
	a := loadActionYAML(t)
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs a name and a description")
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		if !in.Required && in.Default == nil {
			t.Errorf("input %s is optional and has no default (document it, even as \"\")", name)
		}
	}

	used := map[string]bool{}
	setBy := map[string][]string{} // step id -> outputs it sets
	known := knownFlagscanVariables()
	var flagscanStep *actionStep
	for i, s := range a.Runs.Steps {
		label := s.Name
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %q runs a script without a shell (composite actions need one)", label)
		}
		for _, m := range inputRefRE.FindAllStringSubmatch(s.text(), -1) {
			used[m[1]] = true
			if _, ok := a.Inputs[m[1]]; !ok {
				t.Errorf("step %q references inputs.%s, which action.yml does not declare", label, m[1])
			}
		}
		for _, m := range stepOutputRefRE.FindAllStringSubmatch(s.text(), -1) {
			outs, ok := setBy[m[1]]
			if !ok {
				t.Errorf("step %q reads step %s, which no earlier step is", label, m[1])
			} else if m[3] != "" && !slices.Contains(outs, m[3]) {
				t.Errorf("step %q reads steps.%s.outputs.%s, which that step does not set (it sets %v)", label, m[1], m[3], outs)
			}
		}
		for name := range s.Env {
			if strings.HasPrefix(name, "FLAGSCAN_") && !known[name] {
				t.Errorf("step %q sets %s, which flagscan does not read", label, name)
			}
		}
		if s.ID != "" {
			var outs []string
			for _, m := range echoOutputRE.FindAllStringSubmatch(s.Run+stepScript(t, s.Run), -1) {
				outs = append(outs, m[1])
			}
			if s.Uses != "" {
				outs = append(outs, knownOutputs[strings.Split(s.Uses, "@")[0]]...)
			}
			if strings.Contains(s.Run, " action ") || strings.HasSuffix(strings.TrimSpace(strings.Trim(s.Run, `'`)), " action") {
				outs = append(outs, action.OutputNewFlags, action.OutputDeletedFlags, action.OutputEvents, action.OutputAddedFlags, action.OutputRemovedFlags)
				flagscanStep = &a.Runs.Steps[i]
			}
			setBy[s.ID] = outs
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but no step uses it", name)
		}
	}
	if flagscanStep == nil {
		t.Fatal("no step with an id runs `flagscan action`")
	}

	// The outputs are exactly those `flagscan action` writes.
	var names []string
	for name, o := range a.Outputs {
		names = append(names, name)
		if want := "${{ steps." + flagscanStep.ID + ".outputs." + name + " }}"; o.Value != want {
			t.Errorf("output %s = %q, want %q", name, o.Value, want)
		}
		if o.Description == "" {
			t.Errorf("output %s has no description", name)
		}
	}
	sort.Strings(names)
	if want := []string{action.OutputAddedFlags, action.OutputDeletedFlags, action.OutputEvents, action.OutputNewFlags, action.OutputRemovedFlags}; !slices.Equal(names, want) {
		t.Errorf("outputs %v, want %v", names, want)
	}

	// The flags the step passes exist.
	root := newRoot(strings.NewReader(""), io.Discard, io.Discard)
	cmd, _, err := root.Find([]string{"action"})
	if err != nil || cmd.Name() != "action" {
		t.Fatalf("no action command: %v", err)
	}
	for _, m := range flagRE.FindAllStringSubmatch(flagscanStep.Run, -1) {
		if cmd.Flags().Lookup(m[1]) == nil && root.PersistentFlags().Lookup(m[1]) == nil {
			t.Errorf("the action passes --%s, which `flagscan action` does not have", m[1])
		}
	}

	// Go comes from the action's own go.mod and caches on its go.sum; the
	// binary is built from the action's own source; the store is cached.
	var setupGo, build, restore, save bool
	for _, s := range a.Runs.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "actions/setup-go@"):
			setupGo = s.With["go-version-file"] == "${{ github.action_path }}/go.mod" &&
				s.With["cache-dependency-path"] == "${{ github.action_path }}/go.sum"
		case strings.Contains(s.Run, "go build"):
			build = s.WorkingDirectory == "${{ github.action_path }}" && strings.Contains(s.Run, "./cmd/flagscan")
		case strings.HasPrefix(s.Uses, "actions/cache/restore@"):
			restore = strings.Contains(s.With["key"], "github.ref_name") && strings.Contains(s.With["key"], "github.run_id") && s.With["restore-keys"] != ""
		case strings.HasPrefix(s.Uses, "actions/cache/save@"):
			save = strings.Contains(s.If, "always()")
		}
	}
	if !setupGo || !build || !restore || !save {
		t.Errorf("setup-go from the action's go.mod with its go.sum as cache key: %v; built from github.action_path: %v; store restored per branch and run: %v; saved always: %v", setupGo, build, restore, save)
	}
}

// stepScript returns the text of the action's script that a step's run
// calls ("$GITHUB_ACTION_PATH/.ci/..."), "" when it calls none.
func stepScript(t *testing.T, run string) string {
	t.Helper()
	m := regexp.MustCompile(`\$GITHUB_ACTION_PATH/([A-Za-z0-9_./-]+)`).FindStringSubmatch(run)
	if m == nil {
		return ""
	}
	data, err := os.ReadFile(filepath.Join("..", "..", m[1]))
	if err != nil {
		t.Fatalf("a step runs %s: %v", m[1], err)
	}
	return string(data)
}

// knownFlagscanVariables are the FLAGSCAN_* variables flagscan reads.
func knownFlagscanVariables() map[string]bool {
	out := map[string]bool{"FLAGSCAN_CONFIG": true, "FLAGSCAN_REPOSITORY": true, "FLAGSCAN_WEB_URL": true, "FLAGSCAN_USER_ID": true, "FLAGSCAN_USER_EMAIL": true}
	for _, v := range []string{
		config.EnvAccountID, config.EnvAccountName, config.EnvEnvironmentID, config.EnvEnvironmentName,
		config.EnvBranches, config.EnvUserRole, config.EnvMaxFileSize, config.EnvContextLines,
		delivery.EnvWebhookURL, delivery.EnvWebhookDescription, delivery.EnvWebhookSecret, delivery.EnvWebhookEvents, delivery.EnvAllowHosts, delivery.EnvDeliveryBudget,
		workspace.EnvDB,
	} {
		out[v] = true
	}
	return out
}

// workflowYAML is the part of a workflow file the checks read.
type workflowYAML struct {
	On   any `yaml:"on"`
	Jobs map[string]struct {
		Steps []struct {
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// TestActionWorkflowExamples checks the workflows of the README and the
// docs against action.yml: valid YAML, triggered on push, a checkout that
// sets fetch-depth, and only inputs the action declares.
func TestActionWorkflowExamples(t *testing.T) {
	a := loadActionYAML(t)
	root := filepath.Join("..", "..")
	sources := map[string]string{} // name -> workflow
	for _, doc := range []string{"README.md", "docs/github-action.md"} {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for i, block := range strings.Split(string(data), "```yaml\n")[1:] {
			block = block[:strings.Index(block, "```")]
			if strings.Contains(block, "uses: flagscan/flagscan@") {
				sources[fmt.Sprintf("%s, YAML block %d", doc, i+1)] = block
			}
		}
	}
	examples, _ := filepath.Glob(filepath.Join(root, "docs", "examples", "*.yml"))
	for _, p := range examples {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "uses: flagscan/flagscan@") {
			sources[filepath.Base(p)] = string(data)
		}
	}
	if len(sources) < 3 {
		t.Fatalf("found %d workflows using the action (README, docs/github-action.md, docs/examples), want 3 or more", len(sources))
	}
	for name, block := range sources {
		var w workflowYAML
		if err := yaml.Unmarshal([]byte(block), &w); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if on, err := yaml.Marshal(w.On); err != nil || !strings.Contains(string(on), "push") {
			t.Errorf("%s: not triggered on push: %s", name, on)
		}
		var checkout, action bool
		for _, j := range w.Jobs {
			for _, s := range j.Steps {
				if strings.HasPrefix(s.Uses, "actions/checkout@") {
					_, checkout = s.With["fetch-depth"]
				}
				if strings.HasPrefix(s.Uses, "flagscan/flagscan@") {
					action = true
					for k := range s.With {
						if _, ok := a.Inputs[k]; !ok {
							t.Errorf("%s: input %s is not in action.yml", name, k)
						}
					}
				}
			}
		}
		if !checkout || !action {
			t.Errorf("%s: checkout with fetch-depth: %v, uses the action: %v", name, checkout, action)
		}
	}
}

// TestActionBinarySteps checks how the action gets its binary: a first
// step that downloads a release's (.ci/action-binary.sh, tested in
// internal/release) or says to build; the build steps run only then, and
// only on a miss of the binary cache, whose key that step gives and which
// is saved after a build; the analysis runs the binary either way.
func TestActionBinarySteps(t *testing.T) {
	a := loadActionYAML(t)
	const build = "steps.binary.outputs.source == 'build'"
	const miss = "steps.binary-cache.outputs.cache-hit != 'true'"
	var get, restore, setupGo, compile, save bool
	for _, s := range a.Runs.Steps {
		switch {
		case s.ID == "binary":
			get = strings.Contains(s.Run, "$GITHUB_ACTION_PATH/.ci/action-binary.sh") && s.Env["BIN"] == "${{ steps.paths.outputs.bin }}"
		case s.ID == "binary-cache":
			restore = strings.HasPrefix(s.Uses, "actions/cache/restore@") && s.If == build &&
				s.With["key"] == "${{ steps.binary.outputs.key }}" && s.With["path"] == "${{ steps.paths.outputs.bindir }}"
		case strings.HasPrefix(s.Uses, "actions/setup-go@"):
			setupGo = s.If == build+" && "+miss
		case strings.Contains(s.Run, "go build"):
			compile = s.If == build+" && "+miss && strings.Contains(s.Run, `-o "$BIN"`)
		case strings.HasPrefix(s.Uses, "actions/cache/save@") && s.With["key"] == "${{ steps.binary.outputs.key }}":
			save = s.If == build+" && "+miss && s.With["path"] == "${{ steps.paths.outputs.bindir }}"
		}
	}
	if !get || !restore || !setupGo || !compile || !save {
		t.Errorf("binary step: %v; cache restored on a build: %v; Go set up and flagscan built on a miss: %v, %v; saved after: %v", get, restore, setupGo, compile, save)
	}
}
