namespace FleaMarket.Api.Validation;

/// <summary>
/// Shapes of the ids the service hands out ("m_" + 32 hex digits and so on). A route id of any other shape is
/// answered 404 without activating a grain for it.
/// </summary>
internal static class Ids
{
    public static bool IsMarket(string id) => Is(id, "m_");

    public static bool IsListing(string id) => Is(id, "l_");

    public static bool IsUser(string id) => Is(id, "u_");

    private static bool Is(string id, string prefix) =>
        id.Length == prefix.Length + 32 && id.StartsWith(prefix, StringComparison.Ordinal)
        && id.AsSpan(prefix.Length).ContainsAnyExcept("0123456789abcdef") is false;
}
