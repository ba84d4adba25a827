package app

import (
	fl "example.com/app/flags"
	ext "github.com/other/flags"
)

func Run(v *Visitor) {
	v.GetModificationString(fl.Checkout, "x", true)
	v.GetModificationString(fl.Search, "x", true)
	v.GetModificationString(fl.Alias, "x", true)
	v.GetModificationString(fl.Mutable, "x", true)
	v.GetModificationString(fl.internal, "x", true)
	v.GetModificationString(ext.Key, "x", true)
	v.GetModificationString(localKey, "x", true)
	v.GetModificationString(testOnly, "x", true)
	v.GetModificationString(fl.CycleA, "x", true)
	v.GetModificationString(missing, "x", true)
}

func Shadow(v *Visitor, fl struct{ Checkout string }) {
	v.GetModificationString(fl.Checkout, "x", true)
}

func Local(v *Visitor) {
	const localKey = "shadowing-key"
	v.GetModificationString(localKey, "x", true)
}
