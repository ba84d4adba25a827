package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCITemplates: every template parses, runs `flagscan ci` with flags
// the command has, and the GitLab component declares every input it uses.
func TestCITemplates(t *testing.T) {
	root := newRoot(strings.NewReader(""), io.Discard, io.Discard)
	cmd, _, err := root.Find([]string{"ci"})
	if err != nil || cmd.Name() != "ci" {
		t.Fatalf("no ci command: %v", err)
	}
	flagRE := regexp.MustCompile(`\s--([a-z][a-z-]*)`)
	files, _ := filepath.Glob("../../templates/*/*")
	if len(files) < 5 {
		t.Fatalf("templates: %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".yml") {
			dec := yaml.NewDecoder(strings.NewReader(string(data)))
			for {
				var doc any
				if err := dec.Decode(&doc); err == io.EOF {
					break
				} else if err != nil {
					t.Errorf("%s: %v", f, err)
					break
				}
			}
		}
		runs := 0
		for _, line := range strings.Split(string(data), "\n") {
			_, after, ok := strings.Cut(line, "flagscan\" ci ")
			if !ok {
				_, after, ok = strings.Cut(line, "flagscan ci ")
			}
			if !ok || strings.HasPrefix(strings.TrimSpace(line), "#") || strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			runs++
			for _, m := range flagRE.FindAllStringSubmatch(" "+after, -1) {
				if cmd.Flags().Lookup(m[1]) == nil {
					t.Errorf("%s passes --%s, which flagscan ci does not have", f, m[1])
				}
			}
		}
		if runs == 0 {
			t.Errorf("%s does not run flagscan ci", f)
		}
	}

	// The GitLab CI/CD component: spec: inputs, then the job.
	data, err := os.ReadFile("../../templates/flagscan/template.yml")
	if err != nil {
		t.Fatal(err)
	}
	spec, _, ok := strings.Cut(string(data), "\n---\n")
	if !ok {
		t.Fatal("the component has no spec document")
	}
	var s struct {
		Spec struct {
			Inputs map[string]any `yaml:"inputs"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal([]byte(spec), &s); err != nil || len(s.Spec.Inputs) == 0 {
		t.Fatalf("spec: %v %v", err, s)
	}
	for _, m := range regexp.MustCompile(`\$\[\[ inputs\.([a-z-]+) \]\]`).FindAllStringSubmatch(string(data), -1) {
		if _, ok := s.Spec.Inputs[m[1]]; !ok {
			t.Errorf("the component uses input %s, which spec.inputs does not declare", m[1])
		}
	}
}
