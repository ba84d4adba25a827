// visitor.getFlag(key: "in-line-comment")
/* visitor.getFlag(key: "in-block-comment") */
let s = "visitor.getFlag(key: \"in-string\")"
let m = """
    visitor.getFlag(key: "in-multiline-string")
    """
visitor.getFlag(key: "one"); visitor.getFlag(key: "two", defaultValue: true)
let dynamic = visitor.getFlag(key: "flag-\(name)")
let variable = visitor.getFlag(key: someVariable)
let concat = visitor.getFlag(key: "prefix-" + suffix)
let constConcat = visitor.getFlag(key: "pre" + "fixed")
// fe:flag: flagKey6, true
callThroughIndirection()
// fs:flag:old.style-key
doSomething()
// fe:flag: annotated-call, "x"
visitor.getFlag(key: "annotated-call", defaultValue: "x")
let str = "fe:flag: not-an-annotation, true"
/* fe:flag: typed-only, number */
log(visitor.getFlag(key: "as-argument").value(defaultValue: 0))
let raw = visitor.getFlag(key: #"raw.key-1"#)
var reassigned = "first"
reassigned = "second"
visitor.getFlag(key: reassigned)
func returned(visitor: FSVisitor) -> FSFlag {
    return visitor.getFlag(key: "returned")
}
visitor.getFlag(key: "last-line-no-newline")