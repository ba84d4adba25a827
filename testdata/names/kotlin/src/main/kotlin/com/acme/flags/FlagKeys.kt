package com.acme.flags

object FlagKeys {
    const val CHECKOUT = "checkout-kt"
    var mutable = "mutable-kt"
}

const val TOP_LEVEL = "top-kt"
