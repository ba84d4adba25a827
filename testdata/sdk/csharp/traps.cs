// visitor.GetFlag("in-line-comment")
/* visitor.GetFlag("in-block-comment") */
/// <summary>visitor.GetFlag("in-doc-comment")</summary>
public class Traps
{
    const string S = "visitor.GetFlag(\"in-string\")";
    const string V = @"visitor.GetFlag(""in-verbatim"")";

    public void Run(IVisitor visitor, string name, string someVariable, string suffix)
    {
        visitor.GetFlag("one"); visitor.GetFlag("two", true);
        var dynamic = visitor.GetFlag($"flag-{name}");
        var variable = visitor.GetFlag(someVariable);
        var concat = visitor.GetFlag("prefix-" + suffix);
        var constConcat = visitor.GetFlag("pre" + "fixed");
        // fe:flag: flagKey6, true
        CallThroughIndirection();
        // fs:flag:old.style-key
        DoSomething();
        // fe:flag: annotated-call, "x"
        visitor.GetFlag("annotated-call", "x");
        var str = "fe:flag: not-an-annotation, true";
        /* fe:flag: typed-only, number */
        Log(visitor.GetFlag("as-argument").GetValue(0));
        var reassigned = "first";
        reassigned = "second";
        visitor.GetFlag(reassigned);
        const string local = "local.const-key";
        visitor.GetFlag(local);
    }

    public object Returned(IVisitor visitor)
    {
        return visitor.GetFlag("returned");
    }

    public object Last(IVisitor visitor) => visitor.GetFlag("last-line-no-newline"); }