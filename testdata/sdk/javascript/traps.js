// visitor.getFlag("in-line-comment")
/* visitor.getFlag("in-block-comment") */
const s = 'visitor.getFlag("in-string")';
const t = `visitor.getFlag("in-template")`;
visitor.getFlag("one"); visitor.getFlag("two", true);
const dynamic = visitor.getFlag(`flag-${name}`);
const variable = visitor.getFlag(someVariable);
const concat = visitor.getFlag("prefix-" + suffix);
const constConcat = visitor.getFlag("pre" + "fixed");
// fe:flag: flagKey6, true
callThroughIndirection();
// fs:flag:old.style-key
doSomething();
// fe:flag: annotated-call, "x"
visitor.getFlag("annotated-call", "x");
const str = "fe:flag: not-an-annotation, true";
// fe:flag: typed-only, number
visitor.getFlag("last-line-no-newline")