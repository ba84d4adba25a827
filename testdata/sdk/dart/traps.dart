// visitor.getFlag("in-line-comment")
/* visitor.getFlag("in-block-comment") /* nested */ visitor.getFlag("after-nested") */
/// visitor.getFlag("in-doc-comment")
const s = 'visitor.getFlag("in-string")';
const t = """visitor.getFlag("in-triple")""";
const r = r'visitor.getFlag("in-raw") $notInterpolated';
void run(Visitor visitor, String name, String someVariable, String suffix) {
  visitor.getFlag("one"); visitor.getFlag("two", true);
  final dyn = visitor.getFlag("flag-$name");
  final braced = visitor.getFlag('flag-${name.toUpperCase()}');
  final variable = visitor.getFlag(someVariable);
  final concat = visitor.getFlag("prefix-" + suffix);
  final constConcat = visitor.getFlag("pre" + "fixed");
  final adjacent = visitor.getFlag("adja" 'cent');
  // fe:flag: flagKey6, true
  callThroughIndirection();
  // fs:flag:old.style-key
  doSomething();
  // fe:flag: annotated-call, "x"
  visitor.getFlag("annotated-call", "x");
  final str = "fe:flag: not-an-annotation, true";
  /* fe:flag: typed-only, number */
  log(visitor.getFlag("as-argument").value(0));
  print("${visitor.getFlag("in-interpolation", "d").value()} done");
  var reassigned = "first";
  reassigned = "second";
  visitor.getFlag(reassigned);
  const local = 'local.const-key';
  visitor.getFlag(local);
  visitor
    ..getFlag("cascade-1")
    ..getFlag("cascade-2", 2);
}
Flag getFlag(String key) => throw UnimplementedError(key);
Flag returned(Visitor visitor) {
  return visitor.getFlag("returned");
}
Flag last(Visitor visitor) => visitor.getFlag("last-line-no-newline");