namespace Acme.Flags
{
    public static class FlagKeys
    {
        public const string Checkout = "checkout-cs";
        public static readonly string Banner = "banner-cs";
        public static string Mutable = "mutable-cs";
    }
}
