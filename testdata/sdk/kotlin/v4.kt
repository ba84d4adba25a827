// Flagship Android SDK v4: getFlag(key) then value(default, exposed); getFlags()["k"].
package com.example.flags

const val FLAG_KEY = "v4-const"

class Home(private val visitor: Visitor) {
    fun render(): Any? {
        val chained = visitor.getFlag("v4-chained").value("dark", false)
        val flag = visitor.getFlag(FLAG_KEY)
        val v = flag.value(mapOf("size" to 2))
        val named = visitor.getFlag("v4-named").value(defaultValue = 10, visitorExposed = true)
        if (visitor.getFlag("v4-exists").exists()) {
            log(visitor.getFlags()["v4-collection"])
        }
        val flags = visitor.getFlags()
        flags["v4-flags-var"]?.value(0L)
        return visitor.getFlag("v4-returned")?.value(-10)
    }

    fun other() {
        // A default on a variable belongs to the getFlag that assigned it in the same scope.
        val flag = somethingElse()
        flag.value(true)
    }

    fun third() {
        val flag = visitor.getFlag("v4-third")
        process(flag)
    }

    fun lambda() = run {
        val flag = visitor.getFlag("v4-lambda")
        flag.value(listOf(1))
    }
}
