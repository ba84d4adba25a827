# visitor.get_flag("in-line-comment", 1)
s = 'visitor.get_flag("in-string", 1)'
d = """visitor.get_modification("in-docstring", 1)"""
visitor.get_flag("one", 1); visitor.get_flag("two", True)
dynamic = visitor.get_flag(f"flag-{name}", "x")
variable = visitor.get_flag(some_variable, "x")
concat = visitor.get_flag("prefix-" + suffix, "x")
percent = visitor.get_flag("flag-%s" % suffix, "x")
formatted = visitor.get_flag("flag-{}".format(suffix), "x")
const_concat = visitor.get_flag("pre" "fixed" + "-key", "x")
plain_f = visitor.get_flag(f"plain.f-string", "x")
# fe:flag: flagKey6, true
call_through_indirection()
# fs:flag:old.style-key
do_something()
# fe:flag: annotated-call, "x"
visitor.get_flag("annotated-call", "x")
annotation_in_string = "fe:flag: not-an-annotation, true"


def first(visitor):
    fallback = "grey"
    key = "scope-first"
    return visitor.get_flag(key, fallback).value()


def second(visitor):
    fallback = 12
    key = "scope-second"
    return visitor.get_flag(key, fallback).value()


def unassigned(visitor):
    if visitor.get_flag("in-if", False).value():
        log(visitor.get_modification_info("as-argument"))
    return visitor.get_modification("returned", 0, activate=True)


def rebound(visitor):
    key = "rebound"
    key += "-suffix"
    visitor.activate_modification(key)


# fe:flag: typed-only, number
visitor.get_flag("last-line-no-newline", "x").value()