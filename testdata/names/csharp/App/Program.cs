using Acme.Flags;
using static Acme.Flags.FlagKeys;
using K = Acme.Flags.FlagKeys;

namespace Acme.App
{
    class Program
    {
        void Run(Visitor visitor)
        {
            visitor.GetFlag(FlagKeys.Checkout, "x");
            visitor.GetFlag(FlagKeys.Banner, "x");
            visitor.GetFlag(K.Checkout, "x");
            visitor.GetFlag(Checkout, "x");
            visitor.GetFlag(FlagKeys.Mutable, "x");
            visitor.GetFlag(MiscKeys.Search, "x");
            visitor.GetFlag(External.Keys.Key, "x");
        }

        void Shadow(Visitor visitor)
        {
            const string Checkout = "local-cs";
            visitor.GetFlag(Checkout, "x");
        }
    }
}
