// Flagship Android SDK v3: getFlag(key, default) then value().
package com.example.flags

object Keys {
    const val TITLE = "checkout.title"
}

class Checkout(private val visitor: Visitor) {
    private companion object {
        const val FLAG_KEY = "v3-const"
    }

    fun render(): String {
        val flag = visitor.getFlag("v3-btn", "blue")
        val value = flag.value()
        val size = visitor.getFlag(FLAG_KEY, 3).value()
        val title = visitor.getFlag(Keys.TITLE, "Pay").value()
        val config = visitor.getFlag("v3-config", mapOf("a" to 1)).value()
        val items = visitor.getFlag("v3-items", listOf("a", "b")).value()
        if (visitor.getFlag("v3-exists", true).exists()) {
            log(visitor.getFlag("v3-argument", 1.5).value())
        }
        return visitor.getFlag("v3-returned", "none").value() ?: ""
    }
}
