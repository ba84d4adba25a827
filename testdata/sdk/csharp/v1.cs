// Flagship .NET SDK v1: GetModification(key, default, activate).
using System.Threading.Tasks;
using Flagship.Main;

namespace Shop
{
    public class Checkout
    {
        private const string DiscountKey = "v1-discount";

        public async Task Render(IVisitor visitor)
        {
            var title = visitor.GetModification("v1-title", "Welcome", true);
            var enabled = visitor.GetModification("v1-enabled", false, false);
            var discount = visitor.GetModification(DiscountKey, 0.15);
            var config = visitor.GetModification("v1.config", new { Color = "red", Size = 2 });
            var info = await visitor.GetModificationInfo("v1-info");
            await visitor.ActivateModification("v1-activate");
            var named = visitor.GetModification("v1-named", defaultValue: 42, activate: true);
        }
    }
}
