// visitor.getFlag("in-line-comment", 1)
/* visitor.getFlag("in-block-comment", 1) */
const val S = "visitor.getFlag(\"in-string\", 1)"
val raw = """visitor.getFlag("in-raw-string", 1)"""
const val PREFIX = "pre"

fun traps(visitor: Visitor, name: String, suffix: String) {
    visitor.getFlag("one").value(1); visitor.getFlag("two", true).value()
    val template = visitor.getFlag("flag-$name").value("x")
    val braces = visitor.getFlag("flag-${name.lowercase()}", "x")
    val variable = visitor.getFlag(name, "x")
    val concat = visitor.getFlag("prefix-" + suffix, "x")
    val constConcat = visitor.getFlag("pre" + "fixed", "x")
    val escaped = visitor.getFlag("price-\$dollar", "x")
    // fe:flag: flagKey6, true
    callThroughIndirection()
    /* fs:flag:old.style-key */
    doSomething()
    // fe:flag: annotated-call, "x"
    visitor.getFlag("annotated-call", "x")
    val str = "fe:flag: not-an-annotation, true"
}

fun first(visitor: Visitor): String {
    val fallback = "grey"
    val key = "scope-first"
    return visitor.getFlag(key, fallback).value()
}

fun second(visitor: Visitor): Int {
    val fallback = 12
    val key = "scope-second"
    return visitor.getFlag(key, fallback).value()
}

fun unassigned(visitor: Visitor) {
    if (visitor.getFlag("in-if", false).value()) {
        log(Flagship.activateModification("as-argument"))
    }
    listOf(1).forEach { visitor.getFlag("in-lambda").value(0) }
}

fun rebound(visitor: Visitor) {
    var key = "rebound"
    key += "-suffix"
    Flagship.activateModification(key)
}

// fe:flag: typed-only, number
fun last(visitor: Visitor) = visitor.getFlags()["last-line-no-newline"]