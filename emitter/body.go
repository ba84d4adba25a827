package emitter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// DefaultMaxBodySize bounds a request body, extra payload parameters
// included. The analyzer keeps bodies well under it (references are capped);
// a body over the bound is refused rather than sent.
const DefaultMaxBodySize = 1 << 20

// ErrBodyTooLarge is wrapped by the errors of bodies over the size bound.
var ErrBodyTooLarge = errors.New("body too large")

// CheckBody checks that body is a JSON object of at most max bytes.
func CheckBody(body []byte, max int) error {
	if max > 0 && len(body) > max {
		return fmt.Errorf("%w: %d bytes, over the %d-byte bound", ErrBodyTooLarge, len(body), max)
	}
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return errors.New("body is not a JSON object")
	}
	return nil
}

// MergePayload returns body, a JSON object, with the extra parameters of
// payload added after its own fields, in key order. A parameter whose name
// the body already has is left out: extra parameters never replace a field.
// body's own bytes are kept as they are; with no parameter to add, body
// itself is returned.
func MergePayload(body []byte, payload map[string]any) ([]byte, error) {
	if len(payload) == 0 {
		return body, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, errors.New("body is not a JSON object")
	}
	keys := make([]string, 0, len(payload))
	for k := range payload {
		if _, taken := fields[k]; !taken {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return body, nil
	}
	sort.Strings(keys)
	t := bytes.TrimRight(body, " \t\r\n")
	end := len(t) - 1 // the closing brace
	out := make([]byte, 0, len(body)+64*len(keys))
	out = append(out, t[:end]...)
	empty := len(fields) == 0
	for _, k := range keys {
		name, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(payload[k])
		if err != nil {
			// The parameter's name is shown, never its value.
			return nil, fmt.Errorf("payload parameter %s cannot be encoded as JSON", name)
		}
		if !empty {
			out = append(out, ',')
		}
		empty = false
		out = append(out, name...)
		out = append(out, ':')
		out = append(out, v...)
	}
	out = append(out, '}')
	return out, nil
}
