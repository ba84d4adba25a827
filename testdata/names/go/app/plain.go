package app

import "example.com/app/flags"

func Plain(v *Visitor) {
	v.ActivateModification(flags.Banner)
}
