// Package flags names the flag keys of the application.
package flags

const (
	Checkout = "checkout-go"
	Banner   = "banner-go"
	internal = "internal-go"
)

// Alias is another name of Checkout.
const Alias = Checkout

// Mutable may change at run time: no one key.
var Mutable = "mutable-go"

const CycleA = CycleB
const CycleB = CycleA
