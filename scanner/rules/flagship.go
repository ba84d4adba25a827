package rules

import (
	"strings"

	"github.com/flagscan/flagscan/scanner/syntax"
)

// shape is how a Flagship SDK call carries its flag key.
type shape uint8

const (
	// getFlag("k", def): key in argument 0 (or labelled key:), default in
	// argument 1 (or labelled defaultValue:), else in a value accessor
	// called on the result.
	flagCall shape = iota + 1
	// getModification("k", def) or the v2/v3 object form
	// getModification({key, defaultValue}); Swift and Objective-C label the
	// default with its type (defaultString:).
	modificationCall
	// GetModificationString("k", def) and its siblings (Go): the suffix is the type.
	typedModificationCall
	// getModificationInfo("k"), activateModification("k"): key only.
	keyCall
	// getModifications([{key, defaultValue}]), activateModifications(["k"]).
	listCall
	// useFlagship({modifications: {requested: [{key, defaultValue}]}}).
	providerCall
	// getFlags().get("k"), .has("k"), ["k"].
	collectionCall
	// getValue(def), value(def): the default of the flag it is called on.
	accessorCall
	// getFlags(): no key itself, but get/has/[] on its result carry one.
	flagCollection
)

// flagship maps each call name of the Flagship SDKs, in every language and
// SDK generation of docs/spec/flagship-sdk-calls.md, to its shape.
var flagship = map[string]shape{
	"getFlag": flagCall, "GetFlag": flagCall, "get_flag": flagCall,
	"useFsFlag": flagCall, "getFlagWithKey": flagCall,

	"getModification": modificationCall, "GetModification": modificationCall,
	"get_modification": modificationCall, "getModificationSync": modificationCall,
	"useFsModification": modificationCall,

	"GetModificationString": typedModificationCall, "GetModificationNumber": typedModificationCall,
	"GetModificationBool": typedModificationCall, "GetModificationObject": typedModificationCall,
	"GetModificationArray": typedModificationCall,

	"getModificationInfo": keyCall, "getModificationInfoSync": keyCall, "GetModificationInfo": keyCall,
	"get_modification_info": keyCall, "useFsModificationInfo": keyCall,
	"activateModification": keyCall, "ActivateModification": keyCall, "activate_modification": keyCall,

	"getModifications": listCall, "activateModifications": listCall,
	"useFsModifications": listCall, "useFsActivate": listCall,

	"useFlagship": providerCall,

	"getFlags": flagCollection, "GetFlags": flagCollection, "get_flags": flagCollection,
	"get": collectionCall, "has": collectionCall, "Get": collectionCall, "[]": collectionCall,

	"getValue": accessorCall, "GetValue": accessorCall, "value": accessorCall,
}

// flagshipNeedles are byte strings at least one of which occurs in any file
// holding a Flagship call or annotation: the prefilter searches for these.
// Each covers several names ("odification" covers getModification,
// get_modification, ActivateModification...).
var flagshipNeedles = []string{"etFlag", "get_flag", "odification", "useFs", "useFlagship", "fe:flag", "fs:flag"}

// flagshipCoarse hold, between them, every one of flagshipNeedles
// (TestCoarseCoverNeedles): the first, cheaper test of the prefilter.
var flagshipCoarse = []string{"lag", "odification", "useFs"}

// Rule names reported for the built-in rules.
const (
	ruleGetFlag          = "flagship.getFlag"
	ruleGetModification  = "flagship.getModification"
	ruleModificationInfo = "flagship.getModificationInfo"
	ruleActivate         = "flagship.activateModification"
	ruleModifications    = "flagship.getModifications"
	ruleUseFlagship      = "flagship.useFlagship"
	ruleGetFlags         = "flagship.getFlags"
	ruleAnnotation       = "flagship.annotation"
)

// defaultLabels maps the labels that carry a default value (Swift, Objective-C,
// named arguments) to the type they declare; "" means the value tells.
var defaultLabels = map[string]string{
	"defaultValue": "", "default": "", "default_value": "",
	"defaultString": "string", "defaultBool": "boolean", "defaultDouble": "number",
	"defaultFloat": "number", "defaultInt": "number", "defaultJson": "json", "defaultArray": "json",
}

// flagship applies the built-in rules to every call of the file.
func (m *matcher) flagship() {
	accessors := m.accessorDefaults()
	for _, c := range m.file.Calls {
		switch flagship[c.Name] {
		case flagCall:
			k, ok := firstKey(c)
			if !ok {
				continue
			}
			def, typ := labelledDefault(c)
			if def == nil {
				def = accessors[c]
			}
			m.key(k, c.Scope, ruleGetFlag, def, typ)
		case modificationCall:
			k, ok := firstKey(c)
			if !ok {
				continue
			}
			switch k.Kind {
			case syntax.Object:
				m.object(k, c.Scope, ruleGetModification)
			case syntax.Array:
				m.list(k, c.Scope, ruleGetModification)
			default:
				def, typ := labelledDefault(c)
				m.key(k, c.Scope, ruleGetModification, def, typ)
			}
		case typedModificationCall:
			k, ok := c.Positional(0)
			if !ok {
				continue
			}
			var def *syntax.Expr
			if d, ok := c.Positional(1); ok {
				def = &d
			}
			m.key(k, c.Scope, ruleGetModification, def, goModificationType(c.Name))
		case keyCall:
			if k, ok := firstKey(c); ok {
				rule := ruleModificationInfo
				if strings.HasPrefix(strings.ToLower(c.Name), "activate") {
					rule = ruleActivate
				}
				m.key(k, c.Scope, rule, nil, "")
			}
		case listCall:
			if k, ok := c.Positional(0); ok {
				m.list(k, c.Scope, ruleModifications)
			}
		case providerCall:
			if opts, ok := c.Positional(0); ok {
				if mods, ok := prop(opts, "modifications"); ok {
					if req, ok := prop(mods, "requested"); ok {
						m.list(req, c.Scope, ruleUseFlagship)
					}
				}
			}
		case collectionCall:
			if m.onFlagCollection(c) {
				if k, ok := c.Positional(0); ok {
					m.key(k, c.Scope, ruleGetFlags, accessors[c], "")
				}
			}
		}
	}
}

