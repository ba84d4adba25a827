package com.acme.app

import com.acme.flags.FlagKeys
import com.acme.flags.FlagKeys as FK
import com.acme.flags.Screen
import com.acme.flags.TOP_LEVEL
import io.external.Ext

fun run(visitor: Visitor) {
    visitor.getFlag(FlagKeys.CHECKOUT, "x")
    visitor.getFlag(FK.CHECKOUT, "x")
    visitor.getFlag(Screen.BANNER, "x")
    visitor.getFlag(TOP_LEVEL, "x")
    visitor.getFlag(FlagKeys.mutable, "x")
    visitor.getFlag(Ext.KEY, "x")
}

fun shadow(visitor: Visitor) {
    val TOP_LEVEL = "local-kt"
    visitor.getFlag(TOP_LEVEL, "x")
}
