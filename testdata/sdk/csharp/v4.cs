// Flagship .NET SDK v4: GetFlag(key) then GetValue(default, visitorExposed).
using System.Threading.Tasks;
using Flagship.Main;

public class Pricing
{
    const string PriceKey = "v4-price";

    public async Task<string> Render(IVisitor visitor)
    {
        var chained = visitor.GetFlag("v4-chained").GetValue("dark", false);
        var flag = visitor.GetFlag(PriceKey);
        var price = flag.GetValue(9.99, true);
        var named = visitor.GetFlag(key: "v4-named").GetValue(defaultValue: -1, visitorExposed: true);
        var generic = visitor.GetFlag("v4-generic").GetValue<string>("x");
        var maybe = visitor.GetFlag("v4-conditional")?.GetValue(false);
        var collection = visitor.GetFlags().Get("v4-collection");
        var flags = visitor.GetFlags();
        var fromVar = flags.Get("v4-flags-var");
        var interpolated = visitor.GetFlag($"v4-no-holes").GetValue(1);
        return await Task.FromResult($"{chained} {price} {named} {generic} {maybe} {collection} {fromVar} {interpolated}");
    }

    public void Other()
    {
        // A default on a variable belongs to the GetFlag that assigned it in the same scope.
        var flag = SomethingElse();
        flag.GetValue(true);
    }

    public void Third(IVisitor visitor)
    {
        var flag = visitor.GetFlag("v4-third");
        Process(flag);
    }
}
