// Package sarif writes the change of flagscan diff as a SARIF 2.1.0 log,
// for GitHub code scanning and other SARIF viewers: one result per key
// added or removed, at its first reference (the others are related
// locations), with a rule per kind of change.
package sarif

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/flagscan/flagscan/cmd/flagscan/internal/report"
	"github.com/flagscan/flagscan/scanner"
)

// Schema and Version are those of the log.
const (
	Schema  = "https://json.schemastore.org/sarif-2.1.0.json"
	Version = "2.1.0"
)

// The rule ids, one per kind of change.
const (
	RuleAdded      = "flagscan/flag-added"
	RuleRemoved    = "flagscan/flag-removed"
	RuleKeyPattern = "flagscan/key-pattern"
)

// Log is a SARIF log of one run.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is the one run of a log.
type Run struct {
	Tool    Tool     `json:"tool"`
	Results []Result `json:"results"`
}

type Tool struct {
	Driver Driver `json:"driver"`
}

type Driver struct {
	Name           string `json:"name"`
	InformationURI string `json:"informationUri"`
	Version        string `json:"version,omitempty"`
	Rules          []Rule `json:"rules"`
}

type Rule struct {
	ID                   string        `json:"id"`
	Name                 string        `json:"name"`
	ShortDescription     Message       `json:"shortDescription"`
	FullDescription      Message       `json:"fullDescription"`
	Help                 Message       `json:"help"`
	DefaultConfiguration Configuration `json:"defaultConfiguration"`
}

type Configuration struct {
	Level string `json:"level"`
}

type Message struct {
	Text string `json:"text"`
}

type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             Message           `json:"message"`
	Locations           []Location        `json:"locations"`
	RelatedLocations    []Location        `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

type Location struct {
	ID               *int             `json:"id,omitempty"`
	PhysicalLocation PhysicalLocation `json:"physicalLocation"`
}

type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           Region           `json:"region"`
}

type ArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type Region struct {
	StartLine   int      `json:"startLine"`
	StartColumn int      `json:"startColumn,omitempty"`
	Snippet     *Message `json:"snippet,omitempty"`
}

var rules = []Rule{
	{
		ID: RuleAdded, Name: "FlagAdded",
		ShortDescription:     Message{"A feature-flag key is added"},
		FullDescription:      Message{"The change references a feature-flag key that the base does not: merged, it emits Flag.new."},
		Help:                 Message{"Make sure the flag exists in Flagship for every environment this code runs in."},
		DefaultConfiguration: Configuration{"note"},
	},
	{
		ID: RuleRemoved, Name: "FlagRemoved",
		ShortDescription:     Message{"A feature-flag key is removed"},
		FullDescription:      Message{"The change removes the last reference to a feature-flag key (shown where the base references it): merged, it emits Flag.deleted."},
		Help:                 Message{"If no other code uses the flag, archive it in Flagship."},
		DefaultConfiguration: Configuration{"warning"},
	},
	{
		ID: RuleKeyPattern, Name: "FlagKeyPattern",
		ShortDescription:     Message{"An added feature-flag key breaks the naming policy"},
		FullDescription:      Message{"The change adds a feature-flag key that does not match hook.policy.key_pattern of the configuration."},
		Help:                 Message{"Rename the key to match hook.policy.key_pattern."},
		DefaultConfiguration: Configuration{"error"},
	},
}

// New returns the SARIF log of d.
func New(d *report.Diff) *Log {
	driver := Driver{Name: "flagscan", InformationURI: "https://github.com/flagscan/flagscan", Version: toolVersion(), Rules: rules}
	run := Run{Tool: Tool{Driver: driver}, Results: []Result{}}
	for _, c := range d.Changes {
		if len(c.References) == 0 {
			continue
		}
		idx, msg := 0, fmt.Sprintf("Flag key %q is added", c.Key)
		switch {
		case c.BreaksPattern:
			idx, msg = 2, fmt.Sprintf("Flag key %q is added and does not match key_pattern %q", c.Key, d.KeyPattern)
		case c.Kind == "removed":
			idx, msg = 1, fmt.Sprintf("Flag key %q is removed: this was one of its last references", c.Key)
		}
		if n := len(c.References); n > 1 {
			msg += fmt.Sprintf(" (%d references)", n)
		}
		r := Result{
			RuleID: rules[idx].ID, RuleIndex: idx, Level: rules[idx].DefaultConfiguration.Level,
			Message:             Message{msg + "."},
			Locations:           []Location{location(c.References[0], nil)},
			PartialFingerprints: map[string]string{"flagKey/v1": c.Kind + ":" + c.Key},
			Properties:          map[string]any{"flag_key": c.Key, "change": c.Kind},
		}
		for i, ref := range c.References[1:] {
			id := i + 1
			r.RelatedLocations = append(r.RelatedLocations, location(ref, &id))
		}
		run.Results = append(run.Results, r)
	}
	return &Log{Schema: Schema, Version: Version, Runs: []Run{run}}
}

func location(ref scanner.Reference, id *int) Location {
	reg := Region{StartLine: max(ref.Line, 1), StartColumn: ref.Column}
	if ref.Code != "" {
		reg.Snippet = &Message{ref.Code}
	}
	return Location{ID: id, PhysicalLocation: PhysicalLocation{
		ArtifactLocation: ArtifactLocation{URI: ref.Path, URIBaseID: "%SRCROOT%"},
		Region:           reg,
	}}
}

// Write writes the SARIF log of d.
func Write(w io.Writer, d *report.Diff) error {
	return report.JSON(w, New(d))
}

func toolVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}
