// visitor.getFlag("in-line-comment", 1)
/* visitor.getFlag("in-block-comment", 1) */
class Traps {
    static final String S = "visitor.getFlag(\"in-string\", 1)";
    static final String T = """
        visitor.getFlag("in-text-block", 1)
        """;
    static final String PREFIX = "pre";

    void traps(Visitor visitor, String name, String suffix) {
        visitor.getFlag("one", 1).value(true); visitor.getFlag("two", true).value(true);
        Object variable = visitor.getFlag(name, "x");
        Object concat = visitor.getFlag("prefix-" + suffix, "x");
        Object formatted = visitor.getFlag(String.format("flag-%s", suffix), "x");
        Object constConcat = visitor.getFlag("pre" + "fixed", "x");
        Object textBlock = visitor.getFlag("""
            text.block-key""", "x");
        // fe:flag: flagKey6, true
        callThroughIndirection();
        /* fs:flag:old.style-key */
        doSomething();
        // fe:flag: annotated-call, "x"
        visitor.getFlag("annotated-call", "x");
        String str = "fe:flag: not-an-annotation, true";
    }

    String first(Visitor visitor) {
        String fallback = "grey";
        final String key = "scope-first";
        return visitor.getFlag(key, fallback).value(true);
    }

    int second(Visitor visitor) {
        int fallback = 12;
        final String key = "scope-second";
        return visitor.getFlag(key, fallback).value(true);
    }

    void unassigned(Visitor visitor) {
        if (visitor.getFlag("in-if", false).value(true)) {
            log(Flagship.Companion.activateModification("as-argument"));
        }
        Runnable r = () -> visitor.getFlag("in-lambda", 0).value(true);
    }

    void rebound(Visitor visitor) {
        String key = "rebound";
        key += "-suffix";
        visitor.activateModification(key);
    }

    // fe:flag: typed-only, number
    void last(Visitor visitor) { visitor.activateModification("last-line-no-newline"); } }