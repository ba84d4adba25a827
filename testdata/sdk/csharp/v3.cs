// Flagship .NET SDK v3: GetFlag(key, default) then GetValue().
using Flagship.Main;

public static class FlagKeys
{
    public static readonly string Banner = "v3-banner";
}

public class Home
{
    public string Render(IVisitor visitor)
    {
        var flag = visitor.GetFlag("v3-button", "blue");
        var color = flag.GetValue();
        var count = visitor.GetFlag("v3-count", 3).GetValue();
        var banner = visitor.GetFlag(FlagKeys.Banner, true).GetValue();
        var sizes = visitor.GetFlag("v3.sizes", new[] { 1, 2 }).GetValue();
        var verbatim = visitor.GetFlag(@"v3-verbatim", @"c:\temp").GetValue();
        if (visitor.GetFlag("v3-exists", "").Exists)
        {
            return color;
        }
        return $"{count} {banner} {sizes} {verbatim}";
    }
}
