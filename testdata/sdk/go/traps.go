package traps

import "fmt"

// v.GetModificationString("in-line-comment", "x", true)
/* v.GetModificationBool("in-block-comment", true, true) */
const s = `v.GetModificationString("in-raw-string", "x", true)`
const t = "v.GetModificationString(\"in-string\", \"x\", true)"

func Traps(v *Visitor, name string, suffix string) {
	a, b := mustString(v.GetModificationString("one", "1", true)), mustBool(v.GetModificationBool("two", true, true))
	c, _ := v.GetModificationNumber(fmt.Sprintf("flag-%s", name), 1, true)
	d, _ := v.GetModificationString(name, "x", true)
	e, _ := v.GetModificationString("prefix-"+suffix, "x", true)
	f, _ := v.GetModificationString("pre"+"fixed", "x", true)
	if on, _ := v.GetModificationBool("in-if", false, true); on {
		use(v.GetModificationInfo("as-argument"))
	}
	// fe:flag: flagKey6, true
	callThroughIndirection()
	// fs:flag:old.style-key
	doSomething()
	// fe:flag: annotated-call, "x"
	g, _ := v.GetModificationString("annotated-call", "x", true)
	str := "fe:flag: not-an-annotation, true"
	use(a, b, c, d, e, f, g, str)
}

func returned(v *Visitor) (float64, error) {
	return v.GetModificationNumber("returned", 42, false)
}

func defaults(v *Visitor) {
	fallback := "grey"
	v.GetModificationString("default-var", fallback, true)
}

func otherDefaults(v *Visitor) {
	fallback := 12
	use(fallback)
}

func scopeA(v *Visitor) {
	key := "scope-a"
	v.ActivateModification(key)
}

func scopeB(v *Visitor) {
	key := "scope-b"
	v.ActivateModification(key)
}

// fe:flag: typed-only, number
func last(v *Visitor) { v.ActivateModification("last-line-no-newline") }