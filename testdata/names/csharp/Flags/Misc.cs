namespace Acme.Flags
{
    public static class MiscKeys
    {
        public const string Search = "search-cs";
    }
}