// firstKey returns the argument that holds a call's key: the labelled key:
// argument where the language labels it, else the first positional one.
func firstKey(c *syntax.Call) (syntax.Expr, bool) {
	if k, ok := c.Labeled("key"); ok {
		return k, true
	}
	return c.Positional(0)
}

// labelledDefault returns a flag call's default value and the type its
// label declares: argument 1 when positional, else a default label.
func labelledDefault(c *syntax.Call) (*syntax.Expr, string) {
	for _, a := range c.Args {
		if typ, ok := defaultLabels[a.Label]; ok && a.Label != "" {
			v := a.Value
			return &v, typ
		}
	}
	if d, ok := c.Positional(1); ok {
		return &d, ""
	}
	return nil, ""
}

// goModificationType is the type the Go SDK's method suffix declares.
func goModificationType(name string) string {
	switch strings.TrimPrefix(name, "GetModification") {
	case "String":
		return "string"
	case "Number":
		return "number"
	case "Bool":
		return "boolean"
	case "Object", "Array":
		return "json"
	}
	return "unknown"
}

// object records the key of a v2 modification object {key, defaultValue}.
func (m *matcher) object(o syntax.Expr, scope int, rule string) {
	k, ok := prop(o, "key")
	if !ok {
		return
	}
	var def *syntax.Expr
	if d, ok := prop(o, "defaultValue"); ok {
		def = &d
	}
	m.key(k, scope, rule, def, "")
}

// list records the keys of a v2 list: objects {key, defaultValue}, or keys.
func (m *matcher) list(l syntax.Expr, scope int, rule string) {
	if l.Kind != syntax.Array {
		if l.Kind == syntax.Ident || l.Kind == syntax.Template {
			m.unresolved = append(m.unresolved, Unresolved{Pos: l.Pos, Rule: rule, Text: l.Text})
		}
		return
	}
	for _, e := range l.Elems {
		if e.Kind == syntax.Object {
			m.object(e, scope, rule)
		} else {
			m.key(e, scope, rule, nil, "")
		}
	}
}

func prop(o syntax.Expr, key string) (syntax.Expr, bool) {
	if o.Kind != syntax.Object {
		return syntax.Expr{}, false
	}
	for _, p := range o.Props {
		if p.Key == key {
			return p.Value, true
		}
	}
	return syntax.Expr{}, false
}

// onFlagCollection reports whether a get/has/[] call is made on the result
// of getFlags(), directly or through a variable assigned from it.
func (m *matcher) onFlagCollection(c *syntax.Call) bool {
	r := c.Receiver
	if r == nil {
		return false
	}
	isGetFlags := func(c *syntax.Call) bool {
		return c.Name == "getFlags" || c.Name == "GetFlags" || c.Name == "get_flags"
	}
	switch r.Kind {
	case syntax.CallExpr:
		return isGetFlags(r.Call)
	case syntax.Ident:
		src := m.assignedCall(r.Value, c)
		return src != nil && isGetFlags(src)
	}
	return false
}

// accessorDefaults maps each flag call to the default of the value
// accessor called on it: chained (getFlag("k").getValue(def)) or on the
// variable the call was assigned to in the same or an enclosing scope.
func (m *matcher) accessorDefaults() map[*syntax.Call]*syntax.Expr {
	defs := make(map[*syntax.Call]*syntax.Expr)
	for _, c := range m.file.Calls {
		if flagship[c.Name] != accessorCall || c.Receiver == nil {
			continue
		}
		var flag *syntax.Call
		switch c.Receiver.Kind {
		case syntax.CallExpr:
			flag = c.Receiver.Call
		case syntax.Ident:
			flag = m.assignedCall(c.Receiver.Value, c)
		}
		if flag == nil || defs[flag] != nil {
			continue
		}
		// getFlag("k").getValue(d), or getFlags().get("k").getValue(d).
		if sh := flagship[flag.Name]; sh != flagCall && !(sh == collectionCall && m.onFlagCollection(flag)) {
			continue
		}
		d, ok := c.Labeled("defaultValue")
		if !ok {
			d, ok = c.Positional(0)
		}
		if ok {
			defs[flag] = &d
		}
	}
	return defs
}

// assignedCall returns the call whose value was assigned to variable name
// in the scope of use or one enclosing it, the innermost and latest one
// before use. A variable of the same name in another function is not it.
func (m *matcher) assignedCall(name string, use *syntax.Call) *syntax.Call {
	var best *syntax.Call
	for _, c := range m.file.Calls {
		if c.Assigned != name || !m.file.Encloses(c.Scope, use.Scope) || c.Line > use.Line {
			continue
		}
		if best == nil || m.file.Encloses(best.Scope, c.Scope) && (c.Scope != best.Scope || c.Line >= best.Line) {
			best = c
		}
	}
	return best
}
